"""DNS rebinding: a name that passed the URL check but resolves to loopback at download time is refused."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = r'''
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.resolver import dnscache

from govbudget.crawler import url_safety

allow_loopback = sys.argv[1] == "1"
hits = []

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        hits.append(self.path)
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
port = server.server_address[1]

# first answer (the URL check): a public address; second answer (the download): loopback
url_safety._resolve = lambda host: ("93.184.216.34",) if host == "rebind.test" else ()
dnscache["rebind.test"] = "127.0.0.1"
seen = {}

class One(scrapy.Spider):
    name = "one"
    async def start(self):
        yield scrapy.Request(f"http://rebind.test:{port}/x", callback=self.ok, errback=self.failed)
    def ok(self, response):
        seen["outcome"] = response.status
    def failed(self, failure):
        seen["outcome"] = type(failure.value).__name__
        seen["message"] = str(failure.value)

process = CrawlerProcess({
    "TWISTED_DNS_RESOLVER": "govbudget.crawler.safe_resolver.PublicOnlyResolver",
    "DOWNLOADER_MIDDLEWARES": {"govbudget.crawler.middlewares.UrlSafetyMiddleware": 40},
    "GOVBUDGET_ALLOW_LOOPBACK": allow_loopback, "GOVBUDGET_EMIT_EVENTS": False,
    "RETRY_ENABLED": False, "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False,
    "LOG_LEVEL": "WARNING",
})
process.crawl(One)
process.start()
seen["hits"] = len(hits)
print(json.dumps(seen))
'''


def _run(allow_loopback: bool) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", SCRIPT, "1" if allow_loopback else "0"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    seen["log"] = done.stderr
    return seen


def test_rebound_name_is_refused_at_connect_time() -> None:
    seen = _run(allow_loopback=False)
    assert seen["outcome"] in {"DNSLookupError", "CannotResolveHostError"}  # Scrapy >= 2.14 wraps it
    assert "DNS answer refused: rebind.test resolved to 127.0.0.1" in str(seen["log"])
    assert seen["hits"] == 0


def test_same_request_reaches_the_server_when_loopback_is_allowed() -> None:
    """The control: the refusal above is the resolver's doing, not a broken test server."""
    seen = _run(allow_loopback=True)
    assert seen["outcome"] == 200
    assert seen["hits"] == 1
