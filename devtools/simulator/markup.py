"""Small HTML helpers shared by the family renderers (escaping, relative links, CMS meta tags)."""

from __future__ import annotations

import posixpath
from html import escape

__all__ = ["cms_meta", "escape", "rel"]


def rel(from_dir: str, target: str) -> str:
    """Relative link from a page in site folder `from_dir` to site path `target`, TRS style ('./', '../').

    Static publishing systems write relative links, so a crawler must resolve them against the page URL.
    """
    is_dir = target == "" or target.endswith("/")
    path = posixpath.relpath("/" + target.rstrip("/"), "/" + from_dir.strip("/"))
    if path == ".":
        return "./"
    if not path.startswith("."):
        path = "./" + path
    return path + "/" if is_dir else path


def cms_meta(**fields: str) -> str:
    """`<meta name=… content=…>` lines; nearly every Chinese government CMS emits these."""
    return "\n".join(f'<meta name="{name}" content="{escape(value)}">'
                     for name, value in fields.items() if value)
