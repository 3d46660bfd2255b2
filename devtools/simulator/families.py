"""Registry of site renderers by CMS family: a new family adds one module and one line here."""

from __future__ import annotations

from collections.abc import Callable

from govbudget.simulator import (
    aspnet_site,
    fragment_site,
    gated_site,
    gkmlpt_site,
    hanweb_site,
    js_site,
    plain_site,
    query_site,
    select_site,
    spa_site,
    tree_site,
    trs_site,
    yjsgk_site,
)
from govbudget.simulator.sites import RenderedSite, Site
from govbudget.simulator.unseen import RENDERERS as UNSEEN_RENDERERS

Renderer = Callable[[Site], RenderedSite]
IFRAME_FAMILY = "iframe_list"
PLAIN_FAMILY = "plain_cms"


def _edge(site: Site) -> RenderedSite:
    from govbudget.simulator import edge_site
    from govbudget.simulator.portals import edge_flaky_path

    return edge_site.render(site, flaky_path=edge_flaky_path(site))


RENDERERS: dict[str, Renderer] = {
    trs_site.FAMILY: trs_site.render,
    js_site.FAMILY: js_site.render,
    hanweb_site.FAMILY: hanweb_site.render,
    spa_site.FAMILY: spa_site.render,
    aspnet_site.FAMILY: aspnet_site.render,
    gkmlpt_site.FAMILY: gkmlpt_site.render,
    yjsgk_site.FAMILY: yjsgk_site.render,
    fragment_site.FAMILY: fragment_site.render,
    tree_site.FAMILY: tree_site.render,
    query_site.FAMILY: query_site.render,
    select_site.FAMILY: select_site.render,
    select_site.ENCODED_FAMILY: select_site.render_encoded,
    IFRAME_FAMILY: lambda site: plain_site.render(site, frame_list=True),
    PLAIN_FAMILY: plain_site.render,
    gated_site.RS_FAMILY: gated_site.render_rs,
    gated_site.JSL_FAMILY: gated_site.render_jsl,
    "edge_cases": _edge,
    **UNSEEN_RENDERERS,  # the unseen suite's platforms, mounted only by PortalSimulator(suite="unseen")
}


def render_site(site: Site) -> RenderedSite:
    try:
        renderer = RENDERERS[site.family]
    except KeyError:
        raise ValueError(f"no renderer for site family {site.family!r} (site /{site.prefix}/)") from None
    return renderer(site)
