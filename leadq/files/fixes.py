"""`leadq check --fix`: the fixes of saved filters made round by round, until none applies.

A round checks the filters, makes every fix wanted that does not overlap another
(`leadq.core.fixes.apply_fixes`), and checks the changed filters again: a fix may reveal
another finding, and overlapping fixes wait for the next round. The rounds are bounded,
and a filter that comes back to a text it had is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import attrs

from ..core.diagnostics import Diagnostic
from ..core.fixes import Applicability, apply_fixes

#: Rounds of fixing before the filters are reported as they are.
MAX_ROUNDS = 10


@attrs.frozen
class Fixed:
    """A filter after its fixes: the new text and how many fixes made it."""

    text: str
    fixes: int


def fix_filters(
    texts: Sequence[str],
    check: Callable[[Sequence[int], list[str]], Iterable[Sequence[Diagnostic]]],
    *,
    unsafe: bool = False,
    wanted: Callable[[int, Diagnostic], bool] = lambda i, d: True,
    rounds: int = MAX_ROUNDS,
) -> list[Fixed]:
    """Each filter of `texts` with its fixes made.

    Args:
        texts: the filters.
        check: the diagnostics of filters, given their numbers in `texts` and what they
            now read, in that order.
        unsafe: make unsafe fixes too (`--unsafe-fixes`); else only safe ones.
        wanted: whether the diagnostic `d` of filter number `i` is to be fixed (a code
            that is not selected, or suppressed on that filter, is not).
        rounds: at most this many rounds.
    """
    current = list(texts)
    made = [0] * len(current)
    seen = [{t} for t in current]
    active = list(range(len(current)))
    for _ in range(rounds):
        if not active:
            break
        still = []
        for i, diagnostics in zip(active, check(active, [current[i] for i in active]), strict=True):
            fixes = [
                f
                for d in diagnostics
                if wanted(i, d)
                for f in d.fixes
                if unsafe or f.applicability is Applicability.SAFE
            ]
            if not fixes:
                continue
            new, taken = apply_fixes(current[i], fixes)
            if new in seen[i]:
                continue
            seen[i].add(new)
            current[i] = new
            made[i] += len(taken)
            still.append(i)
        active = still
    return [Fixed(text, n) for text, n in zip(current, made, strict=True)]
