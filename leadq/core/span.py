"""Places in a text: `Span`, a 0-based, half-open range of character offsets.

Line and column are worked out only when a diagnostic is rendered (`leadq.core.diagnostics`).
"""

from __future__ import annotations

from typing import NamedTuple


class Span(NamedTuple):
    """A 0-based, half-open range of character offsets into the source text.

    A named tuple rather than an attrs class: the parser makes one per token, and tuples
    are the cheapest immutable values Python has.
    """

    start: int
    end: int


NO_SPAN = Span(0, 0)
