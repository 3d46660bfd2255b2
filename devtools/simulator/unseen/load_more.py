"""深圳 (/sz/): an ES-module feed paged by offset behind a 加载更多 button; files open from click handlers.

Layout under the site root:
  index.html                                  shell: ``<main id="mount">`` and one ``<script type="module">``
  app/boot.mjs                                the app: asks ``bff/bootstrap`` for its endpoints
  bff/bootstrap                               {"feed", "asset", "limit"}
  bff/disclosure/feed?offset=<n>&limit=<n>    {"ok": true, "items": [{"id", "heading", "org", "date",
                                              "assets": [{"label", "assetId"}]}], "hasMore"}
  bff/asset/<assetId>                         files, named only in ``Content-Disposition``
No file is an ``<a href>``: each is a ``<button data-asset>`` whose click calls ``location.assign``.
Four items a load in the app, at most eight from the server; every load after the first needs a click.
"""

from __future__ import annotations

import hashlib

from govbudget.simulator.dynamic import Lookup, Reply, SimRequest
from govbudget.simulator.sites import RenderedSite, Resource, Site
from govbudget.simulator.unseen.common import (
    day,
    file_resource,
    int_arg,
    json_reply,
    newest,
    script,
    shell,
    window,
)
from govbudget.simulator.unseen.content import entries

FAMILY = "load_more"
APP = "app/boot.mjs"
BOOTSTRAP = "bff/bootstrap"
FEED = "bff/disclosure/feed"
ASSET = "bff/asset/"
LIMIT, MAX_LIMIT = 4, 8
MARKERS = (BOOTSTRAP, FEED, "bff/asset", "boot.mjs")

SCRIPT = """const boot = await fetch(new URL("../%(bootstrap)s", import.meta.url)).then((r) => r.json());
const mount = document.getElementById("mount");
const cards = document.createElement("div");
cards.className = "cards";
const more = document.createElement("button");
more.type = "button";
more.id = "load-more";
more.textContent = "加载更多";
mount.append(cards, more);
let offset = 0;

async function next() {
  more.disabled = true;
  const res = await fetch(`${boot.feed}?offset=${offset}&limit=${boot.limit}`).then((r) => r.json());
  for (const item of res.items) {
    const card = document.createElement("article");
    card.className = "card";
    const h = document.createElement("h3");
    h.textContent = item.heading;
    const meta = document.createElement("p");
    meta.textContent = `${item.org} · ${item.date}`;
    const assets = document.createElement("div");
    assets.className = "assets";
    for (const asset of item.assets) {
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.asset = asset.assetId;
      b.textContent = asset.label;
      assets.append(b);
    }
    card.append(h, meta, assets);
    cards.append(card);
  }
  offset += res.items.length;
  more.hidden = !res.hasMore;
  more.disabled = false;
  mount.dataset.offset = String(offset);
  mount.dataset.done = res.hasMore ? "" : "1";
}

cards.addEventListener("click", (e) => {
  const b = e.target.closest("button[data-asset]");
  if (b) window.location.assign(boot.asset + b.dataset.asset);
});
more.addEventListener("click", next);
await next();
"""


def render(site: Site) -> RenderedSite:
    out = RenderedSite(site)
    root = site.root
    articles = [art for _, art in entries(site)]
    assets: dict[str, Resource] = {}
    items: list[dict[str, object]] = []
    for art in articles:
        listed = []
        for n, att in enumerate(art.attachments):
            asset_id = hashlib.sha256(f"{site.prefix}:{art.article_id}:{n}".encode()).hexdigest()[:12]
            assets[asset_id] = file_resource(art, att, servlet=True)
            out.resources[f"{root}{ASSET}{asset_id}"] = assets[asset_id]
            listed.append({"label": att.link_text, "assetId": asset_id})
        items.append({"id": str(art.article_id), "heading": art.title, "org": art.source, "date": day(art),
                      "assets": listed})
    out.resources[f"{root}index.html"] = shell(
        site, f'<main id="mount" class="feed"></main>\n<script type="module" src="{root}{APP}"></script>')
    out.resources[f"{root}{APP}"] = script(SCRIPT % {"bootstrap": BOOTSTRAP}, site,
                                           "text/javascript; charset=utf-8")
    modified = newest(articles, site)
    boot = {"feed": f"{root}{FEED}", "asset": f"{root}{ASSET}", "limit": LIMIT}

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        if req.path == f"{root}{BOOTSTRAP}":
            return json_reply(boot, site.epoch)
        if req.path != f"{root}{FEED}":
            return None
        offset = int_arg(req, "offset", 0, 0, 100_000)
        limit = int_arg(req, "limit", LIMIT, 1, MAX_LIMIT)
        if offset is None or limit is None:
            return json_reply({"ok": False, "error": "bad offset or limit"}, modified, status=400)
        return json_reply({"ok": True, "items": window(items, offset, limit),
                           "hasMore": offset + limit < len(items)}, modified)

    out.handler = handle
    return out
