"""``host_candidate``: when no page links to a division, guess its government host from its name.

Chinese government hosts spell the division's name: the full pinyin of its short name
(``www.linzhang.gov.cn``), or of its full name (``www.shexian.gov.cn`` for the one-character 涉县),
or its initials with or without the level word (``www.lzx.gov.cn``). A candidate host is kept only
when its home page names the division surely (a SiteIDCode starting with the division code, or a
name only this division has); a host that answers for another division, or whose page names a
name several divisions share without telling which, is refused. The home page is then walked to
its column (`navigation`).
"""

from __future__ import annotations

from functools import cache

from pypinyin import lazy_pinyin

from govbudget.crawler.discovery.fetch import PageFetcher
from govbudget.crawler.discovery.found import Attempt, Found
from govbudget.crawler.discovery.identity import identity, verdict
from govbudget.crawler.discovery.navigation import navigate
from govbudget.regions import Division
from govbudget.regions.names import short_name

SURE = 0.6  # below this a page's naming is too weak to adopt a guessed host (an ambiguous name)
LEVEL_LETTER = {"县": "x", "区": "q", "市": "s", "旗": "q"}


@cache
def candidate_hosts(name: str) -> tuple[str, ...]:
    """Host names to try for a division called ``name``, most usual first."""
    short = short_name(name)
    syllables = lazy_pinyin(short)
    initials = "".join(s[0] for s in syllables if s)
    letter = LEVEL_LETTER.get(name[-1], "")
    words: list[str] = []
    if len(short) >= 2:  # 临漳 → linzhang; a one-character name (涉县) is spelt with its level word
        words.append("".join(syllables))
    words.append("".join(lazy_pinyin(name)))  # 涉县 → shexian, 临漳县 → linzhangxian
    if letter:
        words.append(initials + letter)
    if len(initials) >= 2:
        words.append(initials)
    return tuple(f"www.{word}.gov.cn" for word in dict.fromkeys(words))


def from_hosts(fetcher: PageFetcher, target: Division, *, depth: int,
               attempts: list[Attempt]) -> Found | None:
    """``target``'s column reached from the first candidate host whose home page surely names it."""

    def tried(url: str, outcome: str, detail: str) -> None:
        attempts.append(Attempt(target.code, "host_candidate", url, "", outcome, detail))

    for host in candidate_hosts(target.name):
        url = f"http://{host}/"
        page = fetcher.get(url)
        if not page.ok:
            tried(url, "dead", page.error or f"HTTP {page.status}")
            continue
        said = verdict(identity(page.text), target)
        if said.other is not None:
            tried(page.final_url, "names_other", said.evidence)
            continue
        if not said.names or said.confidence < SURE:
            tried(page.final_url, "ambiguous" if said.names else "names_nobody", said.evidence)
            continue
        hit = navigate(fetcher, page.final_url, target, home_confidence=said.confidence, depth=depth,
                       attempts=attempts)
        if hit is not None:
            confidence = min(hit.confidence, said.confidence)
            return Found(target, hit.url, "host_candidate", page.final_url, confidence,
                         f"host {host}: {said.evidence}; {hit.evidence}")
    return None
