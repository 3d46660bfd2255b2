"""govbudget.parsers: pure functions of bytes → SCHEMA.md records.

    from govbudget.parsers import parse_bytes, detect_format, ParseOutcome, PARSER_VERSION

Parsers never touch the network, the database or the object store, and import nothing from
govbudget.crawler, govbudget.storage or govbudget.tasks.
"""

from govbudget.parsers.api import parse_bytes
from govbudget.parsers.detect import detect_format
from govbudget.parsers.outcome import ParseOutcome
from govbudget.parsers.version import PARSER_VERSION

__all__ = ["PARSER_VERSION", "ParseOutcome", "detect_format", "parse_bytes"]
