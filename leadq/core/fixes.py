"""Fixes as data: `Fix`, its `Edit`s and `Applicability`, and the recipe of each finding
key that has one (`FIXES`), from which a diagnostic's fixes are made (`fixes_of`).

A *fix* is data on a diagnostic (`Diagnostic.fixes`): a title, the edits (character offsets
into the same text, and the replacement) and whether it is safe. A safe fix keeps the
filter's meaning (an alias spelled out, a repeated value removed); an unsafe fix is a guess
at what was meant (a "did you mean"). Editors, the playground and `leadq check --fix` read
fixes from the diagnostics, never from the hint's words.

A pass's finding carries what its fix needs (the guess, the span to replace or remove) in
its fields; a recipe in `FIXES` turns those fields into the `Fix`. Giving a finding key a
fix is one row of `FIXES`, e.g. ``"unknown_field_guess": Replace("{guess}")``.

Its own module, apart from the codes (`leadq.core.rules`): a filter without a diagnostic
never loads it, so start-up does not pay for its classes.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

import attrs

from .span import Span

# -- fixes as data --------------------------------------------------------------------------


class Applicability(enum.StrEnum):
    """Whether a fix keeps the filter's meaning."""

    #: the filter means the same after the fix: `leadq check --fix` applies it
    SAFE = "safe"
    #: a guess at what was meant: applied only with `--unsafe-fixes`
    UNSAFE = "unsafe"


@attrs.frozen
class Edit:
    """Replace the characters ``start`` to ``end`` (0-based, half-open offsets into the
    text the diagnostic was made from, in code points) with ``replacement``.

    An insertion has ``start == end``; a deletion an empty ``replacement``.
    """

    start: int
    end: int
    replacement: str


@attrs.frozen
class Fix:
    """A change that resolves a diagnostic.

    Attributes:
        title: what it does, for a person: ``"Replace with `site`"``.
        edits: the edits, in order, none overlapping another.
        applicability: ``"safe"`` (the meaning is kept) or ``"unsafe"`` (a guess).
    """

    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability

    @property
    def safe(self) -> bool:
        return self.applicability is Applicability.SAFE

    def apply(self, text: str) -> str:
        """`text` with this fix's edits made."""
        return apply_fixes(text, [self])[0]


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, list[Fix]]:
    """`text` with as many of `fixes` made as do not overlap each other, and the fixes made.

    Fixes are taken in the order of their first edit; one whose edits overlap an edit
    already taken (or insert at the same place) is left for a later round, after the
    text is analysed again.
    """
    taken: list[Fix] = []
    edits: list[Edit] = []
    for fix in sorted(fixes, key=lambda f: (f.edits[0].start, f.edits[0].end) if f.edits else (-1, -1)):
        if not fix.edits or any(_overlap(e, o) for e in fix.edits for o in edits):
            continue
        taken.append(fix)
        edits += fix.edits
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: e.start] + e.replacement + text[e.end :]
    return text, taken


def _overlap(a: Edit, b: Edit) -> bool:
    return a.start == b.start or (a.start < b.end and b.start < a.end)


# -- recipes: a finding's fields → a fix ----------------------------------------------------


#: The field names each template fills, found once per template.
_NAMES: dict[str, list[str]] = {}


def _names(template: str) -> list[str]:
    names = _NAMES.get(template)
    if names is None:  # a few dozen templates: the pattern is compiled on first use, not at start-up
        names = _NAMES[template] = re.findall(r"\{(\w+)", template)
    return names


def _filled(template: str, fields: Mapping[str, object], new: str | None = None) -> str | None:
    """The template with the finding's fields (and `{new}`, the replacement a title
    names); None when one it names is missing."""
    names = _names(template)
    values = {}
    for name in names:
        value = new if name == "new" and new is not None else fields.get(name)
        if value is None or isinstance(value, Span):
            return None
        values[name] = value
    if len(names) == 1 and len(template) == len(names[0]) + 2 and names[0].isidentifier():  # `{guess}`: the value
        return format(values[names[0]], "")
    return template.format(**values)


def _span(span: Span, fields: Mapping[str, object], at: str | None) -> Span | None:
    if at is None:
        return span
    value = fields.get(at)
    return value if isinstance(value, Span) else None


class _Safety:
    """A recipe's `safe` flag as the applicability of the fixes it makes."""

    __slots__ = ()
    safe: bool

    @property
    def applicability(self) -> Applicability:
        return Applicability.SAFE if self.safe else Applicability.UNSAFE


@attrs.frozen
class Replace(_Safety):
    """Replace the finding's span (or the span in field `at`) with `text`, a template over
    the finding's fields."""

    text: str
    at: str | None = None
    title: str = "Replace with `{new}`"
    safe: bool = False

    def build(self, span: Span, fields: Mapping[str, object], text: str) -> Fix | None:
        where = _span(span, fields, self.at)
        new = _filled(self.text, fields)
        if where is None or new is None or text[where.start : where.end] == new:
            return None
        title = _filled(self.title, fields, new)
        return Fix(title or f"Replace with `{new}`", (Edit(where.start, where.end, new),), self.applicability)


@attrs.frozen
class Insert(_Safety):
    """Insert `text` (a template) at the start or the end of the finding's span."""

    text: str
    where: str = "end"  # or "start"
    title: str = "Insert `{new}`"
    safe: bool = False

    def build(self, span: Span, fields: Mapping[str, object], text: str) -> Fix | None:
        new = _filled(self.text, fields)
        if new is None:
            return None
        at = span.end if self.where == "end" else span.start
        title = _filled(self.title, fields, new)
        return Fix(title or f"Insert `{new}`", (Edit(at, at, new),), self.applicability)


@attrs.frozen
class Remove(_Safety):
    """Delete the span, or every span, that field `at` holds."""

    at: str
    title: str = "Remove it"
    safe: bool = False

    def build(self, span: Span, fields: Mapping[str, object], text: str) -> Fix | None:
        value = fields.get(self.at)
        spans: Sequence[object] = (value,) if isinstance(value, Span) else value if isinstance(value, tuple) else ()
        edits = tuple(Edit(s.start, s.end, "") for s in spans if isinstance(s, Span) and s.start < s.end)
        if not edits or len(edits) != len(spans):
            return None
        title = _filled(self.title, fields)
        return Fix(title or "Remove it", edits, self.applicability)


@attrs.frozen
class Apply(_Safety):
    """Make the edit the finding carries in field `at`: a ``(start, end, replacement)``
    tuple its pass worked out (the habits of other languages carry one as ``edit``)."""

    at: str = "edit"
    title: str = "Write `{new}`"
    safe: bool = False

    def build(self, span: Span, fields: Mapping[str, object], text: str) -> Fix | None:
        edit = fields.get(self.at)
        if not isinstance(edit, tuple) or len(edit) != 3:
            return None
        start, end, new = edit
        if not (isinstance(start, int) and isinstance(end, int) and isinstance(new, str)):
            return None
        if not (0 <= start <= end <= len(text)):
            return None
        old = text[start:end].strip()
        title = f"Remove `{old}`" if not new and old else _filled(self.title, fields, new)
        return Fix(title or f"Write `{new}`", (Edit(start, end, new),), self.applicability)


Recipe = Replace | Insert | Remove | Apply

#: The fix of each finding key that has one. Safe: the filter means the same after it;
#: the rest are guesses. Each is documented in docs/diagnostics.md ("Autofix:").
FIXES: Mapping[str, Recipe] = MappingProxyType(
    {
        # E102: a value straight after a field name: the `=` that was left out
        "unexpected_token_operator": Replace(" = ", at="gap", title="Write `{previous} = {token}`"),
        # E102: a keyword where a value goes: the keyword as a quoted value
        "unexpected_token_keyword": Replace('"{token}"', title="Quote `{token}`"),
        "unterminated_string": Insert("{quote}", title="Close the string with {quote}"),
        "bad_escape": Insert("\\", where="start", title="Escape the backslash"),
        "unknown_field_guess": Replace("{guess}"),
        "period_operator": Replace("{field} = {period}"),
        "unknown_sort_key_guess": Replace("{guess}"),
        "unknown_result_field_guess": Replace("{guess}"),
        "unknown_subfield_guess": Replace("{guess}"),
        "plain_result_field": Replace("{name}", title="Ask for the whole `{name}`"),
        "not_an_enum_value_guess": Replace("{guess}"),
        "unknown_term_guess": Replace("{guess}", at="name_span"),
        "implied": Remove("remove", title="Remove the implied condition", safe=True),
        "always_true": Remove("remove", title="Remove the condition that is always true", safe=True),
        "duplicate_value": Remove("remove", title="Remove the repeated `{value}`", safe=True),
        "more_duplicates": Remove("remove", title="Remove the repeated values", safe=True),
        "alias": Replace("{field}", title="Write `{field}`", safe=True),
        "q_alias": Replace("{q_name}", title="Write `{q_name}`", safe=True),
        # The habits of other languages (leadq/language/habits.py): the edit each worked out.
        # Safe where the other language's text has one reading, which the fix writes;
        # unsafe where it guesses (a day-month order, `,` for `and`, a unit, a dropped part).
        "between_and": Apply(safe=True),
        "colon_condition": Apply(safe=True),
        "comment": Apply(safe=True),
        "composed_operator": Apply(safe=True),
        "dot_range": Apply(safe=True),
        "doubled_quote": Apply(safe=True),
        "equals_list": Apply(safe=True),
        "foreign_keyword": Apply(safe=True),
        "invisible": Apply(safe=True),
        "is_boolean": Apply(safe=True),
        "is_null": Apply(safe=True),
        "like": Apply(safe=True),
        "limit_comma": Apply(safe=True),
        "list_without_comma": Apply(safe=True),
        "list_without_parens": Apply(safe=True),
        "logic_function": Apply(safe=True),
        "logic_symbol": Apply(safe=True),
        "lucene_range": Apply(safe=True),
        "operator_without_field": Apply(safe=True),
        "order_without_by": Apply(safe=True),
        "period_phrase": Apply(safe=True),
        "quoted_field": Apply(safe=True),
        "raw_q": Apply(safe=True),
        "short_date": Apply(safe=True),
        "slashed_date": Apply(safe=True),
        "smart_quote": Apply(safe=True),
        "sort_by": Apply(safe=True),
        "sort_direction": Apply(safe=True),
        "sort_minus": Apply(safe=True),
        "spaced_datetime": Apply(safe=True),
        "sql_where": Apply(safe=True),
        "square_list": Apply(safe=True),
        "tail_equals": Apply(safe=True),
        "tail_order": Apply(safe=True),
        "trailing_comma": Apply(safe=True),
        "trailing_semicolon": Apply(safe=True),
        "unexpected_character_quote": Apply(safe=True),
        "value_without_field": Apply(safe=True),
        "wildcard": Apply(safe=True),
        "word_operator": Apply(safe=True),
        "comma_join": Apply(),
        "date_math": Apply(),
        "decimal_comma": Apply(),
        "dotted_date": Apply(),
        "duration_as_date": Apply(),
        "function_call": Apply(),
        "fuzzy": Apply(),
        "missing_and": Apply(),
        "number_unit": Apply(),
        "range_dash": Apply(),
        "regex": Apply(),
        "semicolon": Apply(),
        "sort_several": Apply(),
        "sql_select": Apply(),
        "tilde": Apply(),
        "unopened_paren": Apply(),
        "words_value": Apply(),
    }
)


def fixes_of(key: str, span: Span, fields: Mapping[str, object], text: str) -> tuple[Fix, ...]:
    """The fixes of finding `key` with `fields`, in `text` (none when the fields lack what
    the recipe needs, or an edit falls outside the text)."""
    recipe = FIXES.get(key)
    if recipe is None:
        return ()
    fix = recipe.build(span, fields, text)
    if fix is None or not _well_placed(fix.edits, len(text)):
        return ()
    return (fix,)


def _well_placed(edits: Sequence[Edit], length: int) -> bool:
    """Inside the text, in order, and none overlapping another."""
    end = 0
    for i, e in enumerate(edits):
        if not end <= e.start <= e.end <= length or (i and e.start == edits[i - 1].start):
            return False
        end = e.end
    return True
