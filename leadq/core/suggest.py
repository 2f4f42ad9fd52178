""" "Did you mean": the nearest known word to a misspelt one."""

from __future__ import annotations

import functools
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


#: Words longer than this get no suggestion: no known name is nearly so long.
MAX_WORD = 64


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to `word` (ignoring case first), if any is near enough.

    Never `word` itself: a hint must not suggest what is already written. Bounded (a word
    over `MAX_WORD` characters gets none; a candidate whose length alone puts it out of
    reach is not compared) and remembered per word and candidates, so that a name
    repeated through a long input costs one search.
    """
    if len(word) > MAX_WORD:
        return next((c for c in candidates if c != word and c.lower() == word.lower()), None)
    return _closest(word, tuple(candidates))


@functools.lru_cache(maxsize=4096)
def _closest(word: str, candidates: tuple[str, ...]) -> str | None:
    others = [c for c in candidates if c != word]
    low = word.lower()
    for c in others:
        if c.lower() == low:
            return c
    reach = max(1, len(word) // 3)
    scored = sorted(
        (edit_distance(low, c.lower()), c) for c in others if abs(len(c) - len(word)) <= reach
    )
    if scored and scored[0][0] <= reach:
        return scored[0][1]
    # a name cut short (`created` for `created_at`): the one candidate it begins
    starting = [c for c in candidates if len(word) >= 3 and c.lower().startswith(word.lower())]
    return starting[0] if len(starting) == 1 else None


def by_words(written: str, table: Iterable[tuple[str, str]]) -> str | None:
    """The target of the word in `table` (pairs of a word and what it means) that
    `written` is, allowing for the endings of Russian and English (`результаты` for
    `результат`, `даты` for `дата`); None when none fits, or two targets fit equally. A
    written name of several parts (`дата_создания`) fits by any part."""
    written = written.lower().replace("\u0451", "\u0435")  # the letter yo is often written as ye
    parts = [p for p in re.split(r"[_.\-\s]+", written) if p]
    best: dict[int, set[str]] = {}
    for word, target in table:
        if written == word:
            return target
        if "_" in word or " " in word:
            continue
        stem = len(word) if len(word) <= 3 else max(3, len(word) - 2)
        for part in parts:
            common = _common_prefix(part, word)
            if common >= stem and stem <= len(part) <= len(word) + 3:
                best.setdefault(common, set()).add(target)
    if not best:
        return None
    targets = best[max(best)]
    return next(iter(targets)) if len(targets) == 1 else None


def _common_prefix(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
