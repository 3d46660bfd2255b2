"""A simulated country: three provinces, their cities and counties, each division a site of its own.

`govbudget sources discover` must find an entry point for every division from what portals link
and from host names it guesses, without ever attributing a page to the wrong division. This package
builds a country to test that against: real GB/T 2260 codes and names (`govbudget.regions`), each
division a small site of one of the simulator's families at the root of its own host
(www.linzhang.gov.cn), linked as real portals link them (`plan` says how, per province), with the
traps real directories hold. The answer key (`answer_key`, written to ``truth/answer_key.json``)
lists each division's correct entry points, how each is reached, the traps that touch it and the
sha256 of every disclosure it publishes.

Reaching the hosts (the seam a client uses in tests)
----------------------------------------------------
Every host is served by one `CountrySimulator` on 127.0.0.1 and an ephemeral port, routed by the
host the request names. A client reaches ``http://www.linzhang.gov.cn/`` unchanged, without DNS and
without rewriting URLs, in one of two ways:

* **as its HTTP proxy** (`CountrySimulator.proxy_url`): send absolute-form requests to the simulator,
  as any client does through a proxy (Scrapy: ``request.meta["proxy"]`` or the ``http_proxy``
  environment variable with ``HttpProxyMiddleware``; httpx/requests: ``proxy=``). The URL, the Host
  header, redirects and relative links all stay as on the real web.
* **by address**: connect to `CountrySimulator.address` and send ``Host: www.linzhang.gov.cn``.

A crawler that vets the addresses of names it fetches (``crawler/url_safety.py`` resolves every URL's
host itself and refuses loopback unless ``GOVBUDGET_ALLOW_LOOPBACK``) needs one more thing in tests:
a host → address map consulted before DNS, `CountrySimulator.host_addresses()` (every name →
127.0.0.1). A name not in the map must not resolve at all, which is what makes a wrong host
candidate fail as it would on the internet (`CountrySimulator.resolves`). The smallest seam on the
crawler's side is one setting read where names are resolved (``url_safety._resolve``, and the
``PublicOnlyResolver`` of ``crawler/safe_resolver.py`` for direct connections), e.g. an environment
variable ``GOVBUDGET_HOST_ADDRESSES`` holding that map as JSON, since the crawl runs in a child
process; plus the proxy (``http_proxy``, which the child inherits) for the download, because the
simulator's port is not 80. With ``url_safety._resolve`` answering from the map and ``http_proxy``
set, today's crawler archives a division's disclosures from its entry point unchanged. Set
``no_proxy=127.0.0.1,localhost`` beside ``http_proxy``: other clients of the process (boto3 for S3
on moto, for one) read the same variables.

`grading.grade` scores a discovery's entry points against the key: correct, wrong (another
division's page, or nobody's), unverified (the division's own host but not an entry point).
"""

from govbudget.simulator.country.build import Country, platform_url
from govbudget.simulator.country.build import build as build_country
from govbudget.simulator.country.server import CountrySimulator

__all__ = ["Country", "CountrySimulator", "build_country", "platform_url"]
