"""412/521 challenges are answered below the spider: computed cookies, or one browser solve per host."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response

from govbudget.crawler.challenge_middleware import SOLVER_META, ChallengeMiddleware

HOST = "www.example.gov.cn"
JSL_PAGE = (b"<script>document.cookie=('__jsl_clearance='+('1700000000.1'+'23|0|'+'abc%3D'))"
            b"+';max-age=3600;path=/';location.href=location.pathname+location.search</script>")
RS_PAGE = (b'<html><head><meta id="x" content="ab" r="m"><script>var $_ts={};</script></head>'
           b"<body></body></html>")


class Stats:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def inc_value(self, key: str) -> None:
        self.values[key] = self.values.get(key, 0) + 1

    def set_value(self, key: str, value: Any) -> None:
        self.values[key] = value


class Page:
    """A browser page whose script has already set its cookie."""

    def __init__(self) -> None:
        self.closed = False
        self.context = self

    async def content(self) -> str:
        return "<html><body>list</body></html>"

    async def cookies(self) -> list[dict[str, str]]:
        return [{"name": "xS", "value": "server", "domain": HOST},
                {"name": "xT", "value": "script", "domain": "." + HOST},
                {"name": "other", "value": "1", "domain": "cdn.example.com"}]

    async def close(self) -> None:
        self.closed = True


class Engine:
    """Downloads a solver request as the browser would: a kept page, the challenge status."""

    def __init__(self, fail: bool = False) -> None:
        self.requests: list[Request] = []
        self.pages: list[Page] = []
        self.fail = fail

    async def download_async(self, request: Request) -> Response:
        self.requests.append(request)
        await asyncio.sleep(0.01)  # other challenged requests arrive meanwhile
        if self.fail:
            raise TimeoutError("browser took too long")
        page = Page()
        self.pages.append(page)
        request.meta["playwright_page"] = page
        return HtmlResponse(request.url, status=412, body=RS_PAGE, request=request)


class Crawler:
    def __init__(self, engine: Engine | None = None) -> None:
        self.stats = Stats()
        self.engine = engine or Engine()


def _challenged(path: str, status: int, body: bytes, **meta: Any) -> tuple[Request, Response]:
    request = Request(f"http://{HOST}{path}", meta={"download_latency": 0.2, "link_text": "x",
                                                   "redirect_urls": [f"http://{HOST}/old"], **meta})
    return request, HtmlResponse(request.url, status=status, body=body, request=request)


def test_a_521_is_replayed_with_the_cookie_its_script_computes() -> None:
    mw = ChallengeMiddleware(Crawler())  # type: ignore[arg-type]
    replay = asyncio.run(mw.process_response(*_challenged("/list.html", 521, JSL_PAGE)))
    assert isinstance(replay, Request)
    assert replay.cookies == {"__jsl_clearance": "1700000000.123|0|abc%3D"}
    assert replay.dont_filter and replay.meta["challenge_attempts"] == 1
    assert "download_latency" not in replay.meta  # Scrapy's download state is not carried over
    assert replay.meta["redirect_urls"] == [f"http://{HOST}/old"] and replay.meta["link_text"] == "x"
    assert mw.crawler.stats.values["govbudget/challenges"] == 1


def test_a_412_host_is_solved_once_in_the_browser_and_every_parked_request_replayed() -> None:
    crawler = Crawler()
    mw = ChallengeMiddleware(crawler)  # type: ignore[arg-type]

    async def three() -> list[Any]:
        return await asyncio.gather(*(mw.process_response(*_challenged(p, 412, RS_PAGE))
                                      for p in ("/a.html", "/b.html", "/files/c.pdf")))

    replays = asyncio.run(three())
    [solver] = crawler.engine.requests
    assert solver.meta["playwright"] and solver.meta["playwright_include_page"]
    assert solver.meta[SOLVER_META] == HOST
    assert [r.url for r in replays] == [f"http://{HOST}{p}" for p in ("/a.html", "/b.html", "/files/c.pdf")]
    assert all(r.cookies == {"xS": "server", "xT": "script"} for r in replays)
    assert crawler.engine.pages[0].closed
    assert crawler.stats.values["govbudget/challenges"] == 3
    assert crawler.stats.values["govbudget/browser_cookies"] == 2
    # a later challenge of the solved host is replayed plainly: the jar has the cookies
    later = asyncio.run(mw.process_response(*_challenged("/d.html", 412, RS_PAGE)))
    assert isinstance(later, Request) and later.cookies == {} and len(crawler.engine.requests) == 1


def test_a_failed_browser_solve_drops_the_parked_requests() -> None:
    crawler = Crawler(Engine(fail=True))
    mw = ChallengeMiddleware(crawler)  # type: ignore[arg-type]

    async def two() -> list[Any]:
        return await asyncio.gather(*(mw.process_response(*_challenged(p, 412, RS_PAGE))
                                      for p in ("/a.html", "/b.html")), return_exceptions=True)

    outcomes = asyncio.run(two())
    assert [type(o) for o in outcomes] == [IgnoreRequest, IgnoreRequest]
    assert len(crawler.engine.requests) == 1


def test_the_solver_answer_and_other_responses_pass_untouched() -> None:
    mw = ChallengeMiddleware(Crawler())  # type: ignore[arg-type]
    request, response = _challenged("/a.html", 412, RS_PAGE, **{SOLVER_META: HOST})
    assert asyncio.run(mw.process_response(request, response)) is response
    request, response = _challenged("/a.html", 412, b"<html>forbidden</html>")
    assert asyncio.run(mw.process_response(request, response)) is response
    request, response = _challenged("/a.html", 200, RS_PAGE)
    assert asyncio.run(mw.process_response(request, response)) is response


@pytest.mark.parametrize("attempts", [3, 4])
def test_a_request_challenged_three_times_is_given_up(attempts: int) -> None:
    mw = ChallengeMiddleware(Crawler())  # type: ignore[arg-type]
    request, response = _challenged("/a.html", 521, JSL_PAGE, challenge_attempts=attempts)
    assert asyncio.run(mw.process_response(request, response)) is response
    assert "govbudget/challenges" not in mw.crawler.stats.values
