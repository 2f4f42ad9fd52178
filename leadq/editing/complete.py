"""Editing support: what may come next at a cursor (`complete`), and what is under it (`hover`).

Completion follows the grammar from the parser's state at the cursor (the same LALR tables
that parse, through `_parse.state_after`), so it never offers what the parser would refuse,
and filters by the field's kind: only the operators a field takes, only the values its type
has. Hover explains a field, an operator or a value, and any diagnostic at that place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import attrs

from ..core.diagnostics import Problem
from ..core.messages import value_repr
from ..core.span import Span
from ..language.parse import Token, acceptable, state_after, tokenize
from ..schemas.criterion import Criterion
from ..schemas.kinds import kind_of
from ..schemas.methods import LEADS_LIST, resolve
from ..schemas.schema import Schema

#: `(field, prefix) -> (value, label)` pairs: the values a tool knows (site ids and names).
Values = Callable[[str, str], Iterable[tuple[str, str]]]

_KIND_ORDER = {"field": 0, "operator": 1, "value": 2, "snippet": 3, "keyword": 4}


@attrs.frozen
class CompletionItem:
    """One suggestion.

    Attributes:
        label: what the list shows (`site`, `in`, `missed`).
        kind: ``field``, ``operator``, ``value``, ``keyword`` or ``snippet``.
        insert: the text that replaces the range.
        cursor: where the cursor goes in `insert` after accepting it (inside `()` after
            `in`, between the quotes of a string).
        detail: a short note (the field's type).
        documentation: Markdown from the schema.
        sort_key: the order to show items in.
    """

    label: str
    kind: str
    insert: str
    cursor: int
    detail: str = ""
    documentation: str = ""
    sort_key: str = ""


@attrs.frozen
class Completions:
    """The suggestions at a cursor.

    Attributes:
        range: the text an accepted item replaces (the partial word at the cursor).
        items: the suggestions, best first.
        incomplete: more items matched than `limit` allowed.
    """

    range: Span
    items: tuple[CompletionItem, ...]
    incomplete: bool = False


@attrs.frozen
class Hover:
    """What is under the cursor, in Markdown, and the range it covers."""

    contents: str
    range: Span


_OPERATORS = {
    "=": "equals",
    "!=": "differs from",
    "<": "is less than",
    "<=": "is at most",
    ">": "is more than",
    ">=": "is at least",
    "in": "is one of a list: `in (a, b)`",
    "not in": "is none of a list: `not in (a, b)`",
    "contains": 'contains a piece of text: `contains "..."`',
    "not contains": "does not contain a piece of text",
    "between": "lies between two values, both included: `between a and b`",
}
_SNIPPETS = {"in": ("in ()", 4), "not in": ("not in ()", 8), "contains": ('contains ""', 10)}
_SNIPPETS["not contains"] = ('not contains ""', 14)
_KEYWORDS = {
    "AND": "and",
    "OR": "or",
    "NOT": "not",
    "LPAR": "(",
    "RPAR": ")",
    "COMMA": ",",
    "ORDER": "order by",
    "BY": "by",
    "ASC": "asc",
    "DESC": "desc",
    "LIMIT": "limit",
    "OFFSET": "offset",
    "FIELDS": "fields",
}
_WORD = re.compile(r"[\w:.+-]")
_OPERATOR_CHARS = "<>=!"
_VALUE_TERMINALS = {"INT", "DECIMAL", "DATE", "DATETIME", "STRING", "TRUE", "FALSE", "PARAM", "NAME"}


def complete(
    text: str,
    cursor: int,
    *,
    schema: Schema | str = LEADS_LIST,
    values: Values | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> Completions:
    """What may come at `cursor` in `text`: fields, operators, values and keywords.

    Args:
        text: the filter being typed.
        cursor: the cursor's offset in `text` (0 to ``len(text)``).
        schema: the API method: a `Schema` or a method's name (see `METHODS`).
        values: a callable ``(field, prefix) -> [(value, label), ...]`` for the values
            leadq cannot know (site ids with their names, employees, visitors).
        limit: the most items returned (`incomplete` says when more matched).
        now: the clock for date snippets (default: now, in Moscow).

    Raises:
        TypeError: an argument of the wrong type.
    """
    _check_place(text, cursor)
    return _Completer(text, cursor, resolve(schema), values, now).run(limit)


class _Completer:
    def __init__(self, text: str, cursor: int, schema: Schema, values: Values | None, now: datetime | None) -> None:
        self.text, self.cursor, self.schema, self.values = text, cursor, schema, values
        self.now = now
        self.prefix = ""

    def run(self, limit: int) -> Completions:
        start, end, quoted = self.word()
        try:
            tokens = tokenize(self.text[: start - 1 if quoted else start])
        except Problem:
            return Completions(Span(start, end), ())
        stack = state_after(tokens)
        if stack is None:
            return Completions(Span(start, end), ())
        expected = acceptable(stack)
        prefix = self.text[start : self.cursor]
        self.prefix = prefix
        items = self.items(tokens, expected, quoted)
        chosen = _match(items, prefix)
        return Completions(Span(start, end), tuple(chosen[:limit]), len(chosen) > limit)

    def word(self) -> tuple[int, int, bool]:
        """The stretch an item replaces: the partial word, or the inside of the quoted
        string, at the cursor (the third value: inside a string)."""
        text, cursor = self.text, self.cursor
        string = _open_string(text, cursor)
        if string is not None:
            close = _string_end(text, string)
            closed = close > string + 1 and text[close - 1] == text[string] and close - 1 >= cursor
            return string + 1, close - 1 if closed else close, True
        start = cursor
        chars = _OPERATOR_CHARS if start and text[start - 1] in _OPERATOR_CHARS else None
        if chars:
            while start and text[start - 1] in chars:
                start -= 1
            end = cursor
            while end < len(text) and text[end] in chars:
                end += 1
            return start, end, False
        while start and _WORD.match(text[start - 1]):
            start -= 1
        end = cursor
        while end < len(text) and _WORD.match(text[end]):
            end += 1
        return start, end, False

    def items(self, tokens: list[Token], expected: set[str], quoted: bool) -> list[CompletionItem]:
        last = tokens[-1] if tokens else None
        out: list[CompletionItem] = []
        field = _condition_field(tokens, self.schema)
        in_fields = any(t.type == "FIELDS" for t in tokens)
        if expected & {"COMP", "IN", "CONTAINS", "BETWEEN"} and last is not None and last.type == "NAME":
            c = self.schema.lookup(last.value)
            out += self.operators(c)
            if c is not None and "flag" not in kind_of(c).operators:
                expected = expected - {"AND", "OR", "ORDER", "LIMIT", "OFFSET", "FIELDS", "$END", "RPAR"}
        elif expected & _VALUE_TERMINALS and _value_position(tokens):
            # a value goes here: the field's values, or none for a field leadq does not know
            if field is not None and (not quoted or "STRING" in expected):
                out += self.field_values(field, tokens, quoted)
        elif quoted:
            return []  # inside a string that is no value: nothing can be inserted
        elif "NAME" in expected and last is not None and last.type == "BY":
            out += [_item(k, "value", k, "sort key") for k in self.schema.sort_keys]
        elif "NAME" in expected and in_fields:
            out += self.result_fields(tokens)
        elif "NAME" in expected:
            out += self.fields()
        if quoted:
            return out
        for terminal, word in _KEYWORDS.items():
            if terminal in expected and not (terminal == "NOT" and out and out[0].kind == "operator"):
                insert = word + " " if word[0].isalpha() else word
                out.append(_item(word, "keyword", insert, "keyword"))
        return out

    def fields(self) -> list[CompletionItem]:
        out = []
        for name, c in self.schema.by_name.items():
            main = name == c.display
            detail = kind_of(c).words + ("" if main else f" (another spelling of {c.display})")
            out.append(_item(name, "field", name + " ", detail, _field_doc(c), rank=0 if main else 1))
        return out

    def operators(self, c: Criterion | None) -> list[CompletionItem]:
        if c is None:
            return []
        out = []
        for op in kind_of(c).operators:
            if op == "flag":
                continue
            insert, cursor = _SNIPPETS.get(op, (op + " ", len(op) + 1))
            out.append(_item(op, "operator", insert, _OPERATORS[op], cursor=cursor))
        return out

    def field_values(self, c: Criterion, tokens: list[Token], quoted: bool) -> list[CompletionItem]:
        op = next((t.value.lower() for t in reversed(tokens) if t.type in ("COMP", "IN", "CONTAINS", "BETWEEN")), "")
        items = kind_of(c).value_items(c, op, _moscow_today(self.now))
        write = _escaped if quoted else str
        out = [_item(label, kind, write(label), detail, doc) for label, kind, detail, doc in items]
        if self.values is not None:
            for value, label in self.values(c.display, self.prefix):
                insert = _escaped(value) if quoted else kind_of(c).quote(value)
                out.append(_item(value, "value", insert, label))
        return out

    def result_fields(self, tokens: list[Token]) -> list[CompletionItem]:
        depth, owner = 0, None
        for i in range(len(tokens) - 1, -1, -1):
            if tokens[i].type == "RPAR":
                depth += 1
            elif tokens[i].type == "LPAR":
                if depth == 0:
                    owner = tokens[i - 1].value if i else None
                    break
                depth -= 1
            elif tokens[i].type == "FIELDS":
                break
        known = self.schema.result_fields
        names = known.get(owner) or () if owner is not None else tuple(known)
        return [_item(n, "field", n, "lead field") for n in names]


def _check_place(text: object, cursor: object) -> None:
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    if not isinstance(cursor, int) or isinstance(cursor, bool) or not 0 <= cursor <= len(text):
        raise TypeError(f"cursor must be an int from 0 to len(text), not {value_repr(cursor)}")


def _item(
    label: str,
    kind: str,
    insert: str,
    detail: str = "",
    documentation: str = "",
    *,
    cursor: int | None = None,
    rank: int = 0,
) -> CompletionItem:
    sort_key = f"{_KIND_ORDER[kind]}{rank}{label.lower()}"
    return CompletionItem(
        label, kind, insert, len(insert) if cursor is None else cursor, detail, documentation, sort_key
    )


def _match(items: list[CompletionItem], prefix: str) -> list[CompletionItem]:
    """Case-insensitive prefix matches first, then substring matches; exact ones kept."""
    want = prefix.lower()
    first, then = [], []
    seen = set()
    for item in sorted(items, key=lambda i: i.sort_key):
        if (item.label, item.kind) in seen:
            continue
        seen.add((item.label, item.kind))
        label = item.label.lower()
        if label.startswith(want):
            first.append(item)
        elif want and want in label:
            then.append(item)
    return first + then


def _condition_field(tokens: list[Token], schema: Schema) -> Criterion | None:
    """The field of the condition being written: the last name followed by an operator."""
    for i in range(len(tokens) - 2, -1, -1):
        if tokens[i].type == "NAME" and tokens[i + 1].type in ("COMP", "IN", "NOT", "CONTAINS", "BETWEEN"):
            return schema.lookup(tokens[i].value)
        if tokens[i].type in ("AND", "OR") and not _after_between(tokens, i):
            return None
    return None


def _value_position(tokens: list[Token]) -> bool:
    """Whether the next token is a condition's value: after an operator, after `between x
    and`, or inside the list of `in (...)`."""
    last = tokens[-1] if tokens else None
    if last is None:
        return False
    if last.type in ("COMP", "CONTAINS", "BETWEEN"):
        return True
    if last.type == "AND":
        return _after_between(tokens, len(tokens) - 1)
    if last.type in ("LPAR", "COMMA"):
        depth = 0
        for i in range(len(tokens) - 1, -1, -1):
            if tokens[i].type == "RPAR":
                depth += 1
            elif tokens[i].type == "LPAR":
                if depth == 0:
                    return i > 0 and tokens[i - 1].type == "IN"
                depth -= 1
    return False


def _after_between(tokens: list[Token], i: int) -> bool:
    return i >= 2 and tokens[i - 2].type == "BETWEEN"


def _open_string(text: str, cursor: int) -> int | None:
    """The offset of the quote that opens a string the cursor is inside, if any."""
    quote, start, i = "", None, 0
    while i < cursor:
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote, start = "", None
        elif c in "\"'":
            quote, start = c, i
        i += 1
    return start


def _string_end(text: str, start: int) -> int:
    """The end of the string opened at `start`: past its closing quote, or the text's end."""
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return len(text)


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'")


def _moscow_today(now: datetime | None) -> str:
    from ..core.datetimes import FIRST_SECOND, LAST_SECOND, format_seconds, moscow_seconds

    moment = now or datetime.now(tz=UTC)
    return format_seconds(min(max(moscow_seconds(moment), FIRST_SECOND), LAST_SECOND))[:10]


def _field_doc(c: Criterion) -> str:
    lines = [f"**{c.display}** — {kind_of(c).words}; q: `{c.name}`", "", c.description]
    if c.values:
        lines += ["", "Values: " + ", ".join(f"`{v}`" for v in c.values)]
    ops = [op for op in kind_of(c).operators if op != "flag"]
    lines += [
        "",
        "Operators: " + ", ".join(f"`{op}`" for op in ops) + (" or alone" if "flag" in kind_of(c).operators else ""),
    ]
    if c.hidden_from:
        lines += ["", "Not seen on other employees' leads by: " + ", ".join(c.hidden_from)]
    if c.required:
        lines += ["", "Required: every request must say it (E213)."]
    if c.max_interval:
        lines += ["", f"An interval of at most {c.max_interval}, bounded on both sides (E407, E408)."]
    if c.source == "reference":
        lines += ["", "Listed by the method's reference only: the server may ignore it (W609)."]
    if not c.readable:
        lines += ["", "The returned object does not hold it: only the server answers it (E314)."]
    return "\n".join(lines).strip()


# -- hover ---------------------------------------------------------------------------------------


def hover(text: str, cursor: int, *, schema: Schema | str = LEADS_LIST) -> Hover | None:
    """What is under `cursor`: a field, an operator or a value, explained in Markdown, with
    any diagnostic at that place. None over whitespace or nothing leadq knows.

    Raises:
        TypeError: an argument of the wrong type.
    """
    _check_place(text, cursor)
    schema = resolve(schema)
    from ..pipeline import analyze

    tokens = _tokens_so_far(text)
    under = next((i for i, t in enumerate(tokens) if t.start <= cursor < t.end or t.end == cursor > t.start), None)
    parts: list[str] = []
    span = Span(cursor, cursor)
    if under is not None:
        tok = tokens[under]
        span = Span(tok.start, tok.end)
        parts += _explain_token(tokens, under, schema)
    problems = [d for d in analyze(text, schema).diagnostics if d.start <= cursor <= max(d.end, d.start + 1)]
    for d in problems:
        parts.append(f"**{d.code}** {d.message}" + (f"\n\n*hint:* {d.hint}" if d.hint else ""))
        if under is None:
            span = Span(d.start, d.end)
    if not parts:
        return None
    return Hover("\n\n---\n\n".join(parts), span)


def _tokens_so_far(text: str) -> list[Token]:
    """The tokens of `text`, up to the first character no terminal reads."""
    try:
        return tokenize(text)
    except Problem as p:
        at = p.findings[0].span.start if p.findings else 0
        try:
            return tokenize(text[:at])
        except Problem:
            return []


def _explain_token(tokens: list[Token], i: int, schema: Schema) -> list[str]:
    tok = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if tok.type == "NAME" and (
        nxt is None or nxt.type in ("COMP", "IN", "NOT", "CONTAINS", "BETWEEN", "AND", "OR", "RPAR")
    ):
        c = schema.lookup(tok.value)
        if c is not None and (i == 0 or tokens[i - 1].type in ("AND", "OR", "NOT", "LPAR")):
            return [_field_doc(c)]
    if tok.type in ("COMP", "IN", "CONTAINS", "BETWEEN"):
        op = {"==": "="}.get(tok.value, tok.value.lower())
        if tok.type in ("IN", "CONTAINS") and i and tokens[i - 1].type == "NOT":
            op = "not " + op
        return [f"`{op}` — the field {_OPERATORS.get(op, op)}"]
    c = _condition_field(tokens[: i + 1], schema) if i else None
    if c is None:
        return []
    said = kind_of(c).describe_value(c, tok.value.strip("\"'"))
    return [said] if said else []
