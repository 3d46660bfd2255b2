"""The generic explorer's reading of JSON: which documents a list API names, and its other pages.

Nothing here knows a platform. A document is any string field of an object that is a URL or path to
a file (an extension the crawler archives, or a download servlet), or a URL of a page; its title is
read from the same object's other string fields (the one keyed like a title, else the longest
Chinese text), and what the enclosing objects say (a body's name, a year, a section's title) becomes
the context the link is read with. A list API is a request whose answer holds a list of records and a
total, a page count or a has-more flag; its paging parameter is found in the request it came from
(query, JSON body or form: ``page``, ``pageNo``, ``pageIndex``, ``current``, ``start``/``limit``,
``offset``, …) or, when the request had none, in the answer's own echo of it.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from govbudget.crawler.families.base import loads_json
from govbudget.crawler.link_policy import looks_like_file

__all__ = [
    "ApiCall",
    "Doc",
    "IdSlot",
    "Paging",
    "choices",
    "documents",
    "id_slot",
    "infer_paging",
    "loads_json",
    "next_link",
    "paging_in_request",
    "read_json",
    "record_lists",
    "record_name",
    "records_of",
    "siblings",
    "with_page",
]

MAX_DEPTH = 12  # how deep the miner walks a document
MAX_NODES = 50_000  # how many values it looks at

def read_json(text: str) -> Any:
    """An answer's JSON (``loads_json``), with every string value that is itself a JSON object or
    array read in place (``{"d": "[{…}]"}``: an ASP.NET service's answer, a list a server encoded
    twice), so its records, paging and documents are read like any other's; None when no JSON."""
    return expand(loads_json(text))


def expand(data: Any, depth: int = 0) -> Any:
    """``data`` with its JSON-encoded string values decoded (at most four times nested)."""
    if depth > 4:
        return data
    if isinstance(data, dict):
        return {k: expand(v, depth) for k, v in data.items()}
    if isinstance(data, list):
        return [expand(v, depth) for v in data]
    if isinstance(data, str) and len(data) > 1 and data.lstrip()[:1] in ("{", "[") and \
            data.rstrip()[-1:] in ("}", "]"):
        inner = loads_json(data)
        return data if inner is None else expand(inner, depth + 1)
    return data


# -- documents ------------------------------------------------------------------------------------
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SPACE = re.compile(r"\s+")
_ROOTED = re.compile(r"^(?:https?://|//|/|\./|\.\./)[^\s<>\"']+$", re.I)
_RELATIVE = re.compile(r"^[\w\-.%~]+(?:/[^\s/<>\"']+)+/?(?:\?[^\s<>\"']*)?$")
_MIME = re.compile(r"^(?:application|text|image|audio|video|multipart|font)/[\w.+\-]+$", re.I)
_DATE = re.compile(r"^\d{4}[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?)?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?.*)?$")
_YEARISH = re.compile(r"^(20[0-4]\d)(?:年度?)?$")
_PAGE_PATH = re.compile(r"(?:\.s?html?|\.jsp|\.do|\.aspx?|\.php|/)$", re.I)
# keys are compared lower-cased without ``_``/``-``
_URL_KEY = re.compile(r"url|href|link|path|src|uri|addr|location|down|file|attach|annex|enclosure|fujian")
_TITLE_KEY = re.compile(r"title|name|subject|caption|label|text|bt$|^bt|mc$|^mc|wjm|biaoti|mingcheng")
_DATE_KEY = re.compile(r"date|time|day|publish|pubdate|created|updated|rq$|^rq|sj$|^sj")
_YEAR_KEY = re.compile(r"year|^nd$|niandu|fiscal")
_BODY_SUFFIX = re.compile(
    r"(?:委员会|局|委|办公室|办公厅|办|中心|院|所|厅|部|馆|站|队|会|社|校|学|园|处|室|街道办事处|政府)$")
_DISCLOSURE_WORDS = re.compile(r"预算|决算|三公|绩效|公开|报告|说明|附件")


@dataclass(frozen=True)
class Doc:
    """One document (or page) a JSON answer names: its absolute URL and how it is read.

    ``title`` is the object's own title; ``text`` the link's text: the title with the body's name
    and year of the object's own fields put before it when it lacks them (as a list shows them in
    columns beside it). ``context`` is what the enclosing objects say, nearest first (a body's name,
    a year, a section's title). ``date`` and ``department`` are the object's (or its nearest
    ancestor's) fields; ``file`` tells a file (extension or download servlet) from a page.
    """

    url: str
    title: str
    text: str = ""
    context: str = ""
    date: str = ""
    department: str = ""
    file: bool = True


def compose(department: str, year: str, title: str) -> str:
    """``某局2024年部门预算``: a title with the body's name and year before it, when it lacks them."""
    compact = re.sub(r"\s+", "", title)
    head = department if department and department not in compact else ""
    if year and not re.search(r"20[0-4]\d", compact):
        head += f"{year}年"
    return f"{head}{title}" if head else title


def _norm_key(key: str) -> str:
    return key.lower().replace("_", "").replace("-", "")


def _clean(value: str) -> str:
    return _SPACE.sub(" ", value).strip()


def url_of(key: str, value: str, base: str) -> tuple[str, bool] | None:
    """(absolute URL, is a file) when a field holds a link to a document or a page, else None.

    A file: a rooted or relative path (or a bare name under a URL-like key) that the link policy
    takes for a file. A page: an absolute or rooted URL, or a relative path ending like a page.
    A MIME type, a date, a hash route (``#/detail``) or a name without a path is no link.
    """
    value = value.strip()
    if not value or len(value) > 2000 or value.startswith(("#", "javascript:", "mailto:", "data:")):
        return None
    if _MIME.match(value) or _DATE.match(value):
        return None
    nkey = _norm_key(key)
    urlish_key = bool(_URL_KEY.search(nkey))
    rooted = bool(_ROOTED.match(value))
    relative = not rooted and bool(_RELATIVE.match(value)) and not value[0].isdigit()
    bare = not rooted and not relative and re.fullmatch(r"[^\s/\\<>\"']+\.[A-Za-z0-9]{2,5}(?:\?\S*)?", value)
    if not (rooted or relative or (bare and urlish_key and not _CJK.search(value))):
        return None
    absolute = urljoin(base, value)
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None
    if looks_like_file(absolute):
        return absolute, True
    if "#" in value and not rooted:
        return None
    if rooted and (value.lower().startswith(("http://", "https://", "//")) or urlish_key):
        return absolute, False
    if (relative or rooted) and (urlish_key or _PAGE_PATH.search(urlsplit(value).path)):
        return absolute, False
    return None


def _strings(obj: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for key, value in obj.items():
        if isinstance(value, str):
            yield str(key), value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            yield str(key), str(value)


def _title_score(key: str, value: str) -> tuple[int, int, int] | None:
    value = _clean(value)
    if not 2 <= len(value) <= 300 or _DATE.match(value) or _ROOTED.match(value):
        return None
    if not _CJK.search(value) and not re.search(r"[A-Za-z]{3}", value):
        return None
    if re.fullmatch(r"[A-Za-z0-9_\-]{16,}", value, re.ASCII):  # ids, hashes, uuids (never a CJK title)
        return None
    keyed = bool(_TITLE_KEY.search(_norm_key(key)))
    cjk = len(_CJK.findall(value))
    return (1 if cjk else 0, 1 if keyed else 0, cjk if len(value) <= 120 else 0)


def title_of(obj: dict[str, Any], *, skip: frozenset[str] = frozenset()) -> str:
    """The object's title: among its string fields (not ``skip``, the link itself), the Chinese text
    keyed like a title, else the longest Chinese text, else a Latin text keyed like a title."""
    best: tuple[tuple[int, int, int], str] | None = None
    for key, value in _strings(obj):
        if value in skip or (_DATE_KEY.search(_norm_key(key)) and _DATE.match(value.strip())):
            continue
        score = _title_score(key, value)
        if score is None or (score[0] == 0 and score[1] == 0):
            continue
        if best is None or score > best[0]:
            best = (score, _clean(value))
    return best[1] if best else ""


def _date_of(obj: dict[str, Any]) -> str:
    """The object's date: a field keyed like one, else the first value shaped like one."""
    dates = [(bool(_DATE_KEY.search(_norm_key(k))), v.strip())
             for k, v in _strings(obj) if _DATE.match(v.strip())]
    return max(dates, key=lambda d: d[0])[1] if dates else ""


def _department_of(obj: dict[str, Any], *, skip: frozenset[str] = frozenset()) -> str:
    """A field that is only a body's name (某县财政局, 县教育局): short, Chinese, no disclosure word."""
    for _, value in _strings(obj):
        value = _clean(value)
        if value in skip or not 2 <= len(value) <= 30 or not _CJK.search(value):
            continue
        if re.search(r"[\d\sA-Za-z:：/.]", value) or _DISCLOSURE_WORDS.search(value):
            continue
        if _BODY_SUFFIX.search(value):
            return value
    return ""


def _year_field(obj: dict[str, Any]) -> str:
    for key, value in _strings(obj):
        match = _YEARISH.match(value.strip())
        if match and _YEAR_KEY.search(_norm_key(key)):
            return match.group(1)
    return ""


@dataclass
class _Frame:
    title: str = ""
    department: str = ""
    year: str = ""
    date: str = ""
    labels: tuple[str, ...] = ()


def _labels(obj: dict[str, Any], skip: frozenset[str]) -> tuple[str, ...]:
    """The object's other short Chinese fields (a category, a column: 部门决算), at most three."""
    out: list[str] = []
    for _, value in _strings(obj):
        value = _clean(value)
        if value in skip or not 2 <= len(value) <= 20 or not _CJK.search(value) or _DATE.match(value):
            continue
        if value not in out:
            out.append(value)
    return tuple(out[:3])


def documents(data: Any, base: str, *, context: str = "") -> list[Doc]:
    """Every document and page a JSON answer names, in document order, each URL once.

    ``base`` resolves relative paths (the page the answer is shown on, as the browser would resolve
    an ``href`` the script sets); ``context`` is what the answer was asked for under (the navigation
    node clicked), added after what the enclosing objects say.
    """
    found: dict[str, Doc] = {}
    budget = [MAX_NODES]

    def walk(node: Any, frames: tuple[_Frame, ...], depth: int) -> None:
        budget[0] -= 1
        if budget[0] < 0 or depth > MAX_DEPTH:
            return
        if isinstance(node, list):
            for item in node:
                walk(item, frames, depth + 1)
            return
        if not isinstance(node, dict):
            return
        links: list[tuple[str, str, bool]] = []
        for key, value in node.items():
            if isinstance(value, str):
                hit = url_of(str(key), value, base)
                if hit is not None:
                    links.append((value, *hit))
        skip = frozenset(raw for raw, _, _ in links)
        department = _department_of(node, skip=skip)
        title = title_of(node, skip=skip | {department}) or department
        frame = _Frame(title=title, department=department, year=_year_field(node), date=_date_of(node),
                       labels=_labels(node, skip | {title, department}))
        outer = [f for f in reversed(frames) if f.title or f.department or f.year]
        for _, url, is_file in links:
            if url in found:
                continue
            parts = [compose(f.department, f.year, f.title if f.title != f.department else "")
                     for f in outer]
            ctx = " ".join(dict.fromkeys(p for p in (*frame.labels, *parts, context) if p))
            found[url] = Doc(
                url, frame.title, compose(frame.department, frame.year, frame.title), ctx,
                frame.date or next((f.date for f in outer if f.date), ""),
                frame.department or next((f.department for f in outer if f.department), ""), is_file)
        for value in node.values():
            if isinstance(value, (list, dict)):
                walk(value, (*frames, frame), depth + 1)

    walk(data, (), 0)
    return list(found.values())


# -- list APIs and their paging -------------------------------------------------------------------
_PAGE_KEYS = ("page", "pageno", "pagenum", "pageindex", "current", "currentpage", "curpage", "pagenumber",
              "pn", "pageidx", "p", "curr", "pagecurrent", "nowpage")
_OFFSET_KEYS = ("start", "offset", "from", "skip", "startrecord", "startindex", "begin", "first")
_SIZE_KEYS = ("size", "limit", "rows", "pagesize", "perpage", "pagelimit", "length", "ps", "count",
              "num", "max", "pagerows", "rowsperpage", "maxresults")
_TOTAL_KEYS = ("total", "totalcount", "totalrecord", "totalrecords", "totalrows", "totalelements",
               "totalsize", "recordstotal", "recordcount", "totalnum", "totalitems", "allcount",
               "rowcount", "records", "count", "totalhits", "hits", "allrow", "allrows", "totalresult")
_PAGES_KEYS = ("pages", "totalpage", "totalpages", "pagecount", "pagetotal", "lastpage", "maxpage",
               "totalpagenum", "pagestotal", "allpage", "allpages", "totalpagecount")
_MORE_KEYS = ("hasmore", "hasnext", "hasnextpage", "more", "ismore", "havemore", "nextpage")
_LAST_KEYS = ("last", "islast", "islastpage", "isend", "end", "finished", "nomore", "lastpage")

MAX_PAGES_PER_API = 100
_FULL_PAGE = 10  # records: a page this long, of a list that tells neither its size nor its total, is full


@dataclass(frozen=True)
class ApiCall:
    """One request to a list API, as the page's script sent it (and as it is replayed)."""

    url: str
    method: str = "GET"
    body: str = ""
    content_type: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def body_kind(self) -> str:
        """``json``, ``form`` or ``none``: how the body carries its parameters."""
        if self.method != "POST" or not self.body:
            return "none"
        if "json" in self.content_type.lower() or self.body.lstrip()[:1] in ("{", "["):
            return "json"
        if "x-www-form-urlencoded" in self.content_type.lower() or "=" in self.body:
            return "form"
        return "other"

    def key(self) -> tuple[str, str, str]:
        """What makes two calls the same request (for walking each page once)."""
        return (self.method, self.url, self.body)

    def as_state(self) -> dict[str, Any]:
        return {"url": self.url, "method": self.method, "body": self.body,
                "content_type": self.content_type, "headers": dict(self.headers)}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ApiCall:
        return cls(state["url"], state.get("method", "GET"), state.get("body", ""),
                   state.get("content_type", ""), dict(state.get("headers") or {}))


@dataclass(frozen=True)
class Paging:
    """How a list API pages: which parameter (where, key), its style and what the answer told.

    ``style`` is ``page`` (a page number; ``first`` is 0 or 1), ``offset`` (a record offset, ``size``
    records a page) or ``cursor`` (the value of field ``cursor`` of the page's last record). ``last``
    is the last page number or offset to ask for when a total told it; None when only a has-more flag
    (or a page's records) tells whether another page follows.
    """

    where: str  # "query", "json" or "form"
    key: str
    style: str
    current: int
    size: int
    last: int | None
    first: int = 1
    size_key: str = ""
    cursor: str = ""  # style "cursor": the field of a page's last record the next page starts after

    def as_state(self) -> dict[str, Any]:
        return {"where": self.where, "key": self.key, "style": self.style, "current": self.current,
                "size": self.size, "last": self.last, "first": self.first, "size_key": self.size_key,
                "cursor": self.cursor}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Paging:
        return cls(**state)

    def after(self, value: int) -> int:
        return value + (self.size if self.style == "offset" else 1)

    def following(self, limit: int = MAX_PAGES_PER_API) -> tuple[list[int], bool]:
        """The page numbers (or offsets) after the current one up to ``last``, at most ``limit`` of
        them; and whether ``limit`` cut the list short."""
        if self.last is None:
            return [], False
        out: list[int] = []
        value = self.after(self.current)
        while value <= self.last:
            if len(out) >= limit:
                return out, True
            out.append(value)
            value = self.after(value)
        return out, False


def records_of(data: Any) -> list[Any]:
    """The answer's list of records: its longest list of objects (nearest the top on a tie)."""
    best: list[Any] = []
    best_depth = 99
    stack: list[tuple[Any, int]] = [(data, 0)]
    seen = 0
    while stack and seen < MAX_NODES:
        node, depth = stack.pop()
        seen += 1
        if depth > MAX_DEPTH:
            continue
        if isinstance(node, list):
            dicts = [x for x in node if isinstance(x, dict)]
            if dicts and (len(node) > len(best) or (len(node) == len(best) and depth < best_depth)):
                best, best_depth = node, depth
            stack.extend((x, depth + 1) for x in node if isinstance(x, (list, dict)))
        elif isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, (list, dict)))
    return best


def record_lists(data: Any, limit: int = 200) -> list[list[dict[str, Any]]]:
    """Every list of objects in an answer (a tree's levels each), at most ``limit`` of them."""
    out: list[list[dict[str, Any]]] = []
    stack: list[tuple[Any, int]] = [(data, 0)]
    seen = 0
    while stack and seen < MAX_NODES and len(out) < limit:
        node, depth = stack.pop(0)
        seen += 1
        if depth > MAX_DEPTH:
            continue
        if isinstance(node, list):
            dicts = [x for x in node if isinstance(x, dict)]
            if dicts:
                out.append(dicts)
            stack.extend((x, depth + 1) for x in node if isinstance(x, (list, dict)))
        elif isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, (list, dict)))
    return out


_ID_KEY = re.compile(r"(?:id|code|uuid|guid|key|no|dm|bm|bh)$")
_NOT_SUBSTITUTED = frozenset(("callback", "cb", "jsonp", "_", "t", "timestamp", "ts", "rnd", "random", "v"))
MAX_SIBLINGS = 200


@dataclass(frozen=True)
class IdSlot:
    """Where a request carries an identifier it took from a record of an earlier answer: the
    parameter (``where`` query, form or json, or ``path`` and the segment's index as ``key``), the
    value sent, the records' field it is, and the endpoint whose answer listed the record."""

    where: str
    key: str
    value: Any
    field: str
    source: tuple[str, str]

    def as_state(self) -> dict[str, Any]:
        return {"where": self.where, "key": self.key, "value": self.value, "field": self.field,
                "source": list(self.source)}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> IdSlot:
        return cls(state["where"], state["key"], state["value"], state["field"], tuple(state["source"]))

    def asking(self, call: ApiCall, record: dict[str, Any]) -> ApiCall | None:
        """``call`` asking for ``record`` (its ``field`` in the slot), or None when it has no such id."""
        value = record.get(self.field)
        if value is None or isinstance(value, (dict, list, bool)):
            return None
        return _with_param(call, self.where, self.key, value, self.value)


def id_slot(call: ApiCall, answers: list[tuple[ApiCall, Any]]) -> tuple[IdSlot, list[dict[str, Any]],
                                                                           dict[str, Any]] | None:
    """The slot of ``call`` that holds an identifier field of exactly one record of a list in
    ``answers`` (the calls captured before it, with their answers; but not the last record of an
    answer of the same endpoint: a cursor), with that list and the record; None when it took none.
    Paging parameters, callbacks and cache-busters are never taken for one."""
    located = _params(call)
    if located is None:
        return None
    where, params = located
    skip = set(_PAGE_KEYS) | set(_OFFSET_KEYS) | set(_SIZE_KEYS) | _NOT_SUBSTITUTED
    slots: list[tuple[str, str, Any]] = [  # (where, key, value sent): parameters, then path segments
        (where, str(k), v) for k, v in params.items()
        if not isinstance(v, (dict, list, bool)) and v is not None and _norm_key(str(k)) not in skip]
    segments = urlsplit(call.url).path.split("/")
    slots += [("path", str(i), unquote(seg)) for i, seg in enumerate(segments) if i and seg]
    for place, key, value in slots:
        sent = str(value)
        if not sent or sent.lower() in ("0", "1", "true", "false", "null"):
            continue
        for asked, answer in answers:
            for records in record_lists(answer):
                for field_name in _id_fields(records, sent, key if place != "path" else ""):
                    if endpoint(asked) == endpoint(call) and str(records[-1].get(field_name)) == sent:
                        continue  # the last record of the list's page before: a cursor, not a choice
                    chosen = next(r for r in records if str(r.get(field_name)) == sent)
                    return IdSlot(place, key, value, field_name, endpoint(asked)), records, chosen
    return None


def choices(call: ApiCall, chosen: str, values: list[str]) -> list[tuple[ApiCall, str]]:
    """The same request for each other option of a ``<select>`` whose chosen value one of its
    parameters carries (``?nd=2024`` with 2024 chosen among 2024, 2023, 2022): (call, value) pairs.
    Paging parameters, callbacks and cache-busters are never taken for one; nor is a value of one
    character (a flag, a page), which too many parameters share by chance."""
    located = _params(call)
    if located is None or len(chosen) < 2:
        return []
    where, params = located
    skip = set(_PAGE_KEYS) | set(_OFFSET_KEYS) | set(_SIZE_KEYS) | _NOT_SUBSTITUTED
    for key, value in params.items():
        if isinstance(value, (dict, list, bool)) or value is None or _norm_key(str(key)) in skip:
            continue
        if str(value) == chosen:
            return [(_with_param(call, where, str(key), other, value), other)
                    for other in dict.fromkeys(values) if other and other != chosen]
    return []


def record_name(record: dict[str, Any]) -> str:
    """What a record is called: its title, else the body it names."""
    return title_of(record) or _department_of(record)


def siblings(
    call: ApiCall, answers: list[tuple[ApiCall, Any]], *, limit: int = MAX_SIBLINGS
) -> tuple[list[tuple[ApiCall, str]], bool]:
    """The same request for each other record of the list one of its parameters was taken from.

    A click on a record (a department, a year, a file) asks ``…?deptId=<its id>`` (or
    ``…/file/<its id>``): when a parameter's value, or a segment of the path, is an identifier field
    of exactly one record of a list in ``answers`` (`id_slot`), the request is made again with each
    other record's value: (call, the record's title) pairs, the call itself first, then at most
    ``limit`` others (and whether ``limit`` cut them short).
    """
    found = id_slot(call, answers)
    if found is None:
        return [], False
    slot, records, chosen = found
    out = [(nxt, record_name(r)) for r in records if r is not chosen
           if (nxt := slot.asking(call, r)) is not None]
    return [(call, record_name(chosen)), *out[:limit]], len(out) > limit


def endpoint(call: ApiCall) -> tuple[str, str]:
    """What two requests of one list API share: the method and the URL without its query."""
    return call.method, urlsplit(call.url)._replace(query="", fragment="").geturl()


def _id_fields(records: list[dict[str, Any]], sent: str, key: str) -> Iterator[str]:
    """Fields of ``records`` that identify them and hold ``sent`` in exactly one of them."""
    if len(records) < 2:
        return
    names = dict.fromkeys(k for r in records for k in r)
    for name in names:
        values = [r.get(name) for r in records]
        if any(isinstance(v, (dict, list, bool)) or v is None for v in values):
            continue
        texts = [str(v) for v in values]
        if texts.count(sent) != 1 or len(set(texts)) != len(texts):
            continue
        if len(sent) >= 3 or _ID_KEY.search(_norm_key(name)) or _ID_KEY.search(_norm_key(key)):
            yield name


def _with_param(call: ApiCall, where: str, key: str, value: Any, like: Any) -> ApiCall:
    """``call`` with parameter ``key`` set to ``value`` (a number stays a number in a JSON body); for
    ``where="path"``, ``key`` is the index of the path segment replaced."""
    if where == "path":
        parts = urlsplit(call.url)
        segments = parts.path.split("/")
        segments[int(key)] = quote(str(value), safe="")
        return replace(call, url=urlunsplit(parts._replace(path="/".join(segments))))
    if where == "json":
        body = json.loads(call.body)
        body[key] = value if not isinstance(like, str) else str(value)
        return replace(call, body=json.dumps(body, ensure_ascii=False, separators=(",", ":")))
    pairs = parse_qsl(urlsplit(call.url).query if where == "query" else call.body, keep_blank_values=True)
    pairs = [(k, str(value) if k == key else v) for k, v in pairs]
    if where == "form":
        return replace(call, body=urlencode(pairs))
    parts = urlsplit(call.url)
    return replace(call, url=urlunsplit(parts._replace(query=urlencode(pairs, safe=",:/"))))


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,9}\s*", value):
        return int(value)
    return None


def _as_flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1", "true", "false", "True", "False"):
        return str(value).lower() in ("1", "true")
    return None


def _scalars(data: Any, records: list[Any]) -> dict[str, Any]:
    """The answer's scalar fields outside its records, by normalised key (the shallowest wins)."""
    out: dict[str, Any] = {}
    queue: list[tuple[Any, int]] = [(data, 0)]
    while queue:
        node, depth = queue.pop(0)
        if node is records or depth > 4:
            continue
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    queue.append((value, depth + 1))
                else:
                    out.setdefault(_norm_key(str(key)), value)
    return out


def _params(call: ApiCall) -> tuple[str, dict[str, Any]] | None:
    """Where a call carries its parameters, and them (keys as sent)."""
    kind = call.body_kind
    if kind == "json":
        try:
            body = json.loads(call.body)
        except ValueError:
            return None
        return ("json", body) if isinstance(body, dict) else None
    if kind == "form":
        return "form", dict(parse_qsl(call.body, keep_blank_values=True))
    if kind == "none":
        return "query", dict(parse_qsl(urlsplit(call.url).query, keep_blank_values=True))
    return None


def _find(params: dict[str, Any], names: tuple[str, ...]) -> tuple[str, int] | None:
    """The first parameter (in ``names`` order) with an integer value: (key as sent, value)."""
    by_norm = {_norm_key(str(k)): k for k in params}
    for name in names:
        key = by_norm.get(name)
        if key is not None and _as_int(params[key]) is not None:
            return key, _as_int(params[key])  # type: ignore[return-value]
    return None


def _nested(params: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """A JSON body's own level, then its objects one level down (``{"page": {"pageNo": 1}}``)."""
    yield "", params
    for key, value in params.items():
        if isinstance(value, dict):
            yield str(key), value


@dataclass(frozen=True)
class _Totals:
    records: int | None
    pages: int | None
    more: bool | None


def _totals(data: Any, records: list[Any]) -> _Totals:
    """What an answer says of the whole list: its records, its pages, whether more follow."""
    scalars = _scalars(data, records)

    def number(keys: tuple[str, ...]) -> int | None:
        return next((n for k in keys if (n := _as_int(scalars.get(k))) is not None), None)

    total_records, total_pages = number(_TOTAL_KEYS), number(_PAGES_KEYS)
    if total_records is not None and 0 < total_records < len(records):  # a "total" of pages (jqGrid)
        total_pages, total_records = total_pages or total_records, None
    return _Totals(total_records, total_pages, has_more(data, records))


def more_than_shown(data: Any) -> bool:
    """The answer is one page of a longer list: a has-more flag set, or a total beyond its records."""
    records = records_of(data)
    if not records:
        return False
    totals = _totals(data, records)
    return bool(totals.more) or (totals.records or 0) > len(records) or (totals.pages or 0) > 1


def infer_paging(call: ApiCall, data: Any) -> Paging | None:
    """How to ask a list API for its other pages, when its answer says there are more.

    The answer must hold records and a total (records or pages) beyond them, or a has-more flag
    set, or, telling neither, be a full page (as many records as the request asked for); the
    parameter is the request's page number or offset, else the page number the answer echoes (added
    to the request as the request would carry it).
    """
    records = records_of(data)
    located = _params(call)
    if not records or located is None:
        return None
    where, params = located
    found: tuple[str, str, int, str] | None = None  # (style, key, value, size key)
    size_key, size = "", 0
    for prefix, level in _nested(params) if where == "json" else [("", params)]:
        page, offset = _find(level, _PAGE_KEYS), _find(level, _OFFSET_KEYS)
        sized = _find(level, _SIZE_KEYS)
        if sized is not None:
            size_key = f"{prefix}.{sized[0]}" if prefix else sized[0]
            size = sized[1]
        if page is not None and (offset is None or sized is None or page[0] != sized[0]):
            found = ("page", f"{prefix}.{page[0]}" if prefix else page[0], page[1], size_key)
            break
        if offset is not None and sized is not None:
            found = ("offset", f"{prefix}.{offset[0]}" if prefix else offset[0], offset[1], size_key)
            break
    echoed_only = found is None
    if found is None:  # the answer echoes its page number: ask for the next one the same way
        scalars = _scalars(data, records)
        for name in _PAGE_KEYS:
            value = _as_int(scalars.get(name))
            if value is not None and name not in ("p", "pn", "curr"):
                echoed = next((str(k) for k in _keys(data) if _norm_key(str(k)) == name), name)
                found = ("page", echoed, value, "")
                break
        if found is None:
            return None
    style, key, current, size_key = found
    totals = _totals(data, records)
    if totals.more is None and totals.records is None and totals.pages is None and not echoed_only:
        # nothing says how long the list is: a full page (as many records as asked for, or a good
        # many when the size is not asked) is taken for one of several, walked until a short page
        full = len(records) >= size if size > 0 else len(records) >= _FULL_PAGE
        totals = _Totals(None, None, True if full else None)
    return _paging(where, key, style, current, size if size > 0 else len(records), size_key, totals)


def paging_in_request(call: ApiCall) -> Paging | None:
    """The page number or offset a request asks for (``pageIndex=1``, ``start=0&limit=10``, in its
    query, form or JSON body), as a paging of unknown length: for a list whose answer tells nothing
    of its length (an HTML fragment), walked one page after another."""
    located = _params(call)
    if located is None:
        return None
    where, params = located
    size_key, size = "", 0
    for prefix, level in _nested(params) if where == "json" else [("", params)]:
        page, offset, sized = _find(level, _PAGE_KEYS), _find(level, _OFFSET_KEYS), _find(level, _SIZE_KEYS)
        if sized is not None:
            size_key, size = (f"{prefix}.{sized[0]}" if prefix else sized[0]), sized[1]
        if page is not None and (sized is None or page[0] != sized[0]):
            key = f"{prefix}.{page[0]}" if prefix else page[0]
            return Paging(where, key, "page", page[1], size, None, 0 if page[1] == 0 else 1, size_key)
        if offset is not None and sized is not None and sized[1] > 0:
            key = f"{prefix}.{offset[0]}" if prefix else offset[0]
            return Paging(where, key, "offset", offset[1], size, None, 1, size_key)
    return None


def _paging(where: str, key: str, style: str, current: int, size: int, size_key: str,
            totals: _Totals) -> Paging | None:
    """The paging of a list whose parameter is known, if its answer says more pages follow."""
    total_pages = totals.pages
    if style == "page" and total_pages is None and totals.records is not None and size:
        total_pages = math.ceil(totals.records / size)
    first = 0 if style == "page" and current == 0 else 1
    last: int | None = None
    if style == "page" and total_pages is not None:
        last = total_pages - 1 if first == 0 else total_pages
    elif style == "offset" and totals.records is not None and size:
        last = (math.ceil(totals.records / size) - 1) * size + (current % size)
    elif style == "offset" and total_pages is not None and size:
        last = (total_pages - 1) * size + (current % size)
    if last is None and not totals.more:
        return None
    if last is not None and last <= current and not totals.more:
        return None
    return Paging(where, key, style, current, size, last, first, size_key)


def paging_from_pair(first: ApiCall, first_data: Any, second: ApiCall, second_data: Any) -> Paging | None:
    """The paging two requests of one list show (a first page, then what "load more" asked for).

    They must go to the same endpoint and differ in one parameter (callbacks and cache-busters
    aside): a number one more than before (or 2, absent before) is a page number, one a page's
    records more (or that many, absent before) an offset, and a value the first page's last record
    holds a cursor (``cursor`` names that record's field). Paging goes on from the second request.
    """
    if endpoint(first) != endpoint(second):
        return None
    a, b = _params(first), _params(second)
    if a is None or b is None or a[0] != b[0]:
        return None
    where = b[0]
    changed = [k for k in dict.fromkeys([*a[1], *b[1]])
               if a[1].get(k) != b[1].get(k) and _norm_key(str(k)) not in _NOT_SUBSTITUTED]
    records, later = records_of(first_data), records_of(second_data)
    if len(changed) != 1 or changed[0] not in b[1] or not records:
        return None
    key = str(changed[0])
    before, after = _as_int(a[1].get(key, None)), _as_int(b[1][key])
    size = len(records)
    sized = _find(b[1], _SIZE_KEYS)
    size_key = sized[0] if sized else ""
    totals = _totals(second_data, later) if later else _Totals(None, None, False)
    next_page = (before is None and after == 2) or (before is not None and after == before + 1)
    if after is not None and next_page:
        return _paging(where, key, "page", after, sized[1] if sized else size, size_key, totals)
    if after is not None and after == (before or 0) + size:
        return _paging(where, key, "offset", after, size, size_key, totals)
    last = records[-1] if isinstance(records[-1], dict) else {}
    cursor = next((str(f) for f, v in last.items() if not isinstance(v, (dict, list)) and v is not None
                   and str(v) == str(b[1][key]) and str(v) not in ("0", "1")), "")
    if cursor and later and totals.more is not False:
        return Paging(where, key, "cursor", 0, size, None, 1, size_key, cursor)
    return None


_NEXT_KEYS = frozenset(("next", "nexturl", "nextlink", "nexthref", "nextpageurl", "nextpagelink", "nextpage"))


def next_link(call: ApiCall, data: Any) -> str | None:
    """The next page's URL when the answer links it (``{"next": "…?page=2"}``, HAL's
    ``_links.next.href``, JSON:API's ``links.next``) and it is a page of the same list API."""
    if call.method != "GET" or not records_of(data):
        return None
    queue: list[tuple[Any, int]] = [(data, 0)]
    while queue:
        node, depth = queue.pop(0)
        if not isinstance(node, dict) or depth > 3:
            continue
        for key, value in node.items():
            if _norm_key(str(key)) in _NEXT_KEYS:
                if isinstance(value, dict):
                    value = value.get("href") or value.get("url")
                if isinstance(value, str) and value.strip() and not value.strip().startswith("#"):
                    url = urljoin(call.url, value.strip())
                    if url != call.url and endpoint(ApiCall(url)) == endpoint(call):
                        return url
            elif isinstance(value, dict):
                queue.append((value, depth + 1))
    return None


def _keys(data: Any) -> Iterator[str]:
    queue = [data]
    while queue:
        node = queue.pop(0)
        if isinstance(node, dict):
            yield from (str(k) for k in node)
            queue.extend(v for v in node.values() if isinstance(v, dict))


def has_more(data: Any, records: list[Any]) -> bool | None:
    """What a has-more (or is-last) flag of an answer says; None without one."""
    scalars = _scalars(data, records)
    more = next((f for k in _MORE_KEYS if (f := _as_flag(scalars.get(k))) is not None), None)
    if more is not None:
        return more
    last = next((f for k in _LAST_KEYS if (f := _as_flag(scalars.get(k))) is not None), None)
    return None if last is None else not last


def with_page(call: ApiCall, paging: Paging, value: Any) -> ApiCall:
    """The same request asking for page (or offset) ``value``, its other parameters as they were."""
    if paging.where == "query":
        parts = urlsplit(call.url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        if any(k == paging.key for k, _ in pairs):
            pairs = [(k, str(value) if k == paging.key else v) for k, v in pairs]
        else:
            pairs.append((paging.key, str(value)))
        return replace(call, url=urlunsplit(parts._replace(query=urlencode(pairs, safe=",:/"))))
    if paging.where == "form":
        pairs = parse_qsl(call.body, keep_blank_values=True)
        if any(k == paging.key for k, _ in pairs):
            pairs = [(k, str(value) if k == paging.key else v) for k, v in pairs]
        else:
            pairs.append((paging.key, str(value)))
        return replace(call, body=urlencode(pairs))
    body = json.loads(call.body) if call.body else {}
    target, _, leaf = paging.key.rpartition(".")
    holder = body.get(target, {}) if target else body
    old = holder.get(leaf)
    holder[leaf] = str(value) if isinstance(old, str) else value
    return replace(call, body=json.dumps(body, ensure_ascii=False, separators=(",", ":")))


def fingerprint(records: list[Any]) -> str:
    """A short digest of a page's records: two pages alike mean the server ignores the parameter."""
    text = json.dumps(records, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]
