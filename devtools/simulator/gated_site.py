"""Families behind a challenge: a plain CMS gated by the 412 (瑞数) or the 521 (加速乐) cookie gate."""

from __future__ import annotations

from govbudget.simulator import gates, plain_site
from govbudget.simulator.sites import RenderedSite, Site

RS_FAMILY = "rs_412"
JSL_FAMILY = "jsl_521"


def render_rs(site: Site) -> RenderedSite:
    out = plain_site.render(site)
    out.handler = gates.rs_gate(site.domain)
    return out


def render_jsl(site: Site) -> RenderedSite:
    out = plain_site.render(site)
    out.handler = gates.jsl_gate(site.domain)
    return out
