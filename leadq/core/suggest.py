""" "Did you mean": the nearest known word to a misspelt one."""

from __future__ import annotations

import re
from collections.abc import Iterable


def edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to `word` (ignoring case first), if any is near enough.

    Never `word` itself: a hint must not suggest what is already written.
    """
    candidates = [c for c in candidates if c != word]
    for c in candidates:
        if c.lower() == word.lower():
            return c
    if len(word) > 64:
        return None
    scored = sorted((edit_distance(word.lower(), c.lower()), c) for c in candidates)
    if scored and scored[0][0] <= max(1, len(word) // 3):
        return scored[0][1]
    return None


_DID_YOU_MEAN = re.compile(r"did you mean `([^`\s]+)`\?")


def replacement(hint: str | None) -> str | None:
    """The word a "did you mean `x`?" hint offers for the diagnostic's span (editors
    apply it as a quick fix); None for any other hint."""
    m = _DID_YOU_MEAN.search(hint or "")
    return m.group(1) if m else None
