"""Explain: what a filter means per criterion, what is redundant, and why it cannot compile."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..analysis.boxes import Algebra, Box
from ..core.diagnostics import Diagnostic, LeadqError, Severity, render_diagnostics
from ..schemas.kinds import kind_of
from .plan import Plan


def explain_parts(
    text: str,
    diagnostics: Sequence[Diagnostic],
    found: tuple[Algebra, list[Box]] | None,
    q: str | None,
    plan: Callable[[], Plan],
) -> str:
    """`leadq.explain` of a filter already analysed: its text, every diagnostic, its box
    algebra (None when errors came before it), its q, and how to get its plan."""
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    contradictions = [d for d in diagnostics if d.code == "E401"]
    if contradictions:
        lines = ["never matches: these conditions contradict each other:"]
        lines += [f"  `{_piece(text, d)}` ({d.line}:{d.column})" for d in contradictions]
        return "\n".join(lines)
    if errors and not {d.code for d in errors} <= {"E402", "E403", "E404", "E407"}:
        found = None
    if found is None:
        return problems(text, errors)
    algebra, boxes = found
    box = algebra.single(boxes)
    if box is None:
        return "\n".join([problems(text, errors), *_plan_lines(plan)])
    constraints = algebra.constraints(box)
    lines = ["per field:"] if constraints else ["per field: no condition (every lead)"]
    lines += [f"  {c.criterion.name}: {kind_of(c.criterion).describe(c)}" for c in constraints]
    notes = [d for d in diagnostics if d.code in ("W602", "W603")]
    if notes:
        lines.append("redundant:")
        lines += [f"  `{_piece(text, d)}` ({d.line}:{d.column}): {_why(d)}" for d in notes]
    if q is None:
        return "\n".join([*lines, problems(text, errors), *_plan_lines(plan)])
    lines.append(f"q: {q}")
    return "\n".join(lines)


def _plan_lines(plan: Callable[[], Plan]) -> list[str]:
    try:
        p = plan()
    except LeadqError as e:
        return ["no plan either:", *(f"  {d.code} {d.message}" for d in e.diagnostics if d.severity is Severity.ERROR)]
    overlap = "" if p.disjoint else "; merge them by id, they may overlap"
    return [f"plan: {len(p.requests)} requests{overlap}:", *(f"  q: {q}" for q in p.requests)]


def _piece(text: str, d: Diagnostic) -> str:
    return " ".join(text[d.start : d.end].split())


def _why(d: Diagnostic) -> str:
    return "always true" if d.code == "W603" else "implied by the other conditions"


def problems(text: str, diagnostics: Sequence[Diagnostic]) -> str:
    return "cannot compile:\n" + render_diagnostics(diagnostics, text)
