"""Unified budget platform: a single-page app over a JSON chain, files by a download servlet.

The shell page carries its config inline (``window.__YJSGK__ = {api, download, code}``); the app
asks ``departments?code=`` → ``years`` → ``files?dept=&year=`` and links ``download?iid=``. Each step
is a JSON request of this family, answered back to it with the state it needs; years before
``MIN_FISCAL_YEAR`` (and other than the crawl's fiscal year, when it has one) are not asked for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response

from govbudget.crawler.families.base import Context, Link, asked_for, json_body
from govbudget.crawler.link_policy import MIN_FISCAL_YEAR

_PLATFORM = re.compile(r"window\.__YJSGK__\s*=\s*(\{.*?\})\s*;", re.S)


class SpaPlatform:
    """The shell's config, then departments → years → files, one JSON step at a time."""

    name = "spa_platform"

    def matches(self, response: Response) -> bool:
        return platform_config(response.text, response.url) is not None  # type: ignore[attr-defined]

    def requests(self, response: Response, ctx: Context) -> Iterator[scrapy.Request | Link]:
        state = asked_for(response)
        if state is None:
            cfg = platform_config(response.text, response.url)  # type: ignore[attr-defined]
            if cfg is not None:
                yield self._step(ctx, response, "departments", f"departments?code={cfg['code']}", cfg=cfg)
            return
        data, cfg = json_body(response), state["cfg"]
        if not isinstance(data, list):
            return
        if state["step"] == "departments":
            ids = [str(d.get("id")) for d in data if isinstance(d, dict) and d.get("id") is not None]
            yield self._step(ctx, response, "years", "years", cfg=cfg, depts=ids)
        elif state["step"] == "years":
            wanted = [int(y) for y in data if str(y).isdigit() and int(y) >= MIN_FISCAL_YEAR
                      and (ctx.fiscal_year is None or int(y) == ctx.fiscal_year)]
            for dept in state["depts"]:
                for year in wanted:
                    yield self._step(ctx, response, "files", f"files?dept={dept}&year={year}", cfg=cfg)
        elif state["step"] == "files":
            for f in data:
                if isinstance(f, dict) and f.get("iid"):
                    yield Link(str(f.get("fileName") or ""), f"{cfg['download']}?iid={f.get('iid')}")

    def _step(self, ctx: Context, response: Response, step: str, path: str, **state: Any) -> scrapy.Request:
        return ctx.json(f"{state['cfg']['api']}{path}", family=self.name, referrer=response.url,
                        state={"step": step, **state})


def platform_config(html: str, page_url: str) -> dict[str, str] | None:
    """The platform's config (API base, download servlet, division code), if the page has one."""
    match = _PLATFORM.search(html)
    if not match:
        return None
    try:
        cfg = json.loads(match.group(1))
    except json.JSONDecodeError:
        return None
    if not isinstance(cfg, dict) or not all(isinstance(cfg.get(k), str) for k in ("api", "download", "code")):
        return None
    return {
        "api": urljoin(page_url, cfg["api"]),
        "download": urljoin(page_url, cfg["download"]),
        "code": cfg["code"],
    }


FAMILY = SpaPlatform()
