"""Entry-point discovery: which page is each division's budget-disclosure column, and the evidence.

`govbudget sources discover` walks outwards from the entry points the registry already has (the
provinces' 预决算公开 columns) and tries, for every division under them, four methods in order:

- ``directory`` (`directory.py`): a parent's column links to a child by name;
- ``shared_platform`` (`platform.py`): one platform serves many divisions, keyed by a division code
  in its URL; the pattern seen for one child gives every sibling's URL, each fetched and verified;
- ``home_navigation`` (`navigation.py`): from a government home page, 政府信息公开 → 财政信息 →
  财政预决算 by link text, bounded depth;
- ``host_candidate`` (`hosts.py`): host names built from the division's name (pinyin, initials),
  kept only when the page answering names the division.

A page counts as a division's only when it names that division (`identity.py`): its SiteIDCode,
SiteName, title or heading. A page that names another division is never attributed, whatever
the link text said: a wrong attribution is worse than none. Everything tried is kept as an
`Attempt`, so a division without an entry point shows what was tried and why it failed.

Discovery is plain HTTP through `fetch.PageFetcher` (bounded, robots.txt obeyed, addresses vetted);
it imports no Scrapy, so it runs as a short command and in tests against a local server.
"""




from govbudget.crawler.discovery.run import Discovery, discover

__all__ = ["Discovery", "discover"]
