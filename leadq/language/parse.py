"""Parse pass: text → syntax tree (`leadq.language.tree`), or syntax diagnostics.

The syntax lives in grammar/leadq.lark. Lark turns it into LALR tables once, ahead of
time: `python grammar/generate.py` writes them to `leadq/language/tables.py`, and a test checks
that the file matches the grammar. At run time a small driver reads those tables, a single
regular expression made of the grammar's terminals (in Lark's order) does the lexing, and
`_Builder` builds the tree on each reduction, as Lark's inline transformer would. So
importing leadq runs no grammar analysis and needs no Lark, and parsing is a tight loop.
Lark itself is needed only by the generator; errors become findings in words a person
understands.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from ..core.diagnostics import Finding, Problem, Report
from ..core.span import Span
from .tables import END, IGNORE, RULES, START, STATES, TERMINALS
from .tree import (
    MAX_DEPTH,
    NODE_TYPES,
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
)

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
    "PARAM": LiteralKind.PARAM,
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


class Token(NamedTuple):
    """A lexed token: its terminal name, its text and its place (a tuple: the lexer
    makes one per token, and tuples are the cheapest objects Python makes)."""

    type: str
    value: str
    start: int
    end: int


def grammar_path() -> Path:
    """grammar/leadq.lark: inside the package of an installed wheel, beside it in a checkout."""
    from pathlib import Path  # only the tests and benchmarks read the grammar: start-up skips pathlib

    package = Path(__file__).parent.parent
    for place in (package / "grammar" / "leadq.lark", package.parent / "grammar" / "leadq.lark"):
        if place.is_file():
            return place
    raise FileNotFoundError("leadq.lark is missing from the installation")  # pragma: no cover


if TYPE_CHECKING:  # the habits load with the first syntax error: their patterns cost start-up time
    from pathlib import Path

    from .habits import Facts, Failure

_new_tuple = tuple.__new__


def _tok_span(tok: Token) -> Span:
    return _new_tuple(Span, (tok.start, tok.end))  # Span(...) without the namedtuple's own frame


def _literal(tok: Token) -> Literal:
    kind = _KINDS[tok.type]
    span = _new_tuple(Span, (tok.start, tok.end))
    text = tok.value
    if kind is _STRING:
        return Literal(kind, _unescape(text, span), span)
    if kind is _BOOL:
        return Literal(kind, text.lower(), span)
    if kind is _PARAM:
        return Literal(kind, text[1:], span)
    return Literal(kind, text, span)


_STRING, _BOOL, _PARAM = LiteralKind.STRING, LiteralKind.BOOL, LiteralKind.PARAM


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
                raise Problem("bad_escape", Span(at, at + 2), char=nxt)
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _field(tok: Token) -> Field:
    return Field(tok.value, _new_tuple(Span, (tok.start, tok.end)))


def _checked_depth(node: Node) -> Node:
    if node.depth - 1 > MAX_DEPTH:  # levels of `not`/`and`/`or` above the conditions
        raise Problem("too_deep", node.span, limit=MAX_DEPTH)
    return node


class _Builder:
    """One method per grammar alias, building `_ast` nodes as rules are reduced."""

    def start(self, children: list[Node | _Tail | None]) -> Node:
        if len(children) == 2 and children[1] is None:  # a filter without a tail: the usual case
            node = children[0]
            assert node is not None and not isinstance(node, _Tail)
            return node
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
        operands: tuple[Node, ...] = tuple(children[::2])  # type: ignore[arg-type]  # operand, OR, operand, ...
        return _checked_depth(Or(operands, _new_tuple(Span, (operands[0].span.start, operands[-1].span.end))))

    def and_(self, children: list[Node | Token]) -> Node:
        operands: tuple[Node, ...] = tuple(children[::2])  # type: ignore[arg-type]  # operand, AND, operand, ...
        return _checked_depth(And(operands, _new_tuple(Span, (operands[0].span.start, operands[-1].span.end))))

    def not_(self, children: list[Node | Token]) -> Node:
        keyword, operand = children
        assert isinstance(keyword, Token) and not isinstance(operand, Token)
        return _checked_depth(Not(operand, _new_tuple(Span, (keyword.start, operand.span.end))))

    def group(self, children: list[Node | Token]) -> Node:
        lpar, inner, rpar = children
        assert isinstance(lpar, Token) and isinstance(rpar, Token)
        assert not isinstance(inner, Token)
        return attrs.evolve(inner, span=Span(_tok_span(lpar).start, _tok_span(rpar).end))

    def compare(self, children: list[Token]) -> Node:
        name, op, value = children
        start = name.start
        return Compare(
            Field(name.value, _new_tuple(Span, (start, name.end))),
            _OPS[op.value],
            _literal(value),
            _new_tuple(Span, (start, value.end)),
        )

    def in_(self, children: list[Token | tuple[tuple[Literal, ...], Span]]) -> Node:
        return self._in(children, negated=False)

    def not_in(self, children: list[Token | tuple[tuple[Literal, ...], Span]]) -> Node:
        return self._in(children, negated=True)

    def _in(self, children: list[Token | tuple[tuple[Literal, ...], Span]], negated: bool) -> Node:
        name, items = children[0], children[-1]
        assert isinstance(name, Token)
        values: tuple[Literal, ...]
        if isinstance(items, Token):  # `in :name`: the whole list is a parameter
            values, list_span = (Literal(LiteralKind.PARAMS, items.value[1:], _tok_span(items)),), _tok_span(items)
        else:
            values, list_span = items
        return In(_field(name), values, negated, _new_tuple(Span, (name.start, list_span.end)))

    def value_list(self, children: list[Token]) -> tuple[tuple[Literal, ...], Span]:
        values = tuple([_literal(t) for t in children[1:-1] if t.type != "COMMA"])
        return values, _new_tuple(Span, (children[0].start, children[-1].end))

    def contains(self, children: list[Token]) -> Node:
        return self._contains(children, negated=False)

    def not_contains(self, children: list[Token]) -> Node:
        return self._contains(children, negated=True)

    def _contains(self, children: list[Token], negated: bool) -> Node:
        name, value = children[0], _literal(children[-1])
        return Contains(_field(name), value, negated, _new_tuple(Span, (name.start, value.span.end)))

    def between(self, children: list[Token]) -> Node:
        name, _, low, _, high = children
        lo, hi = _literal(low), _literal(high)
        return Between(_field(name), lo, hi, _new_tuple(Span, (name.start, hi.span.end)))

    def flag(self, children: list[Token]) -> Node:
        (name,) = children
        span = _new_tuple(Span, (name.start, name.end))
        return Flag(Field(name.value, span), span)


_lexers: tuple[re.Pattern[str], re.Pattern[str]] | None = None

#: What the text of some terminals starts with. A run of such terminals, next to each
#: other in Lark's order, is tried only where the next character is one of these: a name
#: tries the fifteen keywords one by one only where it starts as one of them does, and the
#: order of the alternatives, so which one wins, is unchanged. A keyword's first letter is
#: matched without case, as the keyword is (the class takes the same characters the
#: letters do: U+0130 and U+0131 for `i`, as `(?i:i)` takes them).
_STARTS = {
    **dict.fromkeys(("DATETIME", "DATE", "DECIMAL"), "[-0-9]"),
    **dict.fromkeys((word.upper() for word in KEYWORDS), f"(?i:[{''.join(sorted({w[0] for w in KEYWORDS}))}])"),
}


def _lexer() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The token pattern (ignored text, then one alternation of the terminals in Lark's
    order, so the first that matches wins, as in Lark) and the ignored-text pattern. The
    ignored text is a possessive repeat: a long run of spaces is never backtracked into
    (the grammar's one `\\s+`, the usual case, as one repeat of the class: the regex
    engine's quick loop)."""
    global _lexers
    if _lexers is None:
        ignore = "|".join(pattern for name, pattern in TERMINALS if name in IGNORE)
        ignore = r"\s*+" if ignore == r"\s+" else f"(?:{ignore})*+"
        runs = itertools.groupby((t for t in TERMINALS if t[0] not in IGNORE), key=lambda t: _STARTS.get(t[0]))
        alternatives = []
        for starts, run in runs:
            alternation = "|".join(f"(?P<{name}>{pattern})" for name, pattern in run)
            alternatives.append(f"(?={starts})(?:{alternation})" if starts else alternation)
        alternation = "|".join(alternatives)
        _lexers = re.compile(f"{ignore}(?:{alternation})"), re.compile(ignore)
    return _lexers


def tokenize(text: str) -> list[Token]:
    """The tokens of `text` (whitespace dropped); raises `Problem` at a character no
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
                raise SyntaxProblem(_lex_finding(text, at, tokens), _failure(text, at, tokens, len(tokens), True))
            break
        kind = m.lastgroup or ""
        start, pos = m.span(kind)
        append(_new_tuple(Token, (kind, text[start:pos], start, pos)))
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
        elif method is not None and set(plan) <= {"k"} and not expand1 and callback:
            out.append((origin, len(plan), method))  # the builder's method takes the values as they are
        else:
            out.append((origin, len(plan), _reducer(plan, method, expand1, helper=not callback)))
    return out


def _reducer(plan: str, method: _Reducer | None, expand1: bool, helper: bool) -> _Reducer:
    # plan: one letter per symbol: k keeps the value, d drops a filtered token, s splices
    # the list a helper rule (`__x_star_0`) built, as Lark's tree builder does. The values
    # come in a fresh list, so a reduction may keep or grow it.
    simple = set(plan) <= {"k"}
    if helper and plan[:1] == "s":
        # A left-recursive repetition (`__x: __x "," item`): the list it built is consumed
        # by this reduction, so it grows in place; copying it would make long lists
        # quadratic.
        keep = [how == "k" for how in plan[1:]]
        if all(keep):

            def grow_all(values: list[Any]) -> Any:
                grown: list[Any] = values[0]
                grown += values[1:]
                return grown

            return grow_all

        def grow(values: list[Any]) -> Any:
            grown: list[Any] = values[0]
            grown.extend(v for v, kept in zip(values[1:], keep, strict=True) if kept)
            return grown

        return grow
    if helper and simple:
        return _same  # the first items of a repetition: the list as it is
    if plan == "ks" and method is not None and not expand1:
        # `and_expr (AND and_expr)+`: the first operand, then the repetition's list
        def first_and_rest(values: list[Any]) -> Any:
            children = values[1]
            children.insert(0, values[0])
            return method(children)

        return first_and_rest

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


def _same(values: list[Any]) -> Any:
    return values


_RULES = _reducers(_Builder())


def _jumps() -> dict[str, dict[int, dict[str, int]]]:
    """For each look-ahead terminal, state below and symbol reduced to: the state the
    parser is in once it has also made every unit reduction (`?atom: condition`) that
    look-ahead triggers there. A unit reduction pops the state just pushed and goes to
    another from the same state below, so the chain depends on nothing else: the driver
    takes it in one step, with the same stack and the same errors as step by step."""
    units = {~i: origin for i, (origin, _, reduce) in enumerate(_RULES) if reduce is None}
    kinds = {name for name, _ in TERMINALS} | {"$END"}  # every token the lexer makes, and the end
    gotos = {below: [s for s in row if not (s.isupper() or s == "$END")] for below, row in STATES.items()}
    gotos = {below: symbols for below, symbols in gotos.items() if symbols}
    jumps: dict[str, dict[int, dict[str, int]]] = {}
    for kind in kinds:
        table = jumps[kind] = {}
        for below, symbols in gotos.items():
            row = table[below] = {}
            for symbol in symbols:
                state = STATES[below][symbol]
                while state != END and (unit := units.get(STATES[state].get(kind, 0))) is not None:
                    state = STATES[below][unit]
                row[symbol] = state
    return jumps


_JUMPS = _jumps()


#: The parser's steps for a sequence of token kinds it has parsed before: an LALR parser's
#: shifts and reductions follow from the kinds alone, so a filter shaped like one seen
#: before (`site = 1 and reslt = missed`, then `site = 2 and ...`) is built by replaying
#: them, with no table to look up. Each step is -1 (shift the next token) or a rule's
#: index. Bounded: shapes of a few dozen tokens, a few thousand of them.
_SHAPES: dict[tuple[str, ...], list[int]] = {}
_SHAPE_TOKENS = 64
_SHAPE_COUNT = 4096


def _parse_tokens(tokens: list[Token], text: str) -> Node:
    shape = tuple([tok.type for tok in tokens]) if len(tokens) <= _SHAPE_TOKENS else None
    steps = _SHAPES.get(shape) if shape is not None else None
    if steps is not None:
        return _replay(steps, tokens)
    node, steps = _drive(tokens, text, shape is not None)
    if shape is not None:
        if len(_SHAPES) >= _SHAPE_COUNT:
            _SHAPES.clear()
        _SHAPES[shape] = steps
    return node


def _replay(steps: list[int], tokens: list[Token]) -> Node:
    """The tree `_drive` builds of tokens of the shape it took `steps` for."""
    rules = _RULES
    values: list[Any] = []
    keep = values.append
    shifted = iter(tokens)
    for step in steps:
        if step < 0:
            keep(next(shifted))
            continue
        _, size, reduce = rules[step]
        if reduce is None:  # a unit rule: the value stays
            continue
        if size:
            value = reduce(values[-size:])  # a fresh list: the reduction may keep it
            del values[-size:]
            keep(value)
        else:
            keep(reduce([]))
    value = values[-1]
    assert isinstance(value, NODE_TYPES)
    return value


def _drive(tokens: list[Token], text: str, record: bool) -> tuple[Node, list[int]]:
    """The tree of `tokens`, by the tables; with `record`, also the steps it took."""
    states = STATES
    rules = _RULES
    state = START
    stack = [state]
    values: list[Any] = []
    steps: list[int] = []
    push, keep = stack.append, values.append
    note = steps.append if record else _ignore
    for index, tok in enumerate([*tokens, _new_tuple(Token, ("$END", "", len(text), len(text)))]):
        kind = tok.type
        jump = _JUMPS[kind]
        while True:
            action = states[state].get(kind)
            if action is None:
                found = _parse_finding(text, tokens, index, _acceptable(stack))
                raise SyntaxProblem(found, _failure(text, tok.start, tokens, index, False))
            if action >= 0:
                push(action)
                keep(tok)
                note(-1)
                state = action
                break
            origin, size, reduce = rules[~action]
            note(~action)
            if reduce is None:  # a unit rule: the value stays, only the state changes
                del stack[-1]
            elif size:
                value = reduce(values[-size:])  # a fresh list: the reduction may keep it
                del values[-size:]
                del stack[-size:]
                keep(value)
            else:
                keep(reduce([]))
            state = jump[stack[-1]][origin]  # with the unit reductions that follow
            if state == END:  # only `start` leads there, and only at the end of the input
                value = values[-1]
                assert isinstance(value, NODE_TYPES)
                return value, steps
            push(state)
    raise AssertionError("the parser ended without accepting")  # pragma: no cover


def _ignore(step: int) -> None:
    pass


def state_after(tokens: list[Token]) -> list[int] | None:
    """The parser's state stack after `tokens` (no end of input yet), or None when the
    tokens are no prefix of any filter. Completion asks it what may come next."""
    stack = [START]
    for tok in tokens:
        if not _advance(stack, tok.type):
            return None
    return stack


def _advance(stack: list[int], kind: str) -> bool:
    """Shift `kind` onto `stack` after the reductions it triggers; False if it cannot come."""
    while True:
        action = STATES[stack[-1]].get(kind)
        if action is None:
            return False
        if action >= 0:
            stack.append(action)
            return True
        origin, size, _ = _RULES[-action - 1]
        del stack[len(stack) - size :]
        goto = STATES[stack[-1]][origin]
        if kind == "$END" and goto == END:
            return True
        stack.append(goto)


def acceptable(stack: list[int]) -> set[str]:
    """The terminals that may come next in parser state `stack`."""
    return _acceptable(stack)


def _acceptable(stack: list[int]) -> set[str]:
    """The terminals that the parser in this state would really shift, after the
    reductions they trigger (LALR merges look-aheads, so a state's row lists more)."""
    return {kind for kind in STATES[stack[-1]] if (kind.isupper() or kind == "$END") and _viable(stack, kind)}


def _viable(stack: list[int], kind: str) -> bool:
    return _advance(list(stack), kind)


#: The parser's findings that say only what it expected: a habit may say more.
_GENERIC = frozenset(
    {"unexpected_character", "unexpected_token", "unexpected_token_keyword", "unexpected_token_operator",
     "unexpected_end", "bad_datetime_form"}
)  # fmt: skip


def _failure(text: str, at: int, tokens: list[Token], index: int, lexing: bool) -> Failure:
    from .habits import Failure

    return Failure(text, at, tokens, index, lexing)


class SyntaxProblem(Problem):
    """A syntax error: its finding, and where the parser stopped (for `habits`)."""

    def __init__(self, finding: Finding, failure: Failure) -> None:
        super().__init__()
        self.findings = [finding]
        self.failure = failure


def parse_text(text: str, report: Report, *, facts: Facts | None = None) -> Node | None:
    """Parse `text` into a tree, or report the syntax problem that stops it.

    Where the text shows a habit of another query language (`&&`, `<>`, `field:value`,
    `60s`, ...), the finding names it and its fix (`leadq.language.habits`). `facts`, when
    given, answers what only the API method's schema can (whether a suggested condition
    compiles: a hint never suggests what would not).
    """
    if len(text) > MAX_LENGTH:
        report.add("too_long", Span(MAX_LENGTH, len(text)), limit=MAX_LENGTH)
        return None
    try:
        return _parse_tokens(tokenize(text), text)
    except SyntaxProblem as p:
        report.problem(Problem.of(_syntax_findings(text, p, facts)))
        return None
    except Problem as p:
        report.problem(p)
        return None


#: How many habits one text is searched for: each is fixed in turn to find the next.
_MAX_HABITS = 5


def _syntax_findings(text: str, problem: SyntaxProblem, facts: Facts | None) -> list[Finding]:
    """The findings of a syntax error: a habit of another language where one is
    recognised, else the parser's own. A habit with a certain fix is fixed, and the text
    parsed again, so that one run names every habit (`result:missed and site:1`), at its
    place in `text`."""
    findings: list[Finding] = []
    edits: list[tuple[int, int, int]] = []  # in the text after each edit: start, end, replaced length
    current = text
    for _ in range(_MAX_HABITS):
        first = problem.findings[0]
        habit = _recognise(problem.failure, facts) if first.key in _GENERIC else None
        found = _placed(habit or _checked_suggestion(first, facts), edits)
        if any(f.key == found.key and f.span == found.span for f in findings):
            break
        findings.append(found)
        edit = habit.fields.get("edit") if habit is not None else None
        if not isinstance(edit, tuple) or len(findings) == _MAX_HABITS:
            break
        start, end, new = edit
        current = current[:start] + new + current[end:]
        edits.append((start, start + len(new), end - start))
        try:
            _parse_tokens(tokenize(current), current)
        except SyntaxProblem as next_problem:
            problem = next_problem
            continue
        except Problem:
            break
        break
    return sorted(findings, key=lambda f: f.span.start)


def _recognise(failure: Failure, facts: Facts | None) -> Finding | None:
    from .habits import recognise

    return recognise(failure, facts)


def _placed(f: Finding, edits: list[tuple[int, int, int]]) -> Finding:
    """`f`, found in the text after `edits`, placed in the text before them."""
    if not edits:
        return f

    def back(offset: int) -> int:
        for start, end, length in reversed(edits):
            if offset >= end:
                offset += length - (end - start)
            elif offset > start:
                offset = start
        return offset

    fields = dict(f.fields)
    edit = fields.get("edit")
    if isinstance(edit, tuple):
        fields["edit"] = (back(edit[0]), back(edit[1]), edit[2])
    return Finding(f.key, Span(back(f.span.start), back(f.span.end)), fields)


def _checked_suggestion(f: Finding, facts: Facts | None) -> Finding:
    if f.key != "unexpected_token_operator" or (
        facts is not None and facts.accepts(f"{f.fields['previous']} = {f.fields['token']}")
    ):
        return f
    fields = {k: v for k, v in f.fields.items() if k not in ("previous", "token", "gap")}
    return Finding("unexpected_token", f.span, fields)


# -- syntax errors in words --------------------------------------------------------------

_VALUE_TERMINALS = {"INT", "DECIMAL", "DATE", "DATETIME", "STRING", "TRUE", "FALSE", "PARAM"}
_OPERATOR_TERMINALS = {"COMP", "IN", "CONTAINS", "BETWEEN"}
#: What each terminal is called when it is expected, in the order they are listed.
_WORDS = (
    ("LPAR", "`(`"),
    ("COMMA", "`,`"),
    ("RPAR", "`)`"),
    ("BY", "`by`"),
    ("ASC", "`asc` or `desc`"),
    ("AND", "`and`"),
    ("OR", "`or`"),
    ("ORDER", "`order by`"),
    ("LIMIT", "`limit`"),
    ("OFFSET", "`offset`"),
    ("FIELDS", "`fields`"),
    ("$END", "the end of the filter"),
)


def _expected_words(expected: set[str]) -> str:
    if expected & _OPERATOR_TERMINALS:
        # after a field name; `and`, `or` and the end are possible too (a bare boolean
        # field), but the operator is what a person most likely forgot
        return "an operator (`=`, `!=`, `<`, `>`, `in`, `contains`, `between`)"
    words: list[str] = []
    if expected & _VALUE_TERMINALS - {"PARAM"}:
        words.append("a value")
    elif "NAME" in expected:
        words.append("a name" if expected & {"LPAR", "NOT"} == set() else "a field name")
    if "NOT" in expected and "NAME" not in expected:
        words.append("`not`")
    if {"AND", "OR"} <= expected:
        words.append("`and`, `or`")
        expected = expected - {"AND", "OR"}
    tail = {"ORDER", "LIMIT", "OFFSET", "FIELDS"}
    if len(expected & tail) > 1:
        words.append("a query tail (`order by`, `limit`, `offset`, `fields`)")
        expected = expected - tail
    words += [word for terminal, word in _WORDS if terminal in expected]
    if "PARAM" in expected and not expected & _VALUE_TERMINALS - {"PARAM"}:
        words.append("a parameter (`:name`)")
    if not words:  # a terminal the table does not name: say its grammar name
        words = [f"`{t.lower()}`" for t in sorted(expected)]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


#: A date or time attempt that no terminal reads: the stretch of such characters.
_DATELIKE = re.compile(r"[0-9]{4}-[0-9]")
_CHUNK = frozenset("0123456789:.+-TZtz")


def _datetime_problem(text: str, pos: int) -> Finding | None:
    """A finding naming the datetime form meant, when `pos` falls inside one."""
    start = pos
    while start > 0 and text[start - 1] in _CHUNK:
        start -= 1
    end = pos
    while end < len(text) and text[end] in _CHUNK:
        end += 1
    chunk = text[start:end]
    if not _DATELIKE.match(chunk):
        return None
    if re.search(r"[tz]", chunk):
        why = "write the `T` and the `Z` as capitals"
    elif re.search(r":[0-9]{2}:[0-9]{2}\.[0-9]", chunk):
        why = "the API counts whole seconds, so a time has no fraction"
    elif re.search(r"[+-][0-9]{4}$", chunk):
        why = "write the offset with a colon, as +03:00"
    elif re.search(r"T[0-9]{1,2}$", chunk):
        why = "a time needs hours and minutes, as T10:00"
    elif re.fullmatch(r"[0-9]{4}-[0-9]{1,2}", chunk):
        why = "a date needs a year, a month and a day, as 2024-01-31"
    else:
        why = "dates are YYYY-MM-DD, times HH:MM or HH:MM:SS"
    return Finding("bad_datetime_form", Span(start, end), {"value": chunk, "why": why})


def _lex_finding(text: str, pos: int, tokens: list[Token]) -> Finding:
    char = text[pos]
    if char in "\"'":
        return Finding("unterminated_string", Span(pos, len(text)), {"quote": char})
    if char.isdigit() and char not in "0123456789":
        return Finding("non_ascii_digit", Span(pos, pos + 1), {"char": char})
    datetime = _datetime_problem(text, pos)
    if datetime is not None:
        return datetime
    shown = char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"
    return Finding("unexpected_character", Span(pos, pos + 1), {"char": shown})


def _parse_finding(text: str, tokens: list[Token], index: int, expected: set[str]) -> Finding:
    at_end = index >= len(tokens)
    tok = None if at_end else tokens[index]
    if tok is not None and tok.type == "INT" and index > 0 and tokens[index - 1].end == tok.start:
        datetime = _datetime_problem(text, tok.start)  # `2024-01` lexes as 2024 and -01
        if datetime is not None:
            return datetime
    start = len(text) if tok is None else tok.start
    span = Span(start, start if tok is None else tok.end)
    prev = tokens[index - 1].value if index > 0 else None
    fields: dict[str, object] = {
        "expected": _expected_words(expected),
        "after": f" after `{prev}`" if prev else "",
        "found": "the end of the filter" if tok is None else f"`{tok.value}`",
    }
    if tok is None:
        return Finding("unexpected_end", span, fields)
    if tok.value.lower() in KEYWORDS and expected & _VALUE_TERMINALS:
        return Finding("unexpected_token_keyword", span, {**fields, "token": tok.value})
    if tok.type in _VALUE_TERMINALS | {"NAME"} and expected & _OPERATOR_TERMINALS:
        gap = Span(tokens[index - 1].end, tok.start) if index > 0 else None  # where the `=` goes
        operator = {"previous": prev, "token": tok.value, "gap": gap}
        return Finding("unexpected_token_operator", span, {**fields, **operator})
    return Finding("unexpected_token", span, fields)
