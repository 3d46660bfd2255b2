"""The parser package's version: it goes into every record's `parser` field and the catalog key."""

PARSER_VERSION = "0.2.0"
