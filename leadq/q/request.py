"""A request read back: a raw q, a `q=...` parameter, a request URL, an HTTP request or a
curl command, as people paste them from logs, browsers and scripts.

`read_request` finds the q and the request parameters beside it (`sort`, `limit`, `offset`,
`fields`); `tail_text` writes those parameters as a filter's query tail (`order by
created_at desc limit 20`), so that `leadq decompile` prints the whole request as a filter.
"""

from __future__ import annotations

import json
import re
import shlex
from urllib.parse import parse_qsl, urlsplit

import attrs

#: The request parameters a query tail says, in the order the tail writes them.
TAIL_PARAMS = ("sort", "limit", "offset", "fields")


@attrs.frozen
class Request:
    """What a pasted text holds: its q, the other parameters, and what it was in words."""

    q: str
    params: dict[str, str] = attrs.field(factory=dict)
    what: str = "a raw q"


_METHOD_LINE = re.compile(r"(?:GET|POST|PUT)\s+(\S+)(?:\s+HTTP/\S+)?\s*$", re.I)
_PAIRS = re.compile(r"&(?=(?:q|sort|limit|offset|fields)=)")
_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")


def read_request(text: str) -> Request:
    """The q and parameters of `text`; a text of no other form is a raw q itself."""
    stripped = text.strip()
    if stripped.startswith("curl ") or stripped.startswith("curl\t"):
        found = _curl(stripped)
        if found is not None:
            return found
    first, _, rest = stripped.partition("\n")
    line = _METHOD_LINE.match(first.strip())
    if line is not None:
        return _http(line.group(1), rest)
    if re.match(r"https?://", stripped, re.I):
        return _url(stripped, "a request URL")
    if stripped.startswith("{"):
        found = _json_body(stripped)
        if found is not None:
            return found
    if stripped.startswith(("q=", "?q=")):
        return _pairs(stripped.removeprefix("?"), "a `q=` parameter")
    return Request(text)


def _url(url: str, what: str) -> Request:
    try:
        parts = urlsplit(url)
    except ValueError:  # `http://[::1` (an unclosed IPv6 host): no URL whose query we read
        return Request("", {}, what)
    return _pairs(parts.query, what) if parts.query else Request("", {}, what)


def _pairs(query: str, what: str) -> Request:
    """`q=...&limit=20`: URL-encoded, or as written by hand (a q may hold `&` and `=`)."""
    if _ENCODED.search(query) or "+" in query:
        pairs = parse_qsl(query, keep_blank_values=True)
    else:
        pairs = [tuple(piece.split("=", 1)) if "=" in piece else (piece, "") for piece in _PAIRS.split(query)]
    params = {name: value for name, value in pairs}
    q = params.pop("q", "")
    return Request(q, {k: v for k, v in params.items() if k in TAIL_PARAMS}, what)


def _http(target: str, rest: str) -> Request:
    found = _url(target, "an HTTP request") if "?" in target else Request("", {}, "an HTTP request")
    _, blank, body = rest.replace("\r\n", "\n").partition("\n\n")
    if not blank and rest.strip() and ":" not in rest.split("\n", 1)[0]:
        body = rest  # a body without headers
    body = body.strip()
    if body:
        from_body = _json_body(body) if body.startswith("{") else _pairs(body, "an HTTP request")
        if from_body is not None:
            merged = {**found.params, **from_body.params}
            return Request(from_body.q or found.q, merged, "an HTTP request")
    return found


def _json_body(body: str) -> Request | None:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the decoder goes
        return None
    if not isinstance(data, dict) or not isinstance(data.get("q", ""), str):
        return None
    params = {k: str(v) for k, v in data.items() if k in TAIL_PARAMS and v is not None}
    return Request(str(data.get("q", "")), params, "a request body")


def _curl(command: str) -> Request | None:
    try:
        words = shlex.split(command.replace("\\\n", " "))
    except ValueError:
        return None
    url = next((w for w in words[1:] if re.match(r"https?://", w, re.I)), None)
    found = _url(url, "a curl command") if url else Request("", {}, "a curl command")
    params = dict(found.params)
    q = found.q
    for i, word in enumerate(words[:-1]):
        value = words[i + 1]
        if word in ("-d", "--data", "--data-raw", "--data-binary", "--data-urlencode"):
            if value.startswith("{"):
                body = _json_body(value)
                if body is not None:
                    q, params = body.q or q, {**params, **body.params}
                continue
            if word == "--data-urlencode":  # one `name=content`, which curl encodes: written as it is
                name, _, raw = value.partition("=")
                sent = Request(raw if name == "q" else "", {name: raw} if name in TAIL_PARAMS else {})
            else:  # a form body: `q=...&limit=5`, URL-encoded or not
                sent = _pairs(value, "a curl command")
            q, params = sent.q or q, {**params, **sent.params}
    return Request(q, params, "a curl command")


def tail_text(params: dict[str, str]) -> str:
    """Request parameters as a query tail: ``{"sort": "created_at:d", "limit": "20"}`` →
    ``order by created_at desc limit 20``."""
    parts = []
    sort = params.get("sort")
    if sort:
        key, _, direction = sort.partition(":")
        parts.append(f"order by {key}" + (" desc" if direction.lower().startswith("d") else ""))
    for name in ("limit", "offset"):
        if params.get(name):
            parts.append(f"{name} {params[name]}")
    if params.get("fields"):
        parts.append("fields " + re.sub(r",\s*", ", ", params["fields"]))
    return " ".join(parts)
