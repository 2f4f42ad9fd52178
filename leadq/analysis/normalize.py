"""Normalize pass: typed logic → an exact union of boxes (`leadq.analysis.boxes`), or why not.

How it stays exact. The atoms that mention one criterion cut its values into regions
(`leadq.schemas.regions`); every condition is then an exact set of regions, and the whole filter
an exact union of boxes, one region set per criterion. No guessing, no special cases per
operator. A union with no box matches no lead (E401): the smallest set of conditions that
contradict each other is found by deletion. The linter's W602 and W603 ask the same algebra
whether a condition adds anything.
"""

from __future__ import annotations

import re
from collections import Counter

from ..core.diagnostics import Finding, Problem
from ..core.span import Span
from ..schemas.logic import Conj, Logic, Neg, atoms, conjuncts
from ..schemas.schema import Schema
from .boxes import Algebra, Box

#: Deletion-based searches (the smallest contradicting set, redundant conditions) cost one
#: evaluation per condition; past this many top-level conditions they are skipped.
MAX_SEARCHED = 64


def normalize(logic: Logic, schema: Schema, text: str, *, why: bool = True) -> tuple[Algebra, list[Box]]:
    """The filter's algebra and its union of boxes.

    Raises:
        Problem: E307 (a period mixed with bounds), E401 (no lead matches: with `why`, at
            the smallest set of conditions that contradict each other, a search that
            costs an analysis per condition; else at the whole filter), E405.
    """
    algebra = Algebra(logic, schema, text)
    boxes = algebra.boxes(logic)
    if not boxes:
        whole = [Finding("never_true", Span(0, len(text)))]
        try:
            found = contradictions(algebra, logic) if why else whole
        except Problem:  # the search ran out of the algebra's budget (E405): the whole filter
            found = whole
        raise Problem.of(found)
    return algebra, boxes


def contradictions(algebra: Algebra, logic: Logic) -> list[Finding]:
    """E401 at the smallest set of top-level conditions that contradict each other."""
    core = conjuncts(logic)
    # Most contradictions sit within one criterion: try those groups first, cheaply.
    for name in algebra.atoms:
        group = [c for c in core if {a.criterion.name for a in atoms(c)} == {name}]
        if group and not algebra.boxes(Conj(tuple(group), group[0].span)):
            core = group
            break
    if len(core) > MAX_SEARCHED:
        core = [logic]
    for c in list(core):
        trial = [x for x in core if x is not c]
        if trial and not algebra.boxes(Conj(tuple(trial), c.span)):
            core = trial
    if len(core) == 1:
        return [Finding("never_true", core[0].span)]
    return [
        Finding(
            "contradicts",
            c.span,
            {"condition": c.span, "others": _listed(algebra.text, [o.span for o in core if o is not c])},
        )
        for c in core
    ]


def _listed(text: str, spans: list[Span]) -> str:
    from ..core.messages import source

    return " and ".join(f"`{source(text, s)}`" for s in spans)


def needs_several(algebra: Algebra, logic: Logic) -> list[Finding]:
    """E402 at the top-level conditions that are unions of several boxes."""
    culprits = [c for c in conjuncts(logic) if len(algebra.boxes(c)) > 1] or [logic]
    return [Finding("needs_several", c.span, {"condition": c.span}) for c in culprits]


def lint(algebra: Algebra, logic: Logic) -> list[Finding]:
    """W603 for conditions that are always true, W602 for those the others imply."""
    out: list[Finding] = []
    kept = conjuncts(logic)
    if len(kept) > MAX_SEARCHED:
        return []
    fields = {id(c): {a.criterion.name for a in atoms(c)} for c in kept}
    # how many of the kept conditions name each field: `c` shares a field with another
    # exactly when one of its fields is named by two of them
    uses = Counter(name for c in kept for name in fields[id(c)])
    every = sorted(kept, key=lambda c: c.span.start)
    for c in reversed(list(kept)):
        if algebra.boxes(c) == [{}]:
            out.append(Finding("always_true", c.span, {"condition": c.span}))
            kept = [x for x in kept if x is not c]
            uses.subtract(fields[id(c)])
            continue
        # The others (satisfiable, or there would be an error) can imply c only through a
        # field they share with it: the filter's values form a product over fields.
        if all(uses[name] < 2 for name in fields[id(c)]):
            continue
        others = [x for x in kept if x is not c]
        if not algebra.boxes(Conj((*others, Neg(c, c.span)), c.span)):
            out.append(Finding("implied", c.span, {"condition": c.span}))
            kept = others
            uses.subtract(fields[id(c)])
    if kept:  # the conditions found can all go at once; a filter left empty would be no fix
        spans = [c.span for c in every]
        out = [Finding(f.key, f.span, {**f.fields, "remove": _removal(algebra.text, spans, f.span)}) for f in out]
    return sorted(out, key=lambda f: f.span.start)


_BEFORE = re.compile(r"((?:\s*\))*)(\s*\band\s*)", re.IGNORECASE)
_AFTER = re.compile(r"(\s*\band\b\s*)((?:\(\s*)*)", re.IGNORECASE)


def _removal(text: str, spans: list[Span], span: Span) -> Span | None:
    """The stretch that removes the top-level condition at `span` with one `and` beside
    it, parentheses kept balanced; None when the text between it and its neighbours is
    more than an `and` and parentheses that stay."""
    if span not in spans:
        return None
    i = spans.index(span)
    if i > 0:  # `a and c` → `a`; `(a and b) and c` → `(a and b)`
        before = spans[i - 1]
        m = _BEFORE.fullmatch(text, before.end, span.start)
        if m and before.end <= span.start:
            return Span(m.end(1), span.end)
    if i + 1 < len(spans):  # `c and a` → `a`; `c and (a and b)` → `(a and b)`
        after = spans[i + 1]
        m = _AFTER.fullmatch(text, span.end, after.start)
        if m and span.end <= after.start:
            return Span(span.start, m.end(1))
    return None
