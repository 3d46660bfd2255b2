"""Build the simulated country: every virtual host's resources, and a record of every link laid.

`build()` renders each division's site with its family's renderer, then lays the pages between them
(`pages`): the national list of provincial 预决算公开 columns (the seed), 河北's directories, 山西's
shared platform, 河南's lists of local government sites, and the traps of `plan.TRAPS`. Every link
it lays is kept as a `LaidLink`, so the answer key says how each division can be reached from what
was built, never from a second hand-written list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from urllib.parse import urlsplit

from govbudget.regions import Division, division
from govbudget.regions.names import short_name
from govbudget.simulator.country import pages, plan
from govbudget.simulator.country.division_sites import HostSite, column_path, division_site, documents
from govbudget.simulator.dynamic import Handler, Lookup, Reply, SimRequest
from govbudget.simulator.families import render_site
from govbudget.simulator.ids import stored_name
from govbudget.simulator.sites import CONTENT_TYPES, Resource

EPOCH = datetime(2024, 1, 8, tzinfo=UTC)
MOF_HOST = "www.mof.gov.cn"
SEED_PATH = "/zt/dfyjsgk/"
PLATFORM_HOST = "yjsgk.czt.shanxi.gov.cn"
PLATFORM_NAME = "山西省预决算公开平台"
PLATFORM_LIST = "/gk/list.html"
FINANCE_HOSTS = {"130000": "czt.hebei.gov.cn", "140000": "czt.shanxi.gov.cn"}
DIRECTORY_PATH = "/yjsgk/"
COUNTY_DIRECTORY = "yjsgk/xqgk/"
LOCAL_SITES = "zfwz/"
ROBOTS = b"User-agent: *\nDisallow:\n"


@dataclass
class VirtualHost:
    """What one host serves: static resources by path, and handlers that answer before them."""

    name: str
    resources: dict[str, Resource] = field(default_factory=dict)
    handlers: list[tuple[str, Handler]] = field(default_factory=list)


@dataclass(frozen=True)
class LaidLink:
    """A link the country lays on a page: what it says, where it goes, and whose that target is.

    `named` is the division the text names; `owner` the division whose page the URL really is (None
    for a dead link); `trap` the `plan.Trap.kind` when the link is one.
    """

    source: str
    text: str
    url: str
    named: str
    owner: str | None
    kind: str  # directory | platform | local_sites | subdirectory (a link to another directory page)
    naming: str = "full"  # full | short | former
    trap: str = ""


@dataclass
class Country:
    hosts: dict[str, VirtualHost] = field(default_factory=dict)
    sites: dict[str, HostSite] = field(default_factory=dict)  # division code → its own site
    links: list[LaidLink] = field(default_factory=list)
    owners: dict[str, str] = field(default_factory=dict)  # host → code of the division it belongs to
    redirects: dict[str, str] = field(default_factory=dict)  # URL → where it sends a client

    @property
    def seed(self) -> str:
        return f"http://{MOF_HOST}{SEED_PATH}"

    def host(self, name: str) -> VirtualHost:
        return self.hosts.setdefault(name, VirtualHost(name))

    def home_url(self, code: str) -> str:
        return f"http://{self.sites[code].domain}/"

    def column_url(self, code: str) -> str:
        site = self.sites[code]
        return f"http://{site.domain}{column_path(site)}"


def platform_url(code: str) -> str:
    """The shared platform's page for a division: 9-digit code (GB/T 2260 + 000) in the query."""
    return f"http://{PLATFORM_HOST}{PLATFORM_LIST}?code={code}000"


def _former_name(div: Division) -> str:
    """The county name before 撤县设区 (肥乡区 was 肥乡县)."""
    return short_name(div.name) + "县"


def _children(code: str) -> list[Division]:
    return [d for d in plan.divisions() if d.parent == code]


def _add_page(country: Country, url: str, body: bytes) -> None:
    parts = urlsplit(url)
    path = parts.path + "index.html" if parts.path.endswith("/") else parts.path
    country.host(parts.netloc).resources[path] = Resource(body, pages.HTML, EPOCH)


def _lay(country: Country, page_url: str, title: str, site_name: str, site_id: str,
         sections: list[tuple[str, list[LaidLink]]]) -> None:
    shown = [(head, [(ln.text, ln.url) for ln in links]) for head, links in sections]
    _add_page(country, page_url, pages.page(title, site_name, site_id, shown))
    country.links.extend(ln for _, links in sections for ln in links)


def _sites(country: Country) -> None:
    for div in plan.divisions():
        if plan.family_of(div) == plan.PLATFORM_FAMILY:
            continue
        style = plan.province_of(div.code).style
        extra: tuple[tuple[str, str], ...] = ()
        if style == "directory" and div.level == "city":
            extra = (("县（市、区）预决算公开", COUNTY_DIRECTORY),)
        elif style == "navigation" and div.level != "county":
            extra = (("市县政府网站" if div.level == "province" else "县区政府网站", LOCAL_SITES),)
        site = division_site(div, extra)
        if site.domain in country.owners:
            raise ValueError(f"{div.code} and {country.owners[site.domain]} share host {site.domain}")
        rendered = render_site(site)
        vhost = country.host(site.domain)
        vhost.resources.update(rendered.resources)
        if rendered.handler is not None:
            vhost.handlers.append((site.root, rendered.handler))
        country.sites[div.code] = site
        country.owners[site.domain] = div.code


def _county_link(country: Country, source: str, div: Division) -> LaidLink | None:
    """How a city's directory links one of its counties (None: not linked at all)."""
    traps = {t.named: t for t in plan.TRAPS}
    trap = traps.get(div.code)
    if div.code in plan.HOST_ONLY:
        return None
    if trap is not None and trap.kind == "wrong_name":
        assert trap.actual is not None
        return LaidLink(source, div.name, country.column_url(trap.actual), div.code, trap.actual, "directory",
                        trap=trap.kind)
    if trap is not None and trap.kind == "dead_link":
        url = f"http://{country.sites[div.code].domain}/zwgk/czyjs/"
        return LaidLink(source, div.name, url, div.code, None, "directory", trap=trap.kind)
    if trap is not None and trap.kind == "redirect_to_city":
        assert trap.actual is not None
        host = country.sites[div.code].domain
        url = f"http://{host}/czyjs/"
        target = country.column_url(trap.actual)
        country.redirects[url] = target
        country.host(host).handlers.insert(0, ("/czyjs/", _redirect("/czyjs/", target)))
        return LaidLink(source, div.name, url, div.code, trap.actual, "directory", trap=trap.kind)
    if div.code in plan.FORMER_COUNTIES:
        return LaidLink(source, _former_name(div), country.column_url(div.code), div.code, div.code,
                        "directory", naming="former")
    if div.code in plan.SHORT_LINKS:
        return LaidLink(source, short_name(div.name), country.column_url(div.code), div.code, div.code,
                        "directory", naming="short")
    return LaidLink(source, div.name, country.column_url(div.code), div.code, div.code, "directory")


def _redirect(path: str, target: str) -> Handler:
    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        if req.path.rstrip("/") != path.rstrip("/"):
            return None
        return Reply(status=302, body=b"", headers=(("Location", target),))

    return handle


def _directory_province(country: Country, prov: Division) -> None:
    """河北: the finance department lists the province's own column, its cities and their county pages."""
    finance = FINANCE_HOSTS[prov.code]
    country.owners[finance] = prov.code
    url = f"http://{finance}{DIRECTORY_PATH}"
    own = [LaidLink(url, f"{prov.name}本级", country.column_url(prov.code), prov.code, prov.code,
                    "directory")]
    cities = [LaidLink(url, c.name, country.column_url(c.code), c.code, c.code, "directory")
              for c in _children(prov.code)]
    county_pages = [LaidLink(url, f"{c.name}所辖县（市、区）", f"http://{country.sites[c.code].domain}/{COUNTY_DIRECTORY}",
                             c.code, c.code, "subdirectory") for c in _children(prov.code)]
    _lay(country, url, "预决算公开", f"{prov.name}财政厅", f"{prov.code}0002",
         [("省本级", own), ("市级预决算公开", cities), ("县级预决算公开", county_pages)])
    _finance_home(country, prov, finance)
    for city in _children(prov.code):
        page_url = f"http://{country.sites[city.code].domain}/{COUNTY_DIRECTORY}"
        links = [ln for d in _children(city.code) if (ln := _county_link(country, page_url, d)) is not None]
        _lay(country, page_url, "县（市、区）预决算公开", f"{city.name}人民政府", f"{city.code}0001",
             [(f"{city.name}所辖县（市、区）", links)])


def _finance_home(country: Country, prov: Division, finance: str) -> None:
    _add_page(country, f"http://{finance}/", pages.page(
        f"{prov.name}财政厅", f"{prov.name}财政厅", f"{prov.code}0002",
        [("栏目导航", [("财政要闻", f"http://{finance}/czyw/"), ("预决算公开", f"http://{finance}{DIRECTORY_PATH}")])]))


def _platform_province(country: Country, prov: Division) -> None:
    """山西: the directory links its own column and one city on the platform; the rest share the pattern."""
    finance = FINANCE_HOSTS[prov.code]
    country.owners[finance] = prov.code
    url = f"http://{finance}{DIRECTORY_PATH}"
    first = _children(prov.code)[0]
    _lay(country, url, "预决算公开", f"{prov.name}财政厅", f"{prov.code}0002", [
        ("省本级", [LaidLink(url, f"{prov.name}本级", country.column_url(prov.code), prov.code, prov.code,
                             "directory")]),
        ("市县预决算公开平台", [LaidLink(url, first.name, platform_url(first.code), first.code, first.code,
                                   "platform")]),
    ])
    _finance_home(country, prov, finance)
    served = [d for d in plan.divisions() if plan.family_of(d) == plan.PLATFORM_FAMILY]
    vhost = country.host(PLATFORM_HOST)
    by_code: dict[str, bytes] = {}
    for div in served:
        items = []
        for n, doc in enumerate(documents(div)):
            stored = stored_name(EPOCH.date(), f"platform:{div.code}:{n}", doc.fmt)
            file_path = f"/gk/files/{div.code}/{stored}"
            vhost.resources[file_path] = Resource(doc.data, CONTENT_TYPES[doc.fmt], EPOCH, document=doc)
            art_path = f"/gk/detail/{div.code}_{n}.html"
            vhost.resources[art_path] = Resource(pages.platform_article(
                PLATFORM_NAME, div.full_name, doc.title, [(doc.filename, file_path)]), pages.HTML, EPOCH)
            items.append((doc.title, art_path))
        by_code[div.code + "000"] = pages.platform_list(PLATFORM_NAME, div.full_name, div.code + "000", items)
    intro = "请选择地区后查看本级及所属部门预决算公开信息。"
    vhost.resources["/index.html"] = Resource(pages.page(PLATFORM_NAME, PLATFORM_NAME, "", [], intro=intro),
                                              pages.HTML, EPOCH)
    vhost.handlers.append(("/", _platform_handler(by_code)))


def _platform_handler(by_code: dict[str, bytes]) -> Handler:
    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        if req.path != PLATFORM_LIST:
            return None
        body = by_code.get(req.arg("code"))
        return Reply(body=body if body is not None else pages.platform_empty(PLATFORM_NAME))

    return handle


def _navigation_province(country: Country, prov: Division) -> None:
    """河南: home pages list local government sites; counties in `plan.NAV_LINKED` are on those lists."""
    for parent in (prov, *_children(prov.code)):
        url = f"http://{country.sites[parent.code].domain}/{LOCAL_SITES}"
        kids = [d for d in _children(parent.code) if d.level == "city" or d.code in plan.NAV_LINKED]
        links = [LaidLink(url, f"{d.name}人民政府", country.home_url(d.code), d.code, d.code, "local_sites")
                 for d in kids]
        title = "市县政府网站" if parent.level == "province" else "县区政府网站"
        _lay(country, url, title, f"{parent.name}人民政府", f"{parent.code}0001", [(title, links)])


def _seed(country: Country) -> None:
    """The national list of provincial 预决算公开 columns (as the Ministry of Finance publishes one)."""
    url = country.seed
    links = []
    for prov in plan.PROVINCES:
        target = (f"http://{FINANCE_HOSTS[prov.code]}{DIRECTORY_PATH}" if prov.code in FINANCE_HOSTS
                  else country.column_url(prov.code))
        name = division(prov.code).name
        links.append(LaidLink(url, name, target, prov.code, prov.code, "directory"))
    _lay(country, url, "地方预决算公开", "中华人民共和国财政部", "", [("地方预决算公开", links)])


def _robots(country: Country) -> None:
    for vhost in country.hosts.values():
        vhost.resources.setdefault("/robots.txt", Resource(ROBOTS, "text/plain", EPOCH))


@cache
def build() -> Country:
    """The whole country (built once per process: its pages never change)."""
    country = Country()
    _sites(country)
    for prov in plan.PROVINCES:
        div = division(prov.code)
        {"directory": _directory_province, "platform": _platform_province,
         "navigation": _navigation_province}[prov.style](country, div)
    _seed(country)
    _robots(country)
    return country
