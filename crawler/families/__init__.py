"""Portal (CMS) families: one module per family, all behind one protocol, in one ordered registry.

A family (``base.Family``) has a ``name``, recognises an HTML page with ``matches(response)``, and
says what that page adds with ``requests(response, ctx)``: ``Link`` pairs the link policy judges like
any ``<a>``, and requests built with the ``Context`` (``ctx.page`` for a page, ``browser=True`` to
send it through Chromium; ``ctx.post`` for a form only a script would submit; ``ctx.json`` for a JSON
document, archived and then handed back to the same family's ``requests`` with the state it attached).
The spider asks every family in ``FAMILIES`` order; more than one may match a page. A family that
should act only when nothing else did goes last and checks ``ctx.followed``.

To add a family: write one module here with a class (``name``, ``matches``, ``requests``) and a
``FAMILY`` instance, add one line to ``FAMILIES``, and put a saved page of the family with a test
beside the others (``tests/data/families/<name>/``, ``tests/test_family_<name>.py``).
"""

from __future__ import annotations

from govbudget.crawler.families import (
    aspnet,
    explorer,
    gkmlpt,
    hanweb,
    iframe,
    json_directory,
    trs,
    yjsgk,
)
from govbudget.crawler.families.base import Answer, Context, Family, Link

FAMILIES: tuple[Family, ...] = (
    hanweb.FAMILY,  # Hanweb 大汉 JCMS: <datastore> records, POSTed later pages
    aspnet.FAMILY,  # ASP.NET WebForms: __doPostBack pagers
    gkmlpt.FAMILY,  # 广东 gkmlpt: the shell's _CONFIG TREE, lists from api/all/{cat} JSON
    yjsgk.FAMILY,  # 江苏 yjsgk: a #/overView?code= route, a chain of form POSTs answering JSON
    json_directory.FAMILY,  # a shell that fetches a ….json directory
    iframe.FAMILY,  # lists inside frames
    trs.FAMILY,  # TRS WCM: createPageHTML pagination
    explorer.FAMILY,  # last: a script shell nothing above could read, rendered and explored once
)

BY_NAME: dict[str, Family] = {f.name: f for f in FAMILIES}

__all__ = ["BY_NAME", "FAMILIES", "Answer", "Context", "Family", "Link"]
