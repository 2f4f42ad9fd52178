"""Parse pass: text → syntax tree (`leadq._ast`), or syntax diagnostics.

The syntax lives in grammar/leadq.lark. Lark turns it into LALR tables once, ahead of
time: `python -m leadq._parse` writes them to `leadq/_tables.py`, and a test checks that
the file matches the grammar. At run time a small driver reads those tables, a single
regular expression made of the grammar's terminals (in Lark's order) does the lexing, and
`_Builder` builds the tree on each reduction, as Lark's inline transformer would. So
importing leadq runs no grammar analysis and needs no Lark, and parsing is a tight loop.
Lark stays inside this module; errors become diagnostics in words a person understands.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from pathlib import Path

from ._ast import (
    MAX_DEPTH,
    And,
    Between,
    Compare,
    Contains,
    Field,
    Flag,
    In,
    Literal,
    LiteralKind,
    MatchAll,
    Node,
    Not,
    Op,
    Or,
    Order,
    Query,
    ResultField,
    Span,
)
from ._diagnostics import Diagnostic, diagnostic
from ._tables import END, IGNORE, RULES, START, STATES, TERMINALS

#: Longer inputs are refused before parsing (a saved filter is a few hundred characters).
MAX_LENGTH = 1_000_000


_OPS = {"==": Op.EQ, **{op.value: op for op in Op}}
_KINDS = {
    "INT": LiteralKind.INT,
    "DECIMAL": LiteralKind.DECIMAL,
    "DATE": LiteralKind.DATE,
    "DATETIME": LiteralKind.DATETIME,
    "STRING": LiteralKind.STRING,
    "NAME": LiteralKind.WORD,
    "TRUE": LiteralKind.BOOL,
    "FALSE": LiteralKind.BOOL,
}
_ESCAPES = {'"': '"', "'": "'", "\\": "\\"}
KEYWORDS = frozenset(
    {"and", "or", "not", "in", "contains", "between", "true", "false"}
    | {"order", "by", "asc", "desc", "limit", "offset", "fields"}
)


@attrs.frozen
class _Tail:
    span: Span
    order: Order | None = None
    limit: Literal | None = None
    offset: Literal | None = None
    fields: tuple[ResultField, ...] | None = None


class _SyntaxProblem(Exception):
    """Raised inside the builder; turned into a diagnostic by `parse_text`."""

    def __init__(self, code: str, span: Span, message: str, hint: str | None = None):
        super().__init__(message)
        self.code, self.span, self.message, self.hint = code, span, message, hint


class Token:
    """A lexed token: its terminal name, its text and its place."""

    __slots__ = ("end", "start", "type", "value")

    def __init__(self, type: str, value: str, start: int, end: int) -> None:
        self.type, self.value, self.start, self.end = type, value, start, end

    def __str__(self) -> str:
        return self.value

    def __len__(self) -> int:
        return len(self.value)


def grammar_path() -> Path:
    """grammar/leadq.lark: inside the package of an installed wheel, beside it in a checkout."""
    from pathlib import Path

    here = Path(__file__).parent
    for place in (here / "grammar" / "leadq.lark", here.parent / "grammar" / "leadq.lark"):
        if place.is_file():
            return place
    raise FileNotFoundError("leadq.lark is missing from the installation")  # pragma: no cover


def _tok_span(tok: Token) -> Span:
    return Span(tok.start, tok.end)


def _literal(tok: Token) -> Literal:
    kind = _KINDS[tok.type]
    span = _tok_span(tok)
    text = str(tok)
    if kind is LiteralKind.STRING:
        return Literal(kind, _unescape(text, span), span)
    if kind is LiteralKind.BOOL:
        return Literal(kind, text.lower(), span)
    return Literal(kind, text, span)


def _unescape(quoted: str, span: Span) -> str:
    body = quoted[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            nxt = body[i + 1]  # the token's regex guarantees a character follows
            if nxt not in _ESCAPES:
                at = span.start + 1 + i
                raise _SyntaxProblem(
                    "E105",
                    Span(at, at + 2),
                    f"unknown escape `\\{nxt}` in a string",
                    "only \\\" \\' and \\\\ are escapes; write a lone backslash as \\\\",
                )
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _field(tok: Token) -> Field:
    return Field(str(tok), _tok_span(tok))


def _checked_depth(node: Node) -> Node:
    if node.depth > MAX_DEPTH:
        raise _SyntaxProblem(
            "E106",
            node.span,
            f"the filter is nested more than {MAX_DEPTH} levels deep",
            "remove redundant parentheses and double negations",
        )
    return node


class _Builder:
    """One method per grammar alias, building `_ast` nodes as rules are reduced."""

    def start(self, children: list[Node | _Tail | None]) -> Node:
        *where, tail = children
        node = where[0] if where else MatchAll(Span(0, 0))
        assert not isinstance(node, _Tail) and node is not None
        if tail is None:
            return node
        assert isinstance(tail, _Tail)
        start = node.span.start if where else tail.span.start
        return Query(node, tail.order, tail.limit, tail.offset, tail.fields, Span(start, tail.span.end))

    def tail(self, children: list[Order | tuple[str, Literal, int] | tuple[ResultField, ...]]) -> _Tail | None:
        if not children:
            return None
        parts: dict[str, object] = {}
        spans: list[Span] = []
        for child in children:
            if isinstance(child, Order):
                parts["order"] = child
                spans.append(child.span)
            elif isinstance(child, tuple) and child and isinstance(child[0], str):
                key, lit, start = child
                assert isinstance(lit, Literal) and isinstance(start, int)
                parts[key] = lit
                spans.append(Span(start, lit.span.end))
            else:
                fields = tuple(f for f in child if isinstance(f, ResultField))
                parts["fields"] = fields
                spans.append(Span(fields[0].span.start, fields[-1].span.end))
        return _Tail(**parts, span=Span(spans[0].start, spans[-1].end))  # type: ignore[arg-type]

    def order_by(self, children: list[Token]) -> Order:
        keyword, _, name, *direction = children
        end = _tok_span(direction[0] if direction else name).end
        descending = bool(direction) and direction[0].type == "DESC"
        return Order(_field(name), descending, Span(_tok_span(keyword).start, end))

    def limit(self, children: list[Token]) -> tuple[str, Literal, int]:
        return ("limit", _literal(children[1]), _tok_span(children[0]).start)

    def offset(self, children: list[Token]) -> tuple[str, Literal, int]:
        return ("offset", _literal(children[1]), _tok_span(children[0]).start)

    def fields(self, children: list[Token | ResultField]) -> tuple[ResultField, ...]:
        return tuple(c for c in children if isinstance(c, ResultField))

    def result_field(self, children: list[Token]) -> ResultField:
        name, *rest = children
        subfields = tuple(_field(t) for t in rest if t.type == "NAME") if rest else None
        end = _tok_span(rest[-1] if rest else name).end
        return ResultField(_field(name), subfields, Span(_tok_span(name).start, end))

    def or_(self, children: list[Node | Token]) -> Node:
        operands = tuple(c for c in children if not isinstance(c, Token))
        return _checked_depth(Or(operands, Span(operands[0].span.start, operands[-1].span.end)))

    def and_(self, children: list[Node | Token]) -> Node:
        operands = tuple(c for c in children if not isinstance(c, Token))
        return _checked_depth(And(operands, Span(operands[0].span.start, operands[-1].span.end)))

    def not_(self, children: list[Node | Token]) -> Node:
        keyword, operand = children
        assert isinstance(keyword, Token) and not isinstance(operand, Token)
        return _checked_depth(Not(operand, Span(_tok_span(keyword).start, operand.span.end)))

    def group(self, children: list[Node | Token]) -> Node:
        lpar, inner, rpar = children
        assert isinstance(lpar, Token) and isinstance(rpar, Token)
        assert not isinstance(inner, Token)
        return attrs.evolve(inner, span=Span(_tok_span(lpar).start, _tok_span(rpar).end))

    def compare(self, children: list[Token]) -> Node:
        name, op, value = children
        lit = _literal(value)
        return Compare(_field(name), _OPS[str(op)], lit, Span(_tok_span(name).start, lit.span.end))

    def in_(self, children: list[Token | tuple[tuple[Literal, ...], Span]]) -> Node:
        return self._in(children, negated=False)

    def not_in(self, children: list[Token | tuple[tuple[Literal, ...], Span]]) -> Node:
        return self._in(children, negated=True)

    def _in(self, children: list[Token | tuple[tuple[Literal, ...], Span]], negated: bool) -> Node:
        name, items = children[0], children[-1]
        assert isinstance(name, Token) and isinstance(items, tuple)
        values, list_span = items
        return In(_field(name), values, negated, Span(_tok_span(name).start, list_span.end))

    def value_list(self, children: list[Token]) -> tuple[tuple[Literal, ...], Span]:
        values = tuple(_literal(t) for t in children[1:-1] if t.type != "COMMA")
        return values, Span(_tok_span(children[0]).start, _tok_span(children[-1]).end)

    def contains(self, children: list[Token]) -> Node:
        return self._contains(children, negated=False)

    def not_contains(self, children: list[Token]) -> Node:
        return self._contains(children, negated=True)

    def _contains(self, children: list[Token], negated: bool) -> Node:
        name, value = children[0], _literal(children[-1])
        return Contains(_field(name), value, negated, Span(_tok_span(name).start, value.span.end))

    def between(self, children: list[Token]) -> Node:
        name, _, low, _, high = children
        lo, hi = _literal(low), _literal(high)
        return Between(_field(name), lo, hi, Span(_tok_span(name).start, hi.span.end))

    def flag(self, children: list[Token]) -> Node:
        (name,) = children
        return Flag(_field(name), _tok_span(name))


class _LexError(Exception):
    def __init__(self, pos: int) -> None:
        super().__init__(pos)
        self.pos = pos


class _ParseError(Exception):
    def __init__(self, index: int, expected: set[str]) -> None:
        super().__init__(index)
        self.index, self.expected = index, expected


_lexers: tuple[re.Pattern[str], re.Pattern[str]] | None = None


def _lexer() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The token pattern (ignored text, then one alternation of the terminals in Lark's
    order, so the first that matches wins, as in Lark) and the ignored-text pattern. The
    ignored text is an atomic group: a long run of spaces is never backtracked into."""
    global _lexers
    if _lexers is None:
        ignore = "|".join(pattern for name, pattern in TERMINALS if name in IGNORE)
        alternation = "|".join(f"(?P<{name}>{pattern})" for name, pattern in TERMINALS if name not in IGNORE)
        _lexers = re.compile(f"(?>(?:{ignore})*)(?:{alternation})"), re.compile(f"(?>(?:{ignore})*)")
    return _lexers


def tokenize(text: str) -> list[Token]:
    """The tokens of `text` (whitespace dropped); raises `_LexError` at a character no
    terminal matches."""
    tokens_re, ignore_re = _lexer()
    match = tokens_re.match
    tokens: list[Token] = []
    append = tokens.append
    pos, n = 0, len(text)
    while pos < n:
        m = match(text, pos)
        if m is None:
            skipped = ignore_re.match(text, pos)
            at = skipped.end() if skipped else pos
            if at < n:
                raise _LexError(at)
            break
        kind = m.lastgroup or ""
        start, pos = m.span(kind)
        append(Token(kind, text[start:pos], start, pos))
    return tokens


_Reducer = Callable[[list[Any]], Any]


def _reducers(builder: _Builder) -> list[tuple[str, int, _Reducer | None]]:
    """For each rule: what it reduces to, how many values it takes, and how it builds
    (None: a unit rule such as `value: INT`, which passes its one value through)."""
    out: list[tuple[str, int, _Reducer | None]] = []
    for origin, plan, callback, expand1 in RULES:
        # A `?rule` alternative without an alias always has one child: it needs no method.
        method = getattr(builder, callback) if callback and not (expand1 and callback == origin) else None
        if plan == "k" and expand1 and method is None:
            out.append((origin, 1, None))
        else:
            out.append((origin, len(plan), _reducer(plan, method, expand1, helper=not callback)))
    return out


def _reducer(plan: str, method: _Reducer | None, expand1: bool, helper: bool) -> _Reducer:
    # plan: one letter per symbol: k keeps the value, d drops a filtered token, s splices
    # the list a helper rule (`__x_star_0`) built, as Lark's tree builder does.
    simple = set(plan) <= {"k"}

    def reduce(values: list[Any]) -> Any:
        if simple:
            children = values
        else:
            children = []
            for how, value in zip(plan, values, strict=True):
                if how == "k":
                    children.append(value)
                elif how == "s":
                    children.extend(value)
        if helper:
            return children
        if (expand1 and len(children) == 1) or method is None:
            return children[0]
        return method(children)

    return reduce


_RULES = _reducers(_Builder())


def _parse_tokens(tokens: list[Token], text: str) -> Node:
    states = STATES
    rules = _RULES
    stack = [START]
    values: list[Any] = []
    end = Token("$END", "", len(text), len(text))
    for index, tok in enumerate([*tokens, end]):
        kind = tok.type
        while True:
            action = states[stack[-1]].get(kind)
            if action is None:
                raise _ParseError(index, _acceptable(stack))
            if action >= 0:
                stack.append(action)
                values.append(tok)
                break
            origin, size, reduce = rules[-action - 1]
            if reduce is None:  # a unit rule: the value stays, only the state changes
                del stack[-1]
                goto = states[stack[-1]][origin]
                if kind == "$END" and goto == END:
                    value = values[-1]
                    assert isinstance(value, (Compare, In, Contains, Between, Flag, Not, And, Or, MatchAll, Query))
                    return value
                stack.append(goto)
                continue
            if size:
                args = values[-size:]
                del values[-size:]
                del stack[-size:]
            else:
                args = []
            value = reduce(args)
            goto = states[stack[-1]][origin]
            if kind == "$END" and goto == END:
                assert isinstance(value, (Compare, In, Contains, Between, Flag, Not, And, Or, MatchAll, Query))
                return value
            stack.append(goto)
            values.append(value)
    raise AssertionError("the parser ended without accepting")  # pragma: no cover


def _acceptable(stack: list[int]) -> set[str]:
    """The terminals that the parser in this state would really shift, after the
    reductions they trigger (LALR merges look-aheads, so a state's row lists more)."""
    return {kind for kind in STATES[stack[-1]] if (kind.isupper() or kind == "$END") and _viable(stack, kind)}


def _viable(stack: list[int], kind: str) -> bool:
    stack = list(stack)
    while True:
        action = STATES[stack[-1]].get(kind)
        if action is None:
            return False
        if action >= 0:
            return True
        origin, size, _ = _RULES[-action - 1]
        del stack[len(stack) - size :]
        goto = STATES[stack[-1]][origin]
        if kind == "$END" and goto == END:
            return True
        stack.append(goto)


def parse_text(text: str) -> tuple[Node | None, list[Diagnostic]]:
    """Parse `text` into a tree, or return the syntax diagnostic that stops it."""
    if len(text) > MAX_LENGTH:
        return None, [
            diagnostic(
                text,
                "E107",
                Span(MAX_LENGTH, len(text)),
                f"the filter is longer than {MAX_LENGTH:,} characters",
            )
        ]
    try:
        tokens = tokenize(text)
        return _parse_tokens(tokens, text), []
    except _SyntaxProblem as p:
        return None, [diagnostic(text, p.code, p.span, p.message, p.hint)]
    except _LexError as e:
        return None, [_lex_diagnostic(text, e.pos)]
    except _ParseError as e:
        return None, [_parse_diagnostic(text, tokens, e.index, e.expected)]


# -- mapping Lark's errors onto words ---------------------------------------------------

_VALUE_TERMINALS = {"INT", "DECIMAL", "DATE", "DATETIME", "STRING", "TRUE", "FALSE"}
_OPERATOR_TERMINALS = {"COMP", "IN", "CONTAINS", "BETWEEN"}


def _expected_words(expected: set[str]) -> str:
    if expected & _OPERATOR_TERMINALS:
        # after a field name; `and`, `or` and the end are possible too (a bare boolean
        # field), but the operator is what a person most likely forgot
        return "an operator (`=`, `!=`, `<`, `>`, `in`, `contains`, `between`)"
    words: list[str] = []
    if expected & _VALUE_TERMINALS:
        words.append("a value")
    elif "NAME" in expected:
        words.append("a field name")
    if "COMMA" in expected:
        words.append("`,`")
    if "RPAR" in expected:
        words.append("`)`")
    if {"AND", "OR"} <= expected:
        words.append("`and`, `or`")
    elif "AND" in expected:
        words.append("`and`")
    if "$END" in expected:
        words.append("the end of the filter")
    if not words:
        return "something else"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _lex_diagnostic(text: str, pos: int) -> Diagnostic:
    char = text[pos]
    if char in "\"'":
        return diagnostic(
            text, "E104", Span(pos, len(text)), "this string has no closing quote", f"end the string with {char}"
        )
    shown = char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"
    return diagnostic(
        text,
        "E101",
        Span(pos, pos + 1),
        f"unexpected character `{shown}`",
        'put values with other characters in quotes: "..."',
    )


def _parse_diagnostic(text: str, tokens: list[Token], index: int, expected: set[str]) -> Diagnostic:
    at_end = index >= len(tokens)
    tok = None if at_end else tokens[index]
    start = len(text) if tok is None else tok.start
    span = Span(start, start if tok is None else tok.end)
    want = _expected_words(expected)
    prev = tokens[index - 1].value if index > 0 else None
    where = f" after `{prev}`" if prev else ""
    found = "the end of the filter" if tok is None else f"`{tok}`"
    message = f"expected {want}{where}, found {found}"
    hint = None
    if tok is not None and tok.value.lower() in KEYWORDS and expected & _VALUE_TERMINALS:
        hint = f'`{tok}` is a keyword; to use it as a value, quote it: "{tok}"'
    elif tok is not None and tok.type in _VALUE_TERMINALS | {"NAME"} and expected & _OPERATOR_TERMINALS:
        hint = f"did you mean `{prev} = {tok}`?"
    return diagnostic(text, "E103" if at_end else "E102", span, message, hint)


# -- generating the tables from the grammar (needs Lark) ------------------------------------


def generate_tables() -> str:
    """The source of `leadq/_tables.py`, from grammar/leadq.lark, by Lark's LALR analysis."""
    from lark import Lark
    from lark.parsers.lalr_analysis import Shift

    lark = Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer="basic")
    lexer = lark.parser.lexer
    terminals = [(str(t.name), t.pattern.to_regexp()) for t in lexer.terminals]  # in Lark's match order
    table = lark.parser.parser.parser.parse_table
    rules = list(dict.fromkeys(r for row in table.states.values() for kind, r in row.values() if kind is not Shift))
    rules.sort(key=lambda r: (r.origin.name, [s.name for s in r.expansion]))
    number = {r: i for i, r in enumerate(rules)}
    # Lark numbers states in no fixed order; number them by a walk from the start state
    # so that the generated file is the same on every run.
    start, end = table.start_states["start"], table.end_states["start"]
    order = [start]
    seen = {start}
    for state in order:
        for _, (kind, arg) in sorted(table.states[state].items(), key=lambda item: str(item[0])):
            if kind is Shift and arg not in seen:
                seen.add(arg)
                order.append(arg)
    order += sorted(set(table.states) - seen) + ([end] if end not in seen and end not in table.states else [])
    renumber = {state: i for i, state in enumerate(order)}
    lines = [
        "# Generated from grammar/leadq.lark by `python -m leadq._parse`: do not edit.",
        "# LALR tables computed by Lark; leadq._parse drives them. tests/test_packaging.py",
        "# fails when this file and the grammar disagree.",
        "# fmt: off",
        "",
        f"TERMINALS = {terminals!r}",
        f"IGNORE = frozenset({sorted(str(t) for t in lark.ignore_tokens)!r})",
        f"START = {renumber[start]!r}",
        f"END = {renumber[end]!r}",
        "# (origin, plan: k keep / d drop / s splice per symbol, callback, expand one child)",
        "RULES = [",
    ]
    for r in rules:
        plan = "".join(
            "d" if getattr(s, "filter_out", False) else "s" if not s.is_term and s.name.startswith("_") else "k"
            for s in r.expansion
        )
        origin = str(r.origin.name)
        callback = "" if origin.startswith("_") else str(r.alias or origin)
        expand1 = bool(r.options.expand1) and not r.alias  # as Lark: an alias always builds
        lines.append(f"    ({origin!r}, {plan!r}, {callback!r}, {expand1!r}),")
    lines.append("]")
    lines.append("# state -> {symbol: shift to state (>= 0) or reduce rule (-1 - index)}")
    lines.append("STATES = {")
    for state in order:
        if state not in table.states:
            continue
        row = {
            str(symbol): (renumber[arg] if kind is Shift else -1 - number[arg])
            for symbol, (kind, arg) in table.states[state].items()
        }
        lines.append(f"    {renumber[state]}: {dict(sorted(row.items()))!r},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def tables_path() -> Path:
    from pathlib import Path

    return Path(__file__).parent / "_tables.py"


def write_tables() -> None:
    """Regenerate `leadq/_tables.py` after a change to the grammar."""
    tables_path().write_text(generate_tables(), encoding="utf-8")
    print(f"wrote {tables_path()}", file=sys.stderr)
