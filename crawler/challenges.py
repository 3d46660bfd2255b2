"""Anti-bot challenges: recognise them, and solve the ones that need no browser.

加速乐 (521): the page assigns ``document.cookie`` from string literals joined by ``+``; evaluating
that expression (literals only, nothing else) gives ``__jsl_clearance``. 瑞数 (412 with
``<meta … r="m">`` and ``$_ts``): the cookie comes from real script, so ``challenge_middleware``
sends the URL to the browser once per host and carries the browser's cookies to plain HTTP requests.
"""

from __future__ import annotations

import re

_JSL_ASSIGN = re.compile(r"document\.cookie\s*=\s*(.+?)(?:;\s*location|</script>)", re.S)
_TOKEN = re.compile(r"\s*(?:'([^'\\]*)'|\"([^\"\\]*)\"|(\+)|(\()|(\)))")


def kind(status: int, body: bytes) -> str | None:
    """``jsl`` for a 加速乐 page, ``rs`` for a 瑞数-style page, else None."""
    if status == 521 and b"document.cookie" in body:
        return "jsl"
    if status in {202, 400, 412} and (b'r="m"' in body or b"$_ts" in body):
        return "rs"
    return None


def literal_concat(expr: str) -> str | None:
    """The value of an expression of string literals, ``+`` and parentheses; None for anything else."""
    out, pos = [], 0
    while pos < len(expr.rstrip()):
        match = _TOKEN.match(expr, pos)
        if not match:
            return None
        single, double = match.group(1), match.group(2)
        if single is not None or double is not None:
            out.append(single if single is not None else double)
        pos = match.end()
    return "".join(out)


def jsl_cookie(body: bytes) -> tuple[str, str] | None:
    """(name, value) that the 521 page's script would set, when it only joins literals."""
    match = _JSL_ASSIGN.search(body.decode("utf-8", "replace"))
    if not match:
        return None
    value = literal_concat(match.group(1))
    if not value or "=" not in value:
        return None
    pair = value.split(";", 1)[0]
    name, _, val = pair.partition("=")
    return (name.strip(), val.strip()) if name.strip() else None
