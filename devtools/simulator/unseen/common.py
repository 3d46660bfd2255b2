"""What the unseen platforms share: shell pages without links, JSON replies with validators, paging."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar
from urllib.parse import quote

from govbudget.simulator.dynamic import Reply, SimRequest
from govbudget.simulator.markup import escape
from govbudget.simulator.sites import CONTENT_TYPES, Article, Attachment, Resource, Site

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"
JS = "application/javascript; charset=utf-8"
NOSCRIPT = "<noscript>本平台需要启用 JavaScript 才能浏览，请开启 JavaScript 后刷新页面。</noscript>"
T = TypeVar("T")


def content_type(att: Attachment) -> str:
    return {**CONTENT_TYPES, "png": "image/png"}.get(att.fmt, "application/octet-stream")


def shell(site: Site, body: str, head: str = "") -> Resource:
    """An app shell: title, a `<noscript>` asking for JavaScript, the mount node and scripts in `body`."""
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(site.name)}</title>
<meta name="SiteName" content="{escape(site.name)}">{head}
</head><body>
{NOSCRIPT}
{body}
</body></html>
"""
    return Resource(page.encode("utf-8"), HTML, site.epoch)


def script(source: str, site: Site, content_type: str = JS) -> Resource:
    return Resource(source.encode("utf-8"), content_type, site.epoch)


def file_resource(article: Article, att: Attachment, *, servlet: bool = False) -> Resource:
    """A file; a download servlet names it in `Content-Disposition` (its URL has no name)."""
    named = f"attachment; filename*=UTF-8''{quote(att.link_text)}"
    headers = (("Content-Disposition", named),) if servlet else ()
    return Resource(att.data, content_type(att), article.published_at, document=att.document,
                    decoy=att.document is None, headers=headers)


def newest(articles: Sequence[Article], site: Site) -> datetime:
    return max((a.published_at for a in articles), default=site.epoch)


def json_reply(data: object, modified: datetime, *, status: int = 200) -> Reply:
    """A JSON body served with validators (ETag, Last-Modified), so a re-crawl can get a 304."""
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    if status != 200:
        return Reply(status, body, JSON)
    return Reply(resource=Resource(body, JSON, modified))


def int_arg(req: SimRequest | dict[str, object], name: str, default: int, low: int, high: int) -> int | None:
    """An integer parameter clamped to [low, high]; None when it is not a number."""
    raw = req.get(name, default) if isinstance(req, dict) else req.arg(name, str(default))
    try:
        value = int(str(raw))
    except ValueError:
        return None
    return min(max(value, low), high)


def window(items: Sequence[T], start: int, size: int) -> list[T]:
    return list(items[start:start + size])


def day(article: Article) -> str:
    return f"{article.pub_date:%Y-%m-%d}"
