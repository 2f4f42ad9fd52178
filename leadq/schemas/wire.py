"""The facts of the `q` wire format (q-format.md), in one place.

Term boundaries, the longest value, what a value may contain, numbers' range, the
implementation-only criterion names: emit, decompile, `evaluate_q` and plan all read them
from here, so they cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

from ..core.diagnostics import Problem
from ..core.span import Span

#: The longest value `q` may carry (the API's string type), id lists included.
MAX_VALUE_LENGTH = 255
#: Numbers (ids, seconds) are signed 64-bit integers.
MAX_NUMBER = 2**63 - 1
MIN_NUMBER = -(2**63)
#: Operators a server reads; compile emits only the first three.
OPERATORS = ("=", ">=", "<=", ">", "<")
#: Criterion names the API's implementation validates though the docs do not list them
#: (leads-list.md): a server would read `<name>=` inside a value as a new term.
IMPLEMENTATION_NAMES = ("entry_page", "keyword")


@attrs.frozen
class Term:
    """One term of a q string: `name`, `op`, and the value with its place."""

    name: str
    op: str
    value: str
    span: Span
    value_span: Span


def split_terms(q: str, term_start: re.Pattern[str]) -> tuple[Span | None, list[Term]]:
    """The terms of `q` by the term model (`term_start`: a schema's `Schema.term_start`),
    and the span of leading text that starts no term (None when q starts with a term or
    is blank)."""
    offset = len(q) - len(q.lstrip())
    starts = list(term_start.finditer(q, offset))
    junk = None
    if q.strip() and (not starts or starts[0].start() != offset):
        end = starts[0].start() if starts else len(q)
        junk = Span(offset, offset + len(q[offset:end].rstrip()))
    terms = []
    for k, m in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(q)
        value = q[m.end() : end].rstrip()
        value_span = Span(m.end(), m.end() + len(value))
        terms.append(Term(m.group(1), m.group(2), value, Span(m.start(), value_span.end), value_span))
    return junk, terms


def iter_ids(value: str, start: int) -> Iterator[tuple[str, Span]]:
    """The comma-separated ids of an id list value, each with its span."""
    pos = start
    for part in value.split(","):
        yield part, Span(pos, pos + len(part))
        pos += len(part) + 1


def is_digits(text: str) -> bool:
    """ASCII digits only, at least one (`str.isdigit` also takes `١٢٣` and `²`)."""
    return text.isascii() and text.isdigit()  # on ASCII text, isdigit is exactly 0-9


#: Ints of more bits than this are past what Python writes in decimal (4,300 digits).
WRITABLE_BITS = 14_000


def int_text(n: int) -> str:
    """An int as a literal's text: its digits, or, past what Python writes in decimal, the
    nearest number out of range (as `read_int` reads a long one: its digits decide nothing)."""
    if n.bit_length() <= WRITABLE_BITS:
        return str(n)
    return str(MIN_NUMBER - 1 if n < 0 else MAX_NUMBER + 1)


def read_int(text: str) -> int | None:
    """An optionally signed ASCII integer, or None. Beyond 64 bits, the nearest number
    out of range (so that a thousand digits cost no more than twenty)."""
    negative = text[:1] == "-"
    body = text[1:] if negative else text
    if not is_digits(body):
        return None
    if len(body.lstrip("0")) > len(str(MAX_NUMBER)):
        return MIN_NUMBER - 1 if negative else MAX_NUMBER + 1
    return int(text)


def check_value(value: str, term_break: re.Pattern[str], span: Span, what: str) -> None:
    """Raise a `Problem` when `value` cannot be written into q as it is (`term_break`: a
    schema's `Schema.term_break`)."""
    if not value:
        raise Problem("value_empty", span, what=what)
    found = _FORBIDDEN.search(value)
    bad = found.group(0) if found else None
    if bad is not None:
        raise Problem("value_control", span, what=what, char=f"U+{ord(bad):04X}")
    if value != value.strip():
        raise Problem("value_outer_space", span, what=what)
    if len(value) > MAX_VALUE_LENGTH:
        raise Problem("value_too_long", span, what=what, length=len(value), limit=MAX_VALUE_LENGTH)
    m = term_break.search(value)
    if m:
        raise Problem("value_injects_term", span, what=what, term=m.group(0).strip())


def value_problem(value: str, term_break: re.Pattern[str], span: Span, what: str) -> Problem | None:
    """Why `value` cannot be written into q, if it cannot."""
    try:
        check_value(value, term_break, span, what)
    except Problem as p:
        return p
    return None


#: Control characters (Unicode category Cc), lone surrogates (Cs) and the line and
#: paragraph separators: what q never carries.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
