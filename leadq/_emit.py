"""Emit pass: a union of boxes → the canonical `q` string (q-format.md), byte for byte.

The union must be one box whose every criterion one set of terms can say; each criterion's
kind writes its terms, and they are joined in the schema's order. Otherwise the code of the
failure is the one plans share (`Algebra.pieces`): E403/E404 when no set of requests can
say the filter, else E402 (it needs several requests), so that compile's error predicts
exactly what `plan` does.
"""

from __future__ import annotations

from ._boxes import Algebra, Box
from ._diagnostics import Finding, Problem
from ._logic import Logic
from ._messages import code_of
from ._normalize import needs_several

#: Plans longer than this are refused unless the caller allows more.
MAX_REQUESTS = 16


def emit_q(algebra: Algebra, boxes: list[Box], logic: Logic) -> str:
    """The canonical q of a filter's union of boxes.

    Raises:
        Problem: E402, E403, E404 or E405, spanned at the conditions concerned.
    """
    box = algebra.single(boxes)
    if box is not None:
        try:
            return " ".join(algebra.terms(box))
        except Problem as p:
            unsayable = p
    algebra.pieces(boxes, MAX_REQUESTS)  # raises E403/E404 when no plan exists either
    if box is not None:  # one box, but some criterion needs several terms: E402
        raise Problem.of(
            f if code_of(f.key) == "E402" else Finding("several_terms", f.span, {"field": f.fields.get("field", "")})
            for f in unsayable.findings
        )
    raise Problem.of(needs_several(algebra, logic))
