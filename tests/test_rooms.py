"""The rules of the rooms (CONTRIBUTING.md), checked on the imports of every module in the project.

- Outside `storage/`, nothing imports SQLAlchemy, `storage.catalog_models` (the tables),
  `storage.catalog_queries` (statement builders) or a table object (a name ending in `_t`): every
  query is a `Catalog` method.
- `parsers/` imports no other room; `storage/` imports no other room.

Imports are read with `ast`, wherever they are (module top, inside a function, under TYPE_CHECKING),
and each offence names its module and line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
WALKED = ("crawler", "parsers", "storage", "tasks", "exports", "web", "cli", "regions")
ROOMS = {"crawler", "parsers", "storage", "tasks", "exports", "web", "cli", "regions", "corpus", "simulator"}
CLOSED = ("parsers", "storage", "regions")  # rooms that may import no other room
SQL_MODULES = ("catalog_models", "catalog_queries")  # storage's tables and statement builders


def _imports(path: Path, root: Path) -> Iterator[tuple[int, str, str | None]]:
    """(line, imported module, imported name or None) for every import in one file."""
    # Relative imports start from the module's package (an __init__'s package is its own folder).
    package = ["govbudget", *path.relative_to(root).with_suffix("").parts][:-1]
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield node.lineno, module, None
            for alias in node.names:
                yield node.lineno, module, alias.name


def _room_of(module: str, name: str | None) -> str | None:
    """The room an imported module (or `from govbudget import <room>`) belongs to."""
    parts = module.split(".")
    if parts[0] != "govbudget":
        return None
    if len(parts) > 1:
        return parts[1]
    return name


def _offence(room: str, module: str, name: str | None) -> str | None:
    if room != "storage":
        if module == "sqlalchemy" or module.startswith("sqlalchemy."):
            return f"imports {module} (SQL belongs in storage/)"
        for inner in SQL_MODULES:
            if module == f"govbudget.storage.{inner}" or (module == "govbudget.storage" and name == inner):
                return f"imports storage.{inner} (tables and SQL belong in storage/)"
        if name and name.endswith("_t") and _room_of(module, name) == "storage":
            return f"imports the table {name} from {module} (use a Catalog method)"
    if room in CLOSED:
        other = _room_of(module, name)
        if other in ROOMS and other != room:
            what = module if module != "govbudget" else f"govbudget.{name}"
            return f"imports {what} (the {room} room imports no other room)"
    return None


def room_violations(root: Path) -> list[str]:
    """`path:line: what` for every import that breaks a rule, over the rooms found under `root`."""
    found: set[str] = set()
    for room in WALKED:
        for path in sorted((root / room).rglob("*.py")):
            where = path.relative_to(root).as_posix()
            for line, module, name in _imports(path, root):
                offence = _offence(room, module, name)
                if offence:
                    found.add(f"{where}:{line}: {offence}")
    return sorted(found, key=lambda v: (v.split(":")[0], int(v.split(":")[1]), v))


def test_every_module_keeps_to_its_room() -> None:
    assert (PROJECT / "storage" / "catalog.py").is_file(), "the walk starts at the project root"
    assert room_violations(PROJECT) == []


OFFENDERS = {
    "tasks/sql.py": "import os\nfrom sqlalchemy import select\n",
    "exports/tables.py": "\nfrom govbudget.storage.catalog import Catalog, objects_t\n",
    "web/models.py": "def f():\n    import govbudget.storage.catalog_models\n",
    "web/queries.py": "from govbudget.storage import catalog_queries\n",
    "cli/exc.py": "import sqlalchemy.exc as exc\n",
    "parsers/leak.py": "from govbudget.storage.fetch import Fetch\nfrom govbudget import tasks\n",
    "parsers/inner/ok.py": "from .. import detect\nfrom govbudget.parsers.grid import Grid\n",
    "storage/up.py": "from ..crawler import run\nfrom sqlalchemy import select\n",
    "crawler/fine.py": "from govbudget.storage.fetch import Fetch\n",
}


def test_each_kind_of_offence_is_reported_with_module_and_line(tmp_path: Path) -> None:
    for rel, text in OFFENDERS.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    closed = "room imports no other room"
    assert room_violations(tmp_path) == [
        "cli/exc.py:1: imports sqlalchemy.exc (SQL belongs in storage/)",
        "exports/tables.py:2: imports the table objects_t from govbudget.storage.catalog"
        " (use a Catalog method)",
        f"parsers/leak.py:1: imports govbudget.storage.fetch (the parsers {closed})",
        f"parsers/leak.py:2: imports govbudget.tasks (the parsers {closed})",
        f"storage/up.py:1: imports govbudget.crawler (the storage {closed})",
        "tasks/sql.py:2: imports sqlalchemy (SQL belongs in storage/)",
        "web/models.py:2: imports storage.catalog_models (tables and SQL belong in storage/)",
        "web/queries.py:1: imports storage.catalog_queries (tables and SQL belong in storage/)",
    ]
