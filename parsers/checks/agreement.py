"""`metadata_agrees`: what the file says it is against what the crawl's link said it was.

The crawl reads a link before the file is fetched (`crawler.classify`: year, phase and department
from the link's text and the page it stands on); the parse reads the file itself. Both are kept: the
document's fields stay the file's own, the link's reading goes to the document's `link_meta`, and a
`metadata_agrees` check records whether they agree on fiscal year, phase and department (a field
either side leaves open is not compared; `subject` names the fields compared, `expected` holds the
link's values and `actual` the file's, both as JSON text). A field the file leaves open is filled
from the link, with `meta_source` `link_text`, so a reader sees it was not printed. Without any
link (a file parsed by hand, an archive's member) no check is made: there is nothing to compare.

Departments agree when one name is the other abbreviated: the shorter one's characters appear in
the longer one in order (`江苏省委办公厅` in `中国共产党江苏省委员会办公厅`), brackets (`（本级）`) and
spaces aside; a different body (`财政局` against `医疗保障局`) disagrees.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from govbudget.parsers.checks.common import check
from govbudget.parsers.meta_text import org_of_line, phase_in, year_in

CHECK = "metadata_agrees"
FIELDS = ("fiscal_year", "phase", "department")
_BRACKETS = re.compile(r"[（(][^）)]*[）)]|\s+")


def link_meta(hints: Mapping[str, Any] | None) -> dict[str, Any]:
    """fiscal_year, phase, department the crawl gives the file (its reading, else the link text's)."""
    if not hints:
        return {}
    text = " ".join(str(hints.get("link_text") or "").split())
    read = {"fiscal_year": year_in(text), "phase": phase_in(text), "department": org_of_line(text)}
    out = {name: hints.get(name) if hints.get(name) not in (None, "") else read[name] for name in FIELDS}
    if isinstance(out["fiscal_year"], str) and out["fiscal_year"].isdigit():
        out["fiscal_year"] = int(out["fiscal_year"])
    return {k: v for k, v in out.items() if v is not None}


def same(name: str, mine: Any, theirs: Any) -> bool:
    """Whether the file's value and the link's value of one field agree."""
    if name != "department":
        return mine == theirs
    a, b = (_BRACKETS.sub("", str(v)) for v in (mine, theirs))
    short, long = sorted((a, b), key=len)
    chars = iter(long)
    return bool(short) and all(c in chars for c in short)


def agreement(document: dict[str, Any], hints: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Keep the link's reading on `document` (`link_meta`), fill what the file left open from it, and
    return the `metadata_agrees` check (none when the crawl gave no link)."""
    link = link_meta(hints)
    if not link:
        return []
    document["link_meta"] = {**link, "link_text": (hints or {}).get("link_text")}
    compared = [n for n in FIELDS if n in link and document.get(n) is not None]
    for name in FIELDS:
        if name in link and document.get(name) is None:
            document[name] = link[name]
            document["meta_source"] = {**(document.get("meta_source") or {}), name: "link_text"}
    if not compared:
        return []
    differ = [n for n in compared if not same(n, document[n], link[n])]
    return [check(document.get("sha256") or "", CHECK, not differ, ",".join(compared),
                  _json({n: link[n] for n in compared}), _json({n: document[n] for n in compared}))]


def _json(values: dict[str, Any]) -> str:
    """Expected and actual as JSON text: a check's columns hold numbers or text, never objects."""
    return json.dumps(values, ensure_ascii=False)
