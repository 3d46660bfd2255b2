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

A crawler that vets the addresses of names it fetches (``crawler/url_safety.py`` and the
``PublicOnlyResolver`` of ``crawler/safe_resolver.py`` refuse loopback unless
``GOVBUDGET_ALLOW_LOOPBACK``) needs one more thing in tests: a host → address map consulted before
DNS, `CountrySimulator.host_addresses()` (every name → 127.0.0.1). A name not in the map must not
resolve at all, which is what makes a wrong host candidate fail as it would on the internet
(`CountrySimulator.resolves`). The smallest seam on the crawler's side is one setting, e.g.
``GOVBUDGET_HOST_ADDRESSES`` (dict name → IP), read by both resolvers, plus the proxy for the
download (the simulator's port is not 80).
"""

from govbudget.simulator.country.build import Country, platform_url
from govbudget.simulator.country.build import build as build_country
from govbudget.simulator.country.server import CountrySimulator

__all__ = ["Country", "CountrySimulator", "build_country", "platform_url"]
