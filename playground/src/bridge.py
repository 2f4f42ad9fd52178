"""The playground's Python side, run by Pyodide in the browser: leadq's own functions,
answered as JSON for the page (the same calls the language server makes)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

import leadq
from leadq.core.suggest import replacement

SCHEMAS = {"Leads.list": leadq.LEADS_LIST, "Leads.listRouted": leadq.LEADS_LIST_ROUTED}


def _schema(method: str) -> leadq.Schema:
    return SCHEMAS.get(method, leadq.LEADS_LIST)


def _diagnostic(d: leadq.Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        "hint": d.hint,
        "from": d.start,
        "to": d.end,
        "line": d.line,
        "column": d.column,
        "fix": replacement(d.hint),
    }


def analyze(text: str, method: str, role: str) -> str:
    """Diagnostics, q, the request's parameters and URL, the plan and the explanation."""
    schema = _schema(method)
    a = leadq.analyze(text, schema=schema, role=role or None)
    out: dict[str, Any] = {
        "diagnostics": [_diagnostic(d) for d in a.diagnostics],
        "q": a.q,
        "params": a.params,
        "url": f"{schema.endpoint}?{urlencode(a.params, quote_via=quote, safe='')}" if a.ok else None,
        "plan": None,
        "explain": a.explain() if a.tree is not None else "",
    }
    if not a.ok and any(d.code == "E402" for d in a.diagnostics):
        try:
            plan = a.plan()
            out["plan"] = {"requests": list(plan.requests), "disjoint": plan.disjoint}
        except leadq.LeadqError:
            pass
    return json.dumps(out, ensure_ascii=False)


def decompile(q: str, method: str) -> str:
    """The filter a raw q means, with the diagnostics of reading it."""
    a = leadq.analyze(q, schema=_schema(method), q=True)
    text = leadq.format(a.tree) if a.tree is not None and not a.errors else None
    return json.dumps({"filter": text, "diagnostics": [_diagnostic(d) for d in a.diagnostics]}, ensure_ascii=False)


def complete(text: str, cursor: int, method: str) -> str:
    c = leadq.complete(text, cursor, schema=_schema(method))
    items = [
        {
            "label": i.label,
            "kind": i.kind,
            "insert": i.insert,
            "cursor": i.cursor,
            "detail": i.detail,
            "documentation": i.documentation,
        }
        for i in c.items
    ]
    return json.dumps({"from": c.range.start, "to": c.range.end, "items": items}, ensure_ascii=False)


def hover(text: str, offset: int, method: str) -> str:
    h = leadq.hover(text, offset, schema=_schema(method))
    if h is None:
        return "null"
    return json.dumps({"from": h.range.start, "to": h.range.end, "text": h.contents}, ensure_ascii=False)
