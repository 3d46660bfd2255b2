"""Hostile and odd behaviour on one plain site: the edges a crawler meets on real portals.

- soft 404: any unknown path answers 200 with the home page;
- the budget list answers 429 with ``Retry-After: 1`` to every other request;
- one file fails twice with 503, then works;
- an ``.xls`` that is an HTML table; a ZIP holding two disclosures; a file linked from two articles;
- links that redirect to private, link-local and loopback-looking addresses (``go.jsp?url=``);
- a file announcing 300 MB (past any size cap): only its headers may be read;
- a preview column (``preview/``) that looks like a budget list but robots.txt forbids: a crawler
  obeying robots never requests it.
"""

from __future__ import annotations

import threading
from collections import Counter
from urllib.parse import quote

from govbudget.simulator import plain_site
from govbudget.simulator.dynamic import Lookup, Reply, SimRequest
from govbudget.simulator.layout import BUDGET_SLUG
from govbudget.simulator.sites import RenderedSite, Resource, Site

FAMILY = "edge_cases"
PRIVATE_TARGETS = (
    "http://169.254.169.254/latest/meta-data/budget.pdf",
    "http://10.0.0.8/yjsgk/2023.pdf",
    "http://192.168.1.10/czyjs/2023.pdf",
)
OVERSIZE_BYTES = 300 * 1024 * 1024
PREVIEW_SLUG = "preview"
PREVIEW_TITLE = "保定市2024年部门预算公开（内部预览）"


def redirect_path(site: Site, target: str) -> str:
    return f"{site.root}go.jsp?url={quote(target, safe='')}"


def oversize_path(site: Site) -> str:
    return f"{site.root}{BUDGET_SLUG}/files/W020230301000000000001.pdf"


def preview_path(site: Site) -> str:
    """The robots-forbidden column (linked from the budget list)."""
    return f"{site.root}{PREVIEW_SLUG}/"


def _preview(site: Site, out: RenderedSite) -> None:
    """A budget-looking list and file under a path robots.txt disallows; both are decoys."""
    root = preview_path(site)
    name = "保定市财政局2024年部门预算（预览稿）"
    link = f'<li><a href="{root}files/W020240101000000000099.pdf">{name}</a></li>'
    html = plain_site.page(site, PREVIEW_TITLE, f"<h2>{PREVIEW_TITLE}</h2><ul>{link}</ul>")
    out.resources[f"{root}index.html"] = Resource(html, plain_site.HTML, site.epoch, decoy=True)
    out.resources[f"{root}files/W020240101000000000099.pdf"] = Resource(
        b"%PDF-1.4\n% preview draft, not published\n%%EOF\n", "application/pdf", site.epoch, decoy=True)
    out.robots_disallow.append(root)


def render(site: Site, *, flaky_path: str) -> RenderedSite:
    out = plain_site.render(site)
    _preview(site, out)
    home = out.resources[f"{site.root}index.html"]
    list_path = f"{site.root}{BUDGET_SLUG}/index.html"
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        path = req.path + "index.html" if req.path.endswith("/") else req.path
        with lock:
            counts[path] += 1
            n = counts[path]
        if path == f"{site.root}go.jsp":
            return Reply(302, b"", None, (("Location", req.arg("url")),))
        if path == oversize_path(site):
            return Reply(200, b"%PDF-1.7\n" + b"0" * 1024, "application/pdf", declared_length=OVERSIZE_BYTES)
        if path == list_path and n % 2 == 1:
            return Reply(429, b"Too Many Requests", "text/plain", (("Retry-After", "1"),))
        if path == flaky_path and n <= 2:
            return Reply(503, b"Service Unavailable", "text/plain")
        if lookup(path) is None and lookup(path + "/index.html") is None:
            return Reply(resource=home)  # soft 404: the home page, status 200
        return None

    out.handler = handle
    return out
