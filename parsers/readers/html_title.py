"""An HTML page's title: the article's heading, never the portal's name.

A portal's `<title>` is often its own name (`XX市人民政府门户网站`, `XX区政府信息公开`) or the article's
title with the portal's name appended (`XX局2021年部门预算公开_XX区人民政府`). The portal's name says
nothing about the document, so it is dropped; what names the document is preferred, in this order:
the CMS's `ArticleTitle` meta (TRS and Hanweb publish one), the `<title>`'s other parts, the page's
first `<h1>`-`<h3>`. A part that names a year, 预算 or 决算 wins over one that does not.
"""

from __future__ import annotations

import re
from typing import Any

# the name of a portal or of one of its sections, not of a document
GENERIC = re.compile(
    r"(门户网站?|政府网站?|网站|人民政府|人民政府办公室|政府信息公开(平台|网|专栏)?|信息公开(平台|网|专栏|目录)?|"
    r"政务公开|政务服务网|官方网站|官网|首页|主页|网站首页|欢迎您?|正文|详情|内容页|文章页)$"
)
_PARTS = re.compile(r"\s*(?:_|\||｜|--|—+|–|\s-\s|>|»|·)\s*")
_NAMES_DOCUMENT = re.compile(r"20\d{2}|预算|决算")
MAX_TITLE = 120


def page_title(root: Any) -> str | None:
    """The document title an lxml HTML tree carries (None when it carries only the portal's name)."""
    candidates: list[str] = []
    for meta in root.iterfind(".//meta"):
        if (meta.get("name") or "").lower() == "articletitle":
            candidates.append(_text(meta.get("content") or ""))
    if (title_el := root.find(".//title")) is not None:
        candidates.append(title_part(_text(title_el.text_content())) or "")
    for tag in ("h1", "h2", "h3"):
        candidates += [_text(h.text_content()) for h in root.iterfind(f".//body//{tag}")][:2]
    kept = [c for c in candidates if c and len(c) <= MAX_TITLE and not GENERIC.search(c)]
    return next((c for c in kept if _NAMES_DOCUMENT.search(c)), kept[0] if kept else None)


def title_part(title: str) -> str | None:
    """The `<title>` without the portal's name (`…部门预算公开_XX区人民政府` → `…部门预算公开`)."""
    parts = [" ".join(w for w in p.split() if _NAMES_DOCUMENT.search(w) or not GENERIC.search(w))
             for p in _PARTS.split(title)]  # `财政信息 广东省人民政府门户网站`: the name after a space too
    parts = [p for p in parts if p]
    if not parts:
        return None
    naming = [p for p in parts if _NAMES_DOCUMENT.search(p)]
    return naming[0] if naming else parts[0]


def _text(text: str) -> str:
    return " ".join(text.split())
