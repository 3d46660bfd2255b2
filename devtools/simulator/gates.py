"""Anti-bot gates in front of whole sites: a 瑞数-style 412 and a 加速乐 521 cookie challenge.

412: every request without the pair of cookies gets a small page whose script computes the second
cookie from a nonce (a loop: no regex can read it off) and reloads; the pair is required on every
later request, files included. 521: the page sets ``__jsl_clearance`` by concatenating string
literals, which a crawler can evaluate without a browser.
"""

from __future__ import annotations

import hashlib

from govbudget.simulator.dynamic import Handler, Lookup, Reply, SimRequest

RS_SERVER_COOKIE = "FSSBBIl1UgzbN7NS"
RS_JS_COOKIE = "FSSBBIl1UgzbN7NT"
JSL_COOKIE = "__jsl_clearance"


def rs_token(nonce: str) -> str:
    """What the challenge script computes (31-polynomial hash mod 1e9+7, hex, then the length)."""
    h = 0
    for ch in nonce:
        h = (h * 31 + ord(ch)) % 1_000_000_007
    return f"{h:x}x{len(nonce)}"


def rs_gate(secret: str) -> Handler:
    """The 412 gate; `secret` salts the nonce so each simulator has its own cookie values."""
    nonce = hashlib.sha256(f"rs:{secret}".encode()).hexdigest()[:24]
    expected = rs_token(nonce)

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        cookies = req.cookies
        if cookies.get(RS_SERVER_COOKIE) == nonce and cookies.get(RS_JS_COOKIE) == expected:
            return None
        script = f"""var $_ts = window['$_ts'] || {{}}; $_ts.nv = "{nonce}";
(function () {{ var s = $_ts.nv, h = 0;
  for (var i = 0; i < s.length; i++) {{ h = (h * 31 + s.charCodeAt(i)) % 1000000007; }}
  document.cookie = "{RS_JS_COOKIE}=" + h.toString(16) + "x" + s.length + "; path=/";
  setTimeout(function () {{ location.reload(); }}, 50);
}})();"""
        body = (
            f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            f'<meta id="9DhefwqGPrzR" content="{nonce[:8]}" r="m"><script>{script}</script>'
            f"</head><body></body></html>"
        ).encode()
        return Reply(
            412,
            body,
            "text/html; charset=utf-8",
            (("Set-Cookie", f"{RS_SERVER_COOKIE}={nonce}; Path=/; HttpOnly"),),
        )

    return handle


def jsl_gate(secret: str) -> Handler:
    """The 521 gate: `__jsl_clearance` assembled from literals, checked on every request."""
    value = (
        f"1700000000.{int(hashlib.sha256(secret.encode()).hexdigest()[:6], 16) % 1000:03d}|0|"
        + hashlib.sha256(f"jsl:{secret}".encode()).hexdigest()[:20]
        + "%3D"
    )

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        if req.cookies.get(JSL_COOKIE) == value:
            return None
        pieces = [value[i : i + 7] for i in range(0, len(value), 7)]
        expr = "+".join(f"'{p}'" for p in pieces)
        body = (
            f"<script>document.cookie=('{JSL_COOKIE}='+({expr}))+';max-age=3600;path=/';"
            f"location.href=location.pathname+location.search</script>"
        ).encode()
        return Reply(
            521, body, "text/html", (("Set-Cookie", "__jsluid_h=5f0c3a1d9e; max-age=31536000; path=/"),)
        )

    return handle
