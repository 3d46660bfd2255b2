"""The answer key of the simulated country, derived from what `build` laid, never typed.

For each division: its code and names, the URLs that are a correct entry point for it (its site's
home and budget column, its page on the shared platform, a province's finance directory), the hosts
that are its own, the methods by which it can be reached (``directory``: a directory links it under
its full, short or former name; ``platform``: the shared platform's code pattern; ``navigation``: a
home page's list of local government sites links its home; ``host``: its host is one of the usual
pinyin candidates and its pages name it), the link texts from its home to its budget column, the
traps that touch it, and the sha256 of every disclosure it publishes (for checking a
``crawl --region`` later).

``truth/answer_key.json`` is this key written out; ``python -m govbudget.simulator.country.answer_key
--write`` regenerates it, and a test fails when the file and the code disagree.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from govbudget.regions import Division
from govbudget.simulator.country import build as built
from govbudget.simulator.country import hosts, plan
from govbudget.simulator.country.division_sites import nav_style
from govbudget.simulator.country.grading import owner

KEY_PATH = Path(__file__).with_name("truth") / "answer_key.json"
HOST_PROBE = "http://{host}/"


def _entry_points(country: built.Country, div: Division) -> list[dict[str, str]]:
    if div.code not in country.sites:
        return [{"url": built.platform_url(div.code), "kind": "platform"}]
    out = [{"url": country.home_url(div.code), "kind": "home"},
           {"url": country.column_url(div.code), "kind": "budget_column"}]
    if div.code in built.FINANCE_HOSTS:
        finance = f"http://{built.FINANCE_HOSTS[div.code]}{built.DIRECTORY_PATH}"
        out.append({"url": finance, "kind": "directory"})
    return out


def _reached_by(country: built.Country, div: Division) -> tuple[list[str], list[dict[str, str]]]:
    """(methods, the links that reach it): only honest links count, never a trap."""
    methods: set[str] = set()
    links = []
    for ln in country.links:
        if ln.trap or ln.named != div.code or ln.owner != div.code or ln.kind == "subdirectory":
            continue
        methods.add({"local_sites": "navigation"}.get(ln.kind, "directory"))
        links.append({"source": ln.source, "text": ln.text, "url": ln.url, "naming": ln.naming})
    if div.code not in country.sites:
        methods.add("platform")
    elif country.sites[div.code].domain in hosts.candidates(div):
        methods.add("host")
    return sorted(methods), links


def _traps(country: built.Country) -> list[dict[str, Any]]:
    out = []
    for trap in plan.TRAPS:
        row: dict[str, Any] = {"kind": trap.kind, "named": trap.named, "actual": trap.actual,
                               "note": trap.note}
        laid = [ln for ln in country.links if ln.trap == trap.kind]
        if laid:
            row.update(source=laid[0].source, text=laid[0].text, url=laid[0].url)
        elif trap.kind == "foreign_host":
            assert trap.actual is not None
            probe = HOST_PROBE.format(host=country.sites[trap.actual].domain)
            row.update(source="host candidate", text="", url=probe)
        elif trap.kind == "same_short_name":
            honest = next(ln for ln in country.links if ln.owner == trap.actual and not ln.trap)
            row.update(source=honest.source, text=honest.text, url=honest.url)
        elif trap.kind == "platform_unknown_code":
            row.update(source="code pattern", text="", url=built.platform_url(trap.named))
        out.append(row)
    return out


def _disclosures(country: built.Country) -> dict[str, list[dict[str, str]]]:
    """Division code → its served disclosure files (URL, sha256, file name)."""
    out: dict[str, list[dict[str, str]]] = {}
    for name, vhost in sorted(country.hosts.items()):
        for path, res in sorted(vhost.resources.items()):
            if res.document is None:
                continue
            url = f"http://{name}{path}"
            code = owner(url, country)
            assert code is not None, f"disclosure {url} belongs to no division"
            out.setdefault(code, []).append({"url": url, "sha256": hashlib.sha256(res.body).hexdigest(),
                                             "filename": res.document.filename})
    return out


def answer_key() -> dict[str, Any]:
    country = built.build()
    traps = _traps(country)
    files = _disclosures(country)
    rows = []
    for div in plan.divisions():
        methods, links = _reached_by(country, div)
        site = country.sites.get(div.code)
        rows.append({
            "code": div.code, "name": div.name, "full_name": div.full_name, "level": div.level,
            "province": div.code[:2] + "0000", "family": plan.family_of(div),
            # what names it on its pages: its SiteIDCode (the platform: its code), or only title and SiteName
            "proof": "name" if site is not None and not site.site_id_code else "code",
            "hosts": sorted(h for h, c in country.owners.items() if c == div.code),
            "host_candidates": hosts.candidates(div),
            "entry_points": _entry_points(country, div),
            "methods": methods,
            "linked_from": links,
            "navigation": [text for text, _ in nav_style(div)] if site is not None else [],
            "traps": sorted({t["kind"] for t in traps if div.code in (t["named"], t["actual"])}),
            "disclosures": files.get(div.code, []),
        })
    return {
        "about": "Answer key of govbudget.simulator.country: generated, never edited.",
        "seeds": [country.seed],
        "platform": {"province": "140000", "host": built.PLATFORM_HOST,
                     "pattern": f"http://{built.PLATFORM_HOST}{built.PLATFORM_LIST}?code={{code}}000"},
        "provinces": [{"code": p.code, "style": p.style, "cities": list(p.cities)} for p in plan.PROVINCES],
        "divisions": rows,
        "traps": traps,
    }


def render() -> str:
    return json.dumps(answer_key(), ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m govbudget.simulator.country.answer_key",
                                     description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"write {KEY_PATH.name} (default: print it)")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        KEY_PATH.parent.mkdir(exist_ok=True)
        KEY_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {KEY_PATH}")
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
