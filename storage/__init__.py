"""govbudget.storage: the archive (content-addressed object store) and the catalog (SQL database).

Public API — other rooms import these names from here or from their modules:

- `Fetch` (fetch.py): what the crawler hands over; `Archive` / `Archived` (archive.py) keep it.
- `ObjectStore`, `open_store`, `StoreUnavailable`, `ObjectNotFound` (object_store.py).
- `Catalog` (catalog.py), `CaptureRow` and the `Row` dicts it returns (rows.py); `CatalogUnavailable`,
  the transient database error. Every query is a `Catalog` method: no other room builds SQL.
- `held_lease`, `LeaseBusy` (leases.py): one holder of a named piece of work at a time.
- `content_key`, `sha256_hex` (keys.py).

Nothing here imports the crawler, the parsers or the tasks; minio is imported only by s3_store.py.
"""

from govbudget.storage.archive import Archive, Archived
from govbudget.storage.catalog import CaptureRow, Catalog, CatalogUnavailable
from govbudget.storage.fetch import Fetch
from govbudget.storage.keys import content_key, sha256_hex
from govbudget.storage.object_store import (
    ObjectNotFound,
    ObjectStore,
    StoreError,
    StoreUnavailable,
    open_store,
)

__all__ = [
    "Archive",
    "Archived",
    "CaptureRow",
    "Catalog",
    "CatalogUnavailable",
    "Fetch",
    "ObjectNotFound",
    "ObjectStore",
    "StoreError",
    "StoreUnavailable",
    "content_key",
    "open_store",
    "sha256_hex",
]
