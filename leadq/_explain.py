"""Explain: what a filter means per criterion, what is redundant, and why it cannot compile."""

from __future__ import annotations

from collections.abc import Mapping

from ._analysis import Analysis
from ._diagnostics import Diagnostic, LeadqError, render_diagnostics
from ._schema import LEADS_LIST, Schema


def explain(
    text: str, params: Mapping[str, object] | None = None, *, schema: Schema = LEADS_LIST, fetch: bool = False
) -> str:
    """A person's account of a filter.

    The normalized constraint per criterion, the conditions that are redundant or always
    true, the compiled q; or, when it cannot compile, why: for a filter that never matches,
    the smallest set of conditions that contradict each other, and a plan of requests when
    one q is not enough.

    `params` are the values of the filter's placeholders (see `leadq.compile`). With
    ``fetch=True``, how `leadq.pushdown` runs the filter instead: "sent to the API: …"
    with the requests' q, and "checked here: …" with the residual.

    Raises:
        TypeError: `text` is not a str, `params` not a mapping, or `schema` not a Schema.
    """
    from ._api import analyze as checked_analyze

    if fetch:
        from ._api import pushdown

        try:
            return pushdown(text, params, schema=schema).explain()
        except LeadqError as e:
            return _problems(text, e.diagnostics)
    return explain_analysis(checked_analyze(text, params, schema=schema))


def explain_analysis(a: Analysis) -> str:
    """`explain` of an analysis already made."""
    text = a.text
    contradictions = [d for d in a.diagnostics if d.code == "E401"]
    if contradictions:
        lines = ["never matches: these conditions contradict each other:"]
        lines += [f"  `{_piece(text, d)}` ({d.line}:{d.column})" for d in contradictions]
        return "\n".join(lines)
    found = a.algebra_and_boxes() if not a.errors or {d.code for d in a.errors} <= {"E402", "E403", "E404"} else None
    if found is None:
        return _problems(text, a.errors)
    algebra, boxes = found
    box = algebra.single(boxes)
    if box is None:
        return "\n".join([_problems(text, a.errors), *_plan_lines(a)])
    constraints = algebra.constraints(box)
    lines = ["per field:"] if constraints else ["per field: no condition (every lead)"]
    lines += [f"  {c.criterion.name}: {c.criterion.kind.describe(c)}" for c in constraints]
    notes = [d for d in a.diagnostics if d.code in ("W602", "W603")]
    if notes:
        lines.append("redundant:")
        lines += [f"  `{_piece(text, d)}` ({d.line}:{d.column}): {_why(d)}" for d in notes]
    if a.q is None:
        return "\n".join([*lines, _problems(text, a.errors), *_plan_lines(a)])
    lines.append(f"q: {a.q}")
    return "\n".join(lines)


def _plan_lines(a: Analysis) -> list[str]:
    try:
        p = a.plan()
    except LeadqError:
        return []
    overlap = "" if p.disjoint else "; merge them by lead id, they may overlap"
    return [f"plan: {len(p.requests)} requests{overlap}:", *(f"  q: {q}" for q in p.requests)]


def _piece(text: str, d: Diagnostic) -> str:
    return " ".join(text[d.start : d.end].split())


def _why(d: Diagnostic) -> str:
    return "always true" if d.code == "W603" else "implied by the other conditions"


def _problems(text: str, diagnostics: list[Diagnostic]) -> str:
    return "cannot compile:\n" + render_diagnostics(diagnostics, text)
