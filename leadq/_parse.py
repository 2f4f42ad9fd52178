"""Parse pass: text → syntax tree (`leadq._ast`), or syntax diagnostics.

Lark stays inside this module. The LALR parser calls `_Builder` as an inline transformer,
so the tree is built while parsing, without a second walk and without recursion (deep
nesting is refused by depth, not by the interpreter's stack). Raw Lark errors are mapped to
diagnostics with a span and words a person understands.
"""

from __future__ import annotations

import threading
from pathlib import Path

import attrs
from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

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

#: Longer inputs are refused before parsing (a saved filter is a few hundred characters).
MAX_LENGTH = 1_000_000

_GRAMMAR_PLACES = (
    Path(__file__).parent / "grammar" / "leadq.lark",  # installed wheel
    Path(__file__).parent.parent / "grammar" / "leadq.lark",  # source tree, editable install
)

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


def grammar_path() -> Path:
    for place in _GRAMMAR_PLACES:
        if place.is_file():
            return place
    raise FileNotFoundError("leadq.lark is missing from the installation")  # pragma: no cover


def _tok_span(tok: Token) -> Span:
    start = tok.start_pos or 0
    return Span(start, tok.end_pos if tok.end_pos is not None else start + len(tok))


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


class _Builder(Transformer[Token, Node]):
    """Inline transformer: one method per grammar alias, building `_ast` nodes."""

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


_lock = threading.Lock()
_parser: Lark | None = None


def _lark() -> Lark:
    """The parser, built on first use (so that importing leadq stays cheap)."""
    global _parser
    if _parser is None:
        with _lock:
            if _parser is None:
                _parser = Lark(
                    grammar_path().read_text(encoding="utf-8"),
                    parser="lalr",
                    lexer="basic",
                    transformer=_Builder(),
                    maybe_placeholders=False,
                )
    return _parser


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
        tree = _lark().parse(text)
    except _SyntaxProblem as p:
        return None, [diagnostic(text, p.code, p.span, p.message, p.hint)]
    except UnexpectedInput as e:
        return None, [_syntax_diagnostic(text, e)]
    except LarkError as e:  # pragma: no cover - any other parser failure is still data
        return None, [diagnostic(text, "E102", Span(0, len(text)), f"cannot parse: {e}")]
    assert isinstance(tree, (Compare, In, Contains, Between, Flag, Not, And, Or, MatchAll, Query))
    return tree, []


# -- mapping Lark's errors onto words ---------------------------------------------------

_VALUE_TERMINALS = {"INT", "DECIMAL", "DATE", "DATETIME", "STRING", "TRUE", "FALSE"}
_OPERATOR_TERMINALS = {"COMP", "IN", "CONTAINS", "BETWEEN"}


def _expected_words(expected: set[str]) -> str:
    words: list[str] = []
    if expected & _VALUE_TERMINALS:
        words.append("a value")
    elif "NAME" in expected:
        words.append("a field name")
    if expected & _OPERATOR_TERMINALS:
        words.append("an operator (`=`, `!=`, `<`, `>`, `in`, `contains`, `between`)")
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


def _previous_token(text: str, pos: int) -> str | None:
    try:
        tokens = list(_lark().lex(text[:pos]))
    except LarkError:
        return None
    return str(tokens[-1]) if tokens else None


def _syntax_diagnostic(text: str, e: UnexpectedInput) -> Diagnostic:
    if isinstance(e, UnexpectedCharacters):
        pos = e.pos_in_stream or 0
        char = text[pos]
        if char in "\"'":
            return diagnostic(
                text,
                "E104",
                Span(pos, len(text)),
                "this string has no closing quote",
                f"end the string with {char}",
            )
        shown = char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"
        return diagnostic(
            text,
            "E101",
            Span(pos, pos + 1),
            f"unexpected character `{shown}`",
            'put values with other characters in quotes: "..."',
        )
    assert isinstance(e, UnexpectedToken)
    tok = e.token
    expected = set(e.expected)
    at_end = tok.type == "$END"
    start: int = len(text) if at_end else (tok.start_pos or 0)
    span = Span(start, start if at_end else start + len(tok))
    want = _expected_words(expected)
    prev = _previous_token(text, start)
    where = f" after `{prev}`" if prev else ""
    found = "the end of the filter" if at_end else f"`{tok}`"
    message = f"expected {want}{where}, found {found}"
    hint = None
    if not at_end and str(tok).lower() in KEYWORDS and expected & _VALUE_TERMINALS:
        hint = f'`{tok}` is a keyword; to use it as a value, quote it: "{tok}"'
    elif tok.type in _VALUE_TERMINALS | {"NAME"} and expected & _OPERATOR_TERMINALS:
        hint = f"did you mean `{prev} = {tok}`?"
    return diagnostic(text, "E103" if at_end else "E102", span, message, hint)
