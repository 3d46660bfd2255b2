"""``home_navigation``: from a government home page to its budget column by link text.

Breadth-first over the links whose text is a navigation step (政府信息公开 → 法定主动公开内容 / 财政信息 →
财政预决算 / 部门预算), deepest step first, within ``depth`` hops and ``max_pages`` pages. The page
reached must be a column (`column.is_column`) and must not name another division: a county home
page that links to its province's platform has not found the county's column.
"""

from __future__ import annotations

from collections import deque
from urllib.parse import urlsplit

from govbudget.crawler.discovery.children import is_directory_of
from govbudget.crawler.discovery.column import is_column, links, step_of
from govbudget.crawler.discovery.fetch import PageFetcher
from govbudget.crawler.discovery.found import Attempt, Found
from govbudget.crawler.discovery.identity import identity, verdict
from govbudget.regions import Division

MAX_PAGES = 12
PER_PAGE = 4  # navigation links followed from one page
OWN_HOST_FACTOR = 0.9  # a column on the home page's host that names no one: the home page's word, weakened


def navigate(fetcher: PageFetcher, home_url: str, target: Division, *, home_confidence: float,
             depth: int = 3, attempts: list[Attempt]) -> Found | None:
    """The budget column reached from ``home_url`` for ``target``, or None (with an `Attempt` saying so)."""
    home_host = urlsplit(home_url).hostname
    queue: deque[tuple[str, int]] = deque([(home_url, 0)])
    seen = {home_url}
    pages = 0
    while queue and pages < MAX_PAGES:
        url, hops = queue.popleft()
        page = fetcher.get(url)
        pages += 1
        if not page.ok:
            continue
        if hops > 0 and is_column(page.text, page.final_url) and \
                not is_directory_of(page.text, page.final_url, target):
            said = verdict(identity(page.text), target)
            if said.names:
                return Found(target, page.final_url, "home_navigation", home_url, said.confidence,
                             said.evidence)
            if said.other is None and urlsplit(page.final_url).hostname == home_host:
                return Found(target, page.final_url, "home_navigation", home_url,
                             round(home_confidence * OWN_HOST_FACTOR, 2),
                             f"column on the home page's host, reached from {home_url}")
            attempts.append(Attempt(target.code, "home_navigation", page.final_url, home_url,
                                    "names_other" if said.other else "names_nobody", said.evidence))
        if hops >= depth:
            continue
        steps = sorted(((step, link) for link in links(page.text, page.final_url)
                        if (step := step_of(link.text)) is not None and link.url not in seen),
                       key=lambda pair: -pair[0])
        for _, link in steps[:PER_PAGE]:
            seen.add(link.url)
            queue.append((link.url, hops + 1))
    attempts.append(Attempt(target.code, "home_navigation", home_url, home_url, "not_a_column",
                            f"no budget column within {depth} hops ({pages} pages read)"))
    return None
