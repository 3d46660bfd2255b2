"""Table recognition: from the row stream to the standard tables of SCHEMA.md.

One concept per module: `kinds` (each table kind's specification: title patterns, sides, layout,
column sums), `titles` (which table a heading names), `other` (titled tables no kind names),
`header_block` (department, year and unit lines repeated on every page), `segments` (stitching a table
split over pages), `columns` (the column map from `栏次` and header text), `measures` (header words to
SCHEMA measures), `codes` (subject codes to levels), `amounts` (printed numbers to decimals and yuan)
and `line_items` (rows to records).
"""
