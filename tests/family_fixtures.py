"""Saved family pages as Scrapy responses, and a Context whose callbacks tests can recognise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse

from govbudget.crawler.families import Context

FAMILY_DATA = Path(__file__).parent / "data" / "families"


def on_page(response: Response) -> None:
    """Stands for the spider's page callback."""


def on_json(response: Response) -> None:
    """Stands for the spider's JSON callback."""


def context(**kwargs: Any) -> Context:
    return Context(on_page=on_page, on_json=on_json, **kwargs)


def saved_page(family: str, name: str, url: str, *, meta: dict[str, Any] | None = None) -> HtmlResponse:
    """A saved page of ``family`` as the response to a GET of ``url``; its encoding read from its bytes."""
    body = (FAMILY_DATA / family / name).read_bytes()
    return HtmlResponse(url, body=body, request=Request(url, meta=meta or {}))


def answer(request: Request, body: bytes, content_type: str = "application/json") -> TextResponse:
    """The response a request would get (its meta travels with it, as in a crawl)."""
    return TextResponse(request.url, body=body, headers={"Content-Type": content_type},
                        encoding="utf-8", request=request)
