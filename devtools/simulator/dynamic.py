"""Requests and replies for sites that are more than static files.

Real portals answer POSTs (Hanweb's ``dataproxy.jsp``, ASP.NET post-backs), redirect through
download servlets, gate every URL behind a cookie challenge or rate-limit bursts. A family's renderer
can hand the server a ``Handler`` for its site: it sees each request first and either answers it or
returns None so the static files are served.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from govbudget.simulator.sites import Resource


@dataclass(frozen=True)
class SimRequest:
    """One request as a handler sees it: path without the query, parsed query and form, cookies."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def arg(self, name: str, default: str = "") -> str:
        """A query or form value (first one)."""
        return (self.query.get(name) or self.form.get(name) or [default])[0]

    @property
    def cookies(self) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(self.headers.get("cookie", ""))
        except Exception:
            return {}
        return {k: m.value for k, m in jar.items()}


@dataclass(frozen=True)
class Reply:
    """A handler's answer. With `resource` set, the server serves it with validators (ETag, 304)."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    resource: Resource | None = None
    declared_length: int | None = field(default=None)


Lookup = Callable[[str], Resource | None]
Handler = Callable[[SimRequest, Lookup], Reply | None]


def chain(*handlers: Handler | None) -> Handler:
    """A handler trying each of `handlers` in turn (gates first, then servlets)."""
    present = [h for h in handlers if h is not None]

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        for h in present:
            reply = h(req, lookup)
            if reply is not None:
                return reply
        return None

    return handle
