"""The playground's Python side, run by Pyodide in the browser: leadq's own functions,
answered as JSON for the page (the same calls the language server makes).

Every position crossing this module is in the page's unit, UTF-16 code units (what
JavaScript and CodeMirror count); leadq counts code points. `Places` converts, in this one
place, for diagnostics, fixes, completion and hover alike.

Every API method the page offers comes from `registry()`: `leadq.METHODS` where this leadq
has it, else the two schemas leadq has always shipped. The page builds its menu from
`methods()` and `roles()`, and names no method itself.
"""

from __future__ import annotations

import functools
import json
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from typing import Any

import leadq


class Places:
    """Offsets in one text, between the page's UTF-16 code units and leadq's code points.

    They differ after every character outside the Basic Multilingual Plane (an emoji,
    `𝄞`, `𠀀`): two code units in the page, one code point in leadq.
    """

    def __init__(self, text: str) -> None:
        #: the code-point offset of each astral character, and where each starts in the page
        self._astral = [i for i, c in enumerate(text) if ord(c) > 0xFFFF]
        self._page_starts = [i + k for k, i in enumerate(self._astral)]
        self._length = len(text)

    def to_page(self, offset: int) -> int:
        """leadq's offset (code points) as the page's (UTF-16 code units)."""
        return offset + bisect_left(self._astral, offset)

    def to_leadq(self, offset: int) -> int:
        """The page's offset as leadq's, clamped to the text; an offset between the two
        halves of a surrogate pair is the start of their character."""
        offset = max(0, min(offset, self._length + len(self._astral)))
        before = bisect_right(self._page_starts, offset - 2)  # astral characters wholly before
        if before < len(self._page_starts) and self._page_starts[before] == offset - 1:
            return self._astral[before]
        return offset - before

    def span(self, start: int, end: int) -> dict[str, int]:
        return {"from": self.to_page(start), "to": self.to_page(end)}


# -- the API methods -------------------------------------------------------------------------


@functools.cache
def registry() -> Mapping[str, leadq.Schema]:
    """Every API method the page offers, name → schema: `leadq.METHODS` where this leadq
    has it, else the two schemas leadq has always shipped. The one place that reads
    leadq's methods: the menu and every look-up go through it. (The registry builds a
    schema when it is first asked for; listing the names builds none.)"""
    shipped: Mapping[str, leadq.Schema] | None = getattr(leadq, "METHODS", None)
    if shipped is None:  # a leadq from before the method registry
        shipped = {s.method: s for s in (leadq.LEADS_LIST, leadq.LEADS_LIST_ROUTED)}
    return shipped


def _default() -> str:
    methods = registry()
    return leadq.LEADS_LIST.method if leadq.LEADS_LIST.method in methods else next(iter(methods))


def _schema(method: str) -> tuple[str, leadq.Schema]:
    """The method's name and schema; an unknown name means the default method."""
    methods = registry()
    name = method if method in methods else _default()
    return name, methods[name]


def methods() -> str:
    """The menu: the methods grouped by resource (the part of the name before the dot),
    in the registry's order, and the method a page starts with."""
    groups: dict[str, list[str]] = {}
    for name in registry():
        groups.setdefault(name.partition(".")[0], []).append(name)
    menu = [{"resource": resource, "methods": names} for resource, names in groups.items()]
    return json.dumps({"default": _default(), "groups": menu}, ensure_ascii=False)


def roles(method: str) -> str:
    """The roles the method's schema names (for W606), for the role menu."""
    return json.dumps(list(_schema(method)[1].roles))


def version() -> str:
    return leadq.__version__


# -- what the page shows -----------------------------------------------------------------------


def _diagnostic(d: leadq.Diagnostic, places: Places) -> dict[str, Any]:
    """A diagnostic for the page, with its fixes (`Diagnostic.fixes`, in the page's unit):
    `fixes` lists each one's title, whether it is safe, and its edits as CodeMirror
    changes; `fix` is the replacement of the first fix that replaces exactly the
    diagnostic's span (the page's one-click "Replace with" button)."""
    fixes = [
        {
            "title": f.title,
            "safe": f.safe,
            "edits": [{**places.span(e.start, e.end), "insert": e.replacement} for e in f.edits],
        }
        for f in d.fixes
    ]
    spans = (f.edits[0] for f in d.fixes if len(f.edits) == 1)
    return {
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        "hint": d.hint,
        **places.span(d.start, d.end),
        "line": d.line,
        "column": d.column,
        "fix": next((e.replacement for e in spans if (e.start, e.end) == (d.start, d.end)), None),
        "fixes": fixes,
    }


def _piece(text: str, d: leadq.Diagnostic, places: Places) -> dict[str, Any]:
    """The source of a diagnostic's span, as the explanation names it."""
    return {
        "text": " ".join(text[d.start : d.end].split()),
        **places.span(d.start, d.end),
        "line": d.line,
        "column": d.column,
    }


_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")


def _quote(text: str) -> str:
    """`urllib.parse.quote(text, safe="")`, as `leadq compile --format url` writes a
    request, without importing urllib.parse: it imports ipaddress, which builds tables as
    it loads, a tenth of a second in the page (a test compares the two)."""
    return "".join(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in text.encode())


def _request(schema: leadq.Schema, params: Mapping[str, str]) -> dict[str, Any]:
    query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in params.items())
    url = f"{schema.endpoint}?{query}" if schema.endpoint else None
    return {"q": params.get("q", ""), "params": dict(params), "url": url}


def _per_field(explained: str) -> list[dict[str, str]]:
    """The constraint on each field, read from `Analysis.explain()`'s "per field:" block
    (two-space-indented `field: meaning` lines)."""
    fields: list[dict[str, str]] = []
    inside = False
    for line in explained.splitlines():
        if line.startswith("per field:"):
            inside = True
        elif inside and line.startswith("  ") and ": " in line:
            name, _, meaning = line.strip().partition(": ")
            fields.append({"field": name, "meaning": meaning})
        else:
            inside = False
    return fields


def _run(text: str, schema: leadq.Schema) -> dict[str, Any] | None:
    """How `leadq.pushdown` runs the filter: what is sent, what is checked here. (Not
    asked of a filter that matches no lead: that is all there is to say of it.)"""
    try:
        p = leadq.pushdown(text, schema=schema)
    except leadq.LeadqError:
        return None
    return {
        "sent": p.sent,
        "requests": list(p.requests),
        "disjoint": p.disjoint,
        "checked": p.residual,
        "reads": list(p.residual_fields),
        "params": dict(p.params),
    }


def _explanation(a: leadq.Analysis, places: Places, run: dict[str, Any] | None) -> dict[str, Any]:
    text = a.text
    contradiction = [_piece(text, d, places) for d in a.diagnostics if d.code == "E401"]
    redundant = [
        {**_piece(text, d, places), "why": "always true" if d.code == "W603" else "implied by the other conditions"}
        for d in a.diagnostics
        if d.code in ("W602", "W603")
    ]
    fields = _per_field(a.explain()) if a.tree is not None and not contradiction else []
    return {"fields": fields, "redundant": redundant, "contradiction": contradiction, "run": run}


def analyze(text: str, method: str, role: str) -> str:
    """Everything the page shows for a filter: the diagnostics, q, the requests (one, or
    a plan's), the plan and the explanation."""
    name, schema = _schema(method)
    places = Places(text)
    a = leadq.analyze(text, schema=schema, role=role or None)
    run = _run(text, schema) if a.tree is not None and not any(d.code == "E401" for d in a.diagnostics) else None
    requests: list[dict[str, Any]] = []
    plan = None
    if a.ok:
        requests = [_request(schema, a.params)]
    elif any(d.code == "E402" for d in a.diagnostics):
        try:
            p = a.plan()
        except leadq.LeadqError:
            pass
        else:
            tail = run["params"] if run else {}
            requests = [_request(schema, {"q": q, **tail}) for q in p.requests]
            plan = {"disjoint": p.disjoint}
    out = {
        "method": name,
        "diagnostics": [_diagnostic(d, places) for d in a.diagnostics],
        "q": a.q,
        "requests": requests,
        "plan": plan,
        "explanation": _explanation(a, places, run),
    }
    return json.dumps(out, ensure_ascii=False)


def decompile(q: str, method: str) -> str:
    """The filter a raw q means, with the diagnostics of reading it."""
    name, schema = _schema(method)
    a = leadq.analyze(q, schema=schema, q=True)
    text = leadq.format(a.tree) if a.tree is not None and not a.errors else None
    places = Places(q)
    diagnostics = [_diagnostic(d, places) for d in a.diagnostics]
    return json.dumps({"method": name, "filter": text, "diagnostics": diagnostics}, ensure_ascii=False)


def complete(text: str, cursor: int, method: str) -> str:
    """Completions at the page's `cursor`: the range they replace, in the page's unit,
    and each item's text and where the cursor goes in it."""
    places = Places(text)
    c = leadq.complete(text, places.to_leadq(cursor), schema=_schema(method)[1])
    items = [
        {
            "label": i.label,
            "kind": i.kind,
            "insert": i.insert,
            "cursor": Places(i.insert).to_page(i.cursor),
            "detail": i.detail,
            "documentation": i.documentation,
        }
        for i in c.items
    ]
    return json.dumps({**places.span(c.range.start, c.range.end), "items": items}, ensure_ascii=False)


def hover(text: str, offset: int, method: str) -> str:
    """What the word at the page's `offset` means, and its range in the page's unit."""
    places = Places(text)
    h = leadq.hover(text, places.to_leadq(offset), schema=_schema(method)[1])
    if h is None:
        return "null"
    return json.dumps({**places.span(h.range.start, h.range.end), "text": h.contents}, ensure_ascii=False)
