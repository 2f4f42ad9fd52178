"""Habits from other query languages, recognised where a filter fails to parse.

People bring the syntax of SQL (`<>`, `IS NULL`, `LIKE '%x%'`), Kibana and Lucene
(`field:value`, `[a TO b]`, `now-7d`), Jira, spreadsheets (`01.02.2024`, `1,5`) and
programming languages (`&&`, `||`) to a filter. Where the parser stops, `recognise` looks at
the text around the failure for such a habit and, when it finds one, replaces the parser's
generic finding ("unexpected character `&`") with one that names the habit and the fix
("`&&` is not an operator in leadq: did you mean `and`?").

A habit is recognised syntactically, from the text and the tokens the parser read. What
only the API method's schema can tell (whether a suggested condition compiles, which yes/no
field tells that `email` is given, what unit `duration` counts) is asked through `Facts`,
which the pipeline passes in: a hint never suggests what would not compile.

Each finding that has one fix for certain carries it as the field ``edit``: ``(start, end,
text)``, the replacement of a stretch of the filter.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Sequence
from typing import Protocol

import attrs

from ..core.datetimes import PERIOD_DAYS, RELATIVE_PERIODS, period_words
from ..core.diagnostics import Finding
from ..core.span import Span


class TokenLike(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


class Facts(Protocol):
    """What the API method's schema can tell a habit's hint (the pipeline implements it)."""

    def accepts(self, condition: str) -> bool:
        """Whether `condition` (a whole filter) parses and checks: its fields, operators
        and values are right (it may still need several requests)."""
        ...

    def request(self, text: str) -> tuple[str, str] | None:
        """When `text` is a raw q, a `q=...` parameter, a request URL or a whole request:
        what it is in words ("a raw q") and the filter it means; else None."""
        ...

    def presence_flag(self, field: str) -> str | None:
        """The yes/no criterion that tells whether the Lead field `field` is given
        (`email` → `email_exists`)."""
        ...

    def presence_flags(self) -> tuple[str, ...]:
        """Every such yes/no criterion."""
        ...

    def unit(self, field: str) -> str | None:
        """The unit a numeric criterion counts in (``second``), if it has one."""
        ...


class NoFacts:
    """Facts without a schema: nothing can be checked, so nothing is suggested that would
    need checking."""

    def accepts(self, condition: str) -> bool:
        return False

    def request(self, text: str) -> tuple[str, str] | None:
        return None

    def presence_flag(self, field: str) -> str | None:
        return None

    def presence_flags(self) -> tuple[str, ...]:
        return ()

    def unit(self, field: str) -> str | None:
        return None


@attrs.frozen
class Failure:
    """Where the parser stopped.

    `tokens` are those lexed: up to `at` when lexing failed (`lexing`), all of them when
    parsing did; `index` is then the offending token's (``len(tokens)`` at the end).
    """

    text: str
    at: int
    tokens: Sequence[TokenLike]
    index: int
    lexing: bool

    @property
    def token(self) -> TokenLike | None:
        """The token the parser could not take (None at the end, or when lexing failed)."""
        return None if self.lexing or self.index >= len(self.tokens) else self.tokens[self.index]

    def before(self, n: int = 1) -> TokenLike | None:
        """The token `n` places before the failure."""
        i = self.index - n
        return self.tokens[i] if 0 <= i < len(self.tokens) else None

    def types_before(self, n: int) -> tuple[str, ...]:
        """The types of the `n` tokens before the failure (fewer at the start)."""
        return tuple(t.type for t in self.tokens[max(0, self.index - n) : self.index])


# -- shared pieces -------------------------------------------------------------------------

_NAME = r"[^\W\d]\w*(?:\.[^\W\d]\w*)*"
_VALUES = frozenset({"INT", "DECIMAL", "DATE", "DATETIME", "STRING", "NAME", "TRUE", "FALSE", "PARAM"})
_OPS = frozenset({"COMP", "CONTAINS", "IN", "BETWEEN"})
_JOINS = frozenset({"AND", "OR", "NOT", "LPAR"})
#: The relative period of each length in days (a month of 31 days is the last month too).
_PERIODS = {**{days: name for name, days in PERIOD_DAYS.items()}, 31: "lastmonth"}
_ALL_PERIODS = ", ".join(RELATIVE_PERIODS)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _spaced(text: str, start: int, end: int, word: str) -> str:
    """`word` as it replaces text[start:end]: with a space on a side that touches a word."""
    left = " " if start > 0 and not text[start - 1].isspace() and text[start - 1] != "(" else ""
    right = " " if end < len(text) and not text[end].isspace() and text[end] != ")" else ""
    return f"{left}{word}{right}"


def _finding(key: str, start: int, end: int, edit: tuple[int, int, str] | None = None, **fields: object) -> Finding:
    if edit is not None:
        fields["edit"] = edit
    return Finding(key, Span(start, end), fields)


def _first_accepted(facts: Facts, candidates: Sequence[str]) -> str | None:
    return next((c for c in candidates if facts.accepts(c)), None)


def _head(f: Failure, upto: int | None = None) -> tuple[TokenLike, TokenLike] | None:
    """The field and operator tokens right before token `upto` (the failure's by default)."""
    i = f.index if upto is None else upto
    if i >= 2 and f.tokens[i - 2].type == "NAME" and f.tokens[i - 1].type in _OPS | {"NOT"}:
        return f.tokens[i - 2], f.tokens[i - 1]
    if i >= 3 and f.tokens[i - 3].type == "NAME" and f.tokens[i - 2].type == "NOT" and f.tokens[i - 1].type in _OPS:
        return f.tokens[i - 3], f.tokens[i - 1]
    return None


def _op_text(f: Failure, name: TokenLike, op: TokenLike) -> str:
    """The operator as written between the field and the value (`not in` included)."""
    return " ".join(f.text[name.end : op.end].split())


def _condition_start(f: Failure, i: int) -> int | None:
    """The index of the field token of the condition whose value is token `i - 1`."""
    if i >= 3 and f.tokens[i - 1].type in _VALUES and f.tokens[i - 2].type in _OPS and f.tokens[i - 3].type == "NAME":
        return i - 3
    return None


# -- the habits, in the order they are tried --------------------------------------------------


def _request(f: Failure, facts: Facts) -> Finding | None:
    """A raw q, `q=...`, a request URL or a whole request pasted where a filter goes."""
    stripped = f.text.strip()
    found = facts.request(stripped)
    if found is None:
        return None
    what, filter_text = found
    start = f.text.index(stripped[0]) if stripped else 0
    end = start + len(stripped)
    return _finding("raw_q", start, end, (start, end, filter_text), what=what, fix=filter_text)


_SELECT = re.compile(r"\s*select\b", re.I)
_WHERE = re.compile(r"\bwhere\b\s*", re.I)


def _sql_select(f: Failure, facts: Facts) -> Finding | None:
    m = _SELECT.match(f.text)
    if m is None:
        return None
    start = m.end() - len("select")
    where = _WHERE.search(f.text, m.end())
    if where is None:
        return _finding("sql_select_bare", start, len(f.text.rstrip()))
    condition = f.text[where.end() :].strip().rstrip(";").strip()
    edit = (start, len(f.text), condition) if facts.accepts(condition) else None
    return _finding("sql_select", start, where.end(), edit, fix=condition or "...")


_WHERE_FIRST = re.compile(r"\s*(where)\s", re.I)


def _sql_where(f: Failure, facts: Facts) -> Finding | None:
    m = _WHERE_FIRST.match(f.text)
    if m is None or f.at > m.end() + 1 + len(f.text[m.end() :].split(" ", 1)[0]):
        return None
    return _finding("sql_where", m.start(1), m.end(1), (m.start(1), m.end(), ""))


_SYMBOLS = {"&&": "and", "||": "or", "&": "and", "|": "or", "!": "not"}
_SYMBOL = re.compile(r"&&|\|\||&|\||!(?![=~])")


def _logic_symbol(f: Failure, facts: Facts) -> Finding | None:
    if not f.lexing:
        return None
    m = _SYMBOL.match(f.text, f.at)
    if m is None:
        return None
    written = m.group(0)
    if len(written) == 1 and written != "!":
        glued = f.at > 0 and not f.text[f.at - 1].isspace() and m.end() < len(f.text) and f.text[m.end()].isalnum()
        if glued:  # `a&b`: part of a value that wants quotes, not an operator
            return None
    word = _SYMBOLS[written]
    return _finding(
        "logic_symbol", m.start(), m.end(), (m.start(), m.end(), _spaced(f.text, m.start(), m.end(), word)),
        written=written, word=word,
    )  # fmt: skip


_TILDE = re.compile(r"!?~")
_VALUE_TEXT = re.compile(r'\s*("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[^\s()]+)')


def _tilde(f: Failure, facts: Facts) -> Finding | None:
    """Jira's `~` (contains) and `!~`."""
    if not f.lexing:
        return None
    m = _TILDE.match(f.text, f.at)
    if m is None:
        return None
    word = "not contains" if m.group(0).startswith("!") else "contains"
    name = f.tokens[-1] if f.tokens and f.tokens[-1].type == "NAME" else None
    if name is not None and len(f.tokens) > 2 and f.tokens[-2].type in _OPS and f.tokens[-3].type == "NAME":
        return _fuzzy(f, f.tokens[-3], name, m.end(), facts)  # `refund~2`: Lucene's fuzzy search
    if name is None:
        return None
    value = _VALUE_TEXT.match(f.text, m.end())
    fix = None
    if name is not None and value is not None:
        fix = _first_accepted(facts, [f"{name.value} {word} {_quote(_unquote(value.group(1)))}"])
    return _finding(
        "tilde", m.start(), m.end(), (m.start(), m.end(), _spaced(f.text, m.start(), m.end(), word)),
        written=m.group(0), word=word, fix=fix or f'{word} "..."',
    )  # fmt: skip


def _fuzzy(f: Failure, field: TokenLike, word: TokenLike, end: int, facts: Facts) -> Finding | None:
    digits = re.compile(r"[\d.]*").match(f.text, end)
    end = digits.end() if digits else end
    fix = _first_accepted(facts, [f"{field.value} contains {_quote(word.value)}"])
    if fix is None:
        return None
    return _finding("fuzzy", field.start, end, (field.start, end, fix), written=f.text[word.start : end], fix=fix)


_REGEX = re.compile(r"/((?:[^/\\]|\\.)+)/[a-z]*")


def _regex(f: Failure, facts: Facts) -> Finding | None:
    """`text contains /refund|return/`: a regular expression."""
    if not f.lexing or f.text[f.at] != "/":
        return None
    head = _head(f, len(f.tokens))
    m = _REGEX.match(f.text, f.at)
    if head is None or m is None:
        return None
    name = head[0]
    pieces = m.group(1).split("|")
    fix = None
    if all(re.fullmatch(r"[\w \-]+", p) for p in pieces):
        fix = " or ".join(f"{name.value} contains {_quote(p)}" for p in pieces)
        fix = fix if facts.accepts(fix) else None
    edit = (name.start, m.end(), fix) if fix else None
    return _finding("regex" if fix else "regex_other", name.start, m.end(), edit, written=m.group(0), fix=fix)


def _comma_join(f: Failure, facts: Facts) -> Finding | None:
    """`site = 1, result = missed`: a comma where `and` goes."""
    tok = f.token
    if tok is None or tok.type != "COMMA" or f.index + 2 >= len(f.tokens):
        return None
    after, op = f.tokens[f.index + 1], f.tokens[f.index + 2]
    if after.type != "NAME" or op.type not in _OPS | {"NOT"} or f.before() is None:
        return None
    if f.before().type not in _VALUES | {"RPAR"}:  # type: ignore[union-attr]
        return None
    return _finding("comma_join", tok.start, tok.end, (tok.start, tok.end, " and"))


_COMPOSED = {"<>": "!=", "><": "!=", "=<": "<=", "=>": ">=", "===": "=", "!==": "!=", "==": "=", "!=": "!="}


def _composed_operator(f: Failure, facts: Facts) -> Finding | None:
    """`<>` (SQL, spreadsheets), `=<`, `=>`, `===` and `!==`: two operators in a row."""
    tok, prev = f.token, f.before()
    if tok is None or prev is None or tok.type != "COMP" or prev.type != "COMP":
        return None
    written = prev.value + tok.value
    word = _COMPOSED.get(written)
    if word is None or word == written:
        return None
    return _finding("composed_operator", prev.start, tok.end, (prev.start, tok.end, word), written=written, word=word)


_IS = re.compile(rf"({_NAME})\s+is\s+(not\s+)?(null|empty|none|nil|missing|true|false)\b", re.I)


def _is_null(f: Failure, facts: Facts) -> Finding | None:
    tok, prev = f.token, f.before()
    if tok is None or prev is None or prev.type != "NAME" or tok.value.lower() != "is":
        return None
    m = _IS.match(f.text, prev.start)
    if m is None:
        return None  # `result is missed`: an operator spelt as a word
    field, negated, what = m.group(1), bool(m.group(2)), m.group(3).lower()
    written = " ".join(f.text[tok.start : m.end()].split())
    if what in ("true", "false"):
        truth = (what == "true") != negated
        fix = field if truth else f"not {field}"
        if not facts.accepts(fix):
            return None
        return _finding("is_boolean", m.start(), m.end(), (m.start(), m.end(), fix), written=written, fix=fix)
    flag = facts.presence_flag(field)
    if flag is None:
        flags = facts.presence_flags()
        shown = ", ".join(f"`{f}`" for f in flags) or "none"
        return _finding("is_null_no_flag", m.start(), m.end(), written=written, field=field, flags=shown)
    fix = flag if negated else f"not {flag}"
    return _finding("is_null", m.start(), m.end(), (m.start(), m.end(), fix), written=written, field=field, fix=fix)


_LIKE = re.compile(rf"({_NAME})\s+(not\s+)?(i?like)\s+(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|\S+)", re.I)


def _like(f: Failure, facts: Facts) -> Finding | None:
    tok = f.token
    if tok is None or tok.value.lower() not in ("like", "ilike"):
        return None
    start = f.before(2) if (f.before() and f.before().type == "NOT") else f.before()  # type: ignore[union-attr]
    if start is None or start.type != "NAME":
        return None
    m = _LIKE.match(f.text, start.start)
    if m is None:
        return None
    field, negated, keyword = m.group(1), bool(m.group(2)), m.group(3)
    pattern = _unquote(m.group(4))
    piece = pattern.strip("%*")
    written = " ".join(f.text[tok.start : m.end()].split())
    if not piece or re.search(r"[%*_]", piece):
        return _finding("like_pattern", m.start(), m.end(), written=keyword.upper())
    inside = pattern.startswith(("%", "*")) or pattern.endswith(("%", "*"))
    nots = "not " if negated else ""
    candidates = [f"{field} {nots}contains {_quote(piece)}"] if inside else []
    candidates += [f"{field} {'!=' if negated else '='} {_quote(piece)}", f"{field} {nots}contains {_quote(piece)}"]
    fix = _first_accepted(facts, candidates)
    if fix is None:
        return _finding("like_pattern", m.start(), m.end(), written=keyword.upper())
    return _finding("like", m.start(), m.end(), (m.start(), m.end(), fix), written=written, fix=fix)


def _semicolon(f: Failure, facts: Facts) -> Finding | None:
    if not f.lexing or f.text[f.at] != ";":
        return None
    rest = f.text[f.at :]
    if not rest.strip("; \t\r\n"):
        end = f.at + len(rest.rstrip())
        return _finding("trailing_semicolon", f.at, end, (f.at, end, ""))
    return _finding("semicolon", f.at, f.at + 1, (f.at, f.at + 1, _spaced(f.text, f.at, f.at + 1, "and")))


_COLON_VALUE = re.compile(
    r"""\s*:\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<range>[\[{])\s*(?P<low>[^\s\]}]+)\s+to\s+(?P<high>[^\s\]}]+)\s*(?P<close>[\]}])
      | \((?P<group>[^()]*)\)
      | (?P<cmp>[<>]=?)\s*(?P<bound>[^\s()]+)
      | (?P<from>[^\s().]+(?:\.\d+)?)\.\.(?P<to>[^\s()]+)
      | (?P<plain>[^\s()]+)
    )""",
    re.I | re.X,
)


def _colon_candidates(field: str, m: re.Match[str], facts: Facts) -> list[str]:
    if m.group("string") is not None:
        value = _quote(_unquote(m.group("string")))
        return [f"{field} = {value}", f"{field} contains {value}"]
    if m.group("range") is not None:
        return _range_candidates(field, m.group("low"), m.group("high"), m.group("range") == "[")
    if m.group("group") is not None:
        items = [v for v in re.split(r"\s+or\s+|\s*,\s*|\s+", m.group("group").strip(), flags=re.I) if v]
        return [f"{field} in ({', '.join(items)})"]
    if m.group("cmp") is not None:
        return [f"{field} {m.group('cmp')} {m.group('bound')}"]
    if m.group("from") is not None:
        return _range_candidates(field, m.group("from"), m.group("to"), True)
    plain = m.group("plain")
    if field.lower() == "_exists_":
        flag = facts.presence_flag(plain)
        return [flag] if flag else []
    if "*" in plain or "?" in plain:
        piece = plain.strip("*")
        return [f"{field} contains {_quote(piece)}"] if piece and not re.search(r"[*?]", piece) else []
    return [f"{field} = {plain}", f"{field} = {_quote(plain)}", f"{field} contains {_quote(plain)}"]


def _range_candidates(field: str, low: str, high: str, inclusive: bool) -> list[str]:
    lo = None if low == "*" else low
    hi = None if high == "*" else high
    if lo is not None and hi is not None:
        if inclusive:
            return [f"{field} between {lo} and {hi}"]
        return [f"{field} > {lo} and {field} < {hi}"]
    if lo is not None:
        return [f"{field} {'>=' if inclusive else '>'} {lo}"]
    if hi is not None:
        return [f"{field} {'<=' if inclusive else '<'} {hi}"]
    return []


_NEGATED_NAME = re.compile(rf"-({_NAME})(?=\s*:)")


def _colon(f: Failure, facts: Facts) -> Finding | None:
    """Lucene, Kibana and Jira's `field:value` (and `field:*x*`, `field:[a TO b]`, `field:>5`)."""
    tok = f.token
    negated = False
    if f.lexing and f.text[f.at] == "-":
        found = _NEGATED_NAME.match(f.text, f.at)
        if found is None:
            return None
        field, start, name_end, negated = found.group(1), f.at, found.end(), True
    elif f.lexing and f.text[f.at] in "*?" and len(f.tokens) >= 2 and f.tokens[-1].type == "PARAM":
        name = f.tokens[-2]  # `text:refund*`: `:refund` lexed as a parameter
        if name.type != "NAME" or name.end != f.tokens[-1].start:
            return None
        field, start, name_end = name.value, name.start, name.end
    elif f.lexing:
        if f.text[f.at] != ":" or not f.tokens or f.tokens[-1].type != "NAME" or f.text.startswith("://", f.at):
            return None
        name = f.tokens[-1]
        if len(f.tokens) > 1 and f.tokens[-2].type in _OPS:  # a value, as in `enter_page = https://...`
            return None
        field, start, name_end = name.value, name.start, name.end
    elif tok is not None and tok.type == "PARAM" and (before := f.before()) is not None and before.type == "NAME":
        field, start, name_end = before.value, before.start, before.end
    else:
        return None
    m = _COLON_VALUE.match(f.text, name_end)
    if m is None:
        return None
    if not negated and start > 0 and f.text[start - 1] == "-":
        negated, start = True, start - 1
    candidates = _colon_candidates(field, m, facts)
    if negated:
        candidates = [
            c.replace(" = ", " != ", 1) if c.startswith(f"{field} = ") else f"not ({c})" if " and " in c else f"not {c}"
            for c in candidates
        ]
    fix = _first_accepted(facts, candidates)
    written = f.text[start : m.end()]
    edit = (start, m.end(), fix) if fix else None
    return _finding("colon_condition", start, m.end(), edit, written=written, fix=fix or f"{field} = ...")


_RANGE = re.compile(r"([\[{])\s*([^\s\]}]+)\s+to\s+([^\s\]}]+)\s*([\]}])", re.I)


def _lucene_range(f: Failure, facts: Facts) -> Finding | None:
    if not f.lexing or f.text[f.at] not in "[{":
        return None
    m = _RANGE.match(f.text, f.at)
    if m is None:
        return None
    head = _head(f, len(f.tokens))
    fix = None
    start = m.start()
    if head is not None:
        name = head[0]
        candidates = _range_candidates(name.value, m.group(2), m.group(3), m.group(1) == "[")
        fix = _first_accepted(facts, candidates)
        start = name.start
    edit = (start, m.end(), fix) if fix else None
    return _finding("lucene_range", start, m.end(), edit, written=m.group(0), fix=fix or "field between ... and ...")


_SQUARE = re.compile(r"\[([^\[\]]*)\]")


def _square_list(f: Failure, facts: Facts) -> Finding | None:
    if not f.lexing or f.text[f.at] != "[":
        return None
    m = _SQUARE.match(f.text, f.at)
    if m is None:
        return None
    items = [v.strip() for v in m.group(1).split(",") if v.strip()]
    listed = f"({', '.join(items)})"
    head = _head(f, len(f.tokens))
    if head is not None and head[1].type == "IN":
        return _finding("square_list", m.start(), m.end(), (m.start(), m.end(), listed), fix=listed)
    if head is not None and head[1].type == "COMP" and head[1].value in ("=", "==", "!="):
        name, op = head
        fix = f"{name.value} {'not in' if op.value == '!=' else 'in'} {listed}"
        if facts.accepts(fix):
            return _finding("square_list", name.start, m.end(), (name.start, m.end(), fix), fix=fix)
    return _finding("square_list", m.start(), m.end(), (m.start(), m.end(), listed), fix=listed)


def _values_from(f: Failure, i: int, separators: frozenset[str]) -> tuple[list[TokenLike], int]:
    """Values at token `i` on, separated by `separators` tokens: the values and the index
    after the last."""
    values: list[TokenLike] = []
    while i < len(f.tokens) and f.tokens[i].type in _VALUES - {"PARAM"}:
        values.append(f.tokens[i])
        if i + 1 < len(f.tokens) and f.tokens[i + 1].type in separators:
            i += 2
        else:
            i += 1
            break
    return values, i


def _equals_list(f: Failure, facts: Facts) -> Finding | None:
    """`site = 1,2`, `site = (1, 2)`: several values after `=`."""
    tok = f.token
    if tok is None:
        return None
    if tok.type == "COMMA":
        first = _condition_start(f, f.index)
        if first is None:
            return None
        name, op, value = f.tokens[first : first + 3]
        if op.type != "COMP":
            return None
        rest, _ = _values_from(f, f.index + 1, frozenset({"COMMA"}))
        if not rest:
            return None
        glued = value.end == tok.start and tok.end == rest[0].start
        if op.value in ("<", ">", "<=", ">=") and len(rest) == 1 and {value.type, rest[0].type} == {"INT"} and glued:
            fix = f"{value.value}.{rest[0].value}"  # `1,5`: a decimal comma
            return _finding("decimal_comma", value.start, rest[0].end, (value.start, rest[0].end, fix), fix=fix)
        values = [value, *rest]
        end = values[-1].end
    elif tok.type == "LPAR":
        head = _head(f)
        if head is None or head[1].type != "COMP":
            return None
        name, op = head
        values, i = _values_from(f, f.index + 1, frozenset({"COMMA"}))
        if not values or i >= len(f.tokens) or f.tokens[i].type != "RPAR":
            return None
        end = f.tokens[i].end
    else:
        return None
    if op.value not in ("=", "==", "!="):
        return None
    keyword = "not in" if op.value == "!=" else "in"
    fix = f"{name.value} {keyword} ({', '.join(v.value for v in values)})"
    if not facts.accepts(fix):
        return None
    return _finding("equals_list", name.start, end, (name.start, end, fix), op=op.value, keyword=keyword, fix=fix)


def _value_without_field(f: Failure, facts: Facts) -> Finding | None:
    """`site = 1 or 2`, `text contains "a" or "b"`: a value where a condition goes."""
    tok, joiner = f.token, f.before()
    if tok is None or joiner is None or joiner.type not in ("AND", "OR") or tok.type not in _VALUES - {"NAME"}:
        return None
    first = _condition_start(f, f.index - 1)
    if first is None:
        return None
    name, op, value = f.tokens[first : first + 3]
    written_op = _op_text(f, name, op)
    more, _ = _values_from(f, f.index, frozenset({joiner.type}))
    # (no values there: a placeholder, `type != chat and :sites`, is no value of a list)
    if more and ((joiner.type == "OR" and written_op in ("=", "==")) or (joiner.type == "AND" and written_op == "!=")):
        keyword = "in" if joiner.type == "OR" else "not in"
        fix = f"{name.value} {keyword} ({', '.join(v.value for v in (value, *more))})"
        if facts.accepts(fix):
            end = more[-1].end
            return _finding(
                "value_without_field", name.start, end, (name.start, end, fix), joiner=joiner.value.lower(), fix=fix
            )
    repeated = f"{name.value} {written_op} {tok.value}"
    if not facts.accepts(repeated):
        return None
    return _finding(
        "value_without_field", tok.start, tok.end, (tok.start, tok.end, repeated),
        joiner=joiner.value.lower(), fix=repeated,
    )  # fmt: skip


def _operator_without_field(f: Failure, facts: Facts) -> Finding | None:
    """`duration > 1 and < 5`: an operator where a condition goes."""
    tok, joiner = f.token, f.before()
    if tok is None or joiner is None or joiner.type not in ("AND", "OR") or tok.type not in _OPS:
        return None
    first = _condition_start(f, f.index - 1)
    if first is None or f.index + 1 >= len(f.tokens):
        return None
    name = f.tokens[first]
    value = f.tokens[f.index + 1]
    condition = f"{name.value} {tok.value.lower()} {value.value}"
    if not facts.accepts(condition):
        return None
    return _finding(
        "operator_without_field", tok.start, tok.start, (tok.start, tok.start, f"{name.value} "),
        op=tok.value, field=name.value, fix=condition,
    )  # fmt: skip


#: Units a number may carry in other tools, in seconds (Kibana's `m` is minutes, `M` months).
_UNITS: dict[str, float] = {
    **dict.fromkeys(("ms", "msec", "millisecond", "milliseconds"), 0.001),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds", "с", "сек", "секунд", "секунды", "секунда"), 1),  # noqa: RUF001
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "мин", "минут", "минуты", "минута"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "ч", "час", "часа", "часов"), 3600),
    **dict.fromkeys(("d", "day", "days", "д", "дн", "день", "дня", "дней"), 86400),
    **dict.fromkeys(("w", "wk", "week", "weeks", "нед", "неделя", "недели", "недель"), 604800),
    **dict.fromkeys(("M", "mo", "month", "months", "мес", "месяц", "месяца", "месяцев"), 2592000),
    **dict.fromkeys(("y", "yr", "year", "years", "г", "год", "года", "лет"), 31536000),  # noqa: RUF001
}
_NUMBER_UNIT = re.compile(r"(-?)(\d+(?:[.,]\d+)?)\s*([^\W\d_]+)\b")


def _number_head(f: Failure, i: int) -> TokenLike | None:
    """The field a number at token `i` is compared with: after `field op`, `field
    between`, or `field between x and`."""
    t = f.tokens
    if i >= 2 and t[i - 1].type in ("COMP", "BETWEEN") and t[i - 2].type == "NAME":
        return t[i - 2]
    if i >= 4 and t[i - 1].type == "AND" and t[i - 3].type == "BETWEEN" and t[i - 4].type == "NAME":
        return t[i - 4]
    return None


def _unit_of(word: str) -> float | None:
    return _UNITS.get(word) if word == "M" else _UNITS.get(word.lower()) if word != "m" else 60


def _number_unit(f: Failure, facts: Facts) -> Finding | None:
    """`60s`, `5min`, `2h`, `60 сек`: a number with a unit."""
    if f.lexing:
        start = f.at
        head_index = len(f.tokens)
    else:
        tok, prev = f.token, f.before()
        if tok is None or prev is None or tok.type != "NAME" or prev.type not in ("INT", "DECIMAL"):
            return None
        start = prev.start
        head_index = f.index - 1
    m = _NUMBER_UNIT.match(f.text, start)
    if m is None or len(m.group(2)) > 15:
        return None
    factor = _unit_of(m.group(3))
    if factor is None:
        return None
    written = m.group(0)
    amount = float(m.group(2).replace(",", "."))
    seconds = amount * factor
    head = _number_head(f, head_index)
    if head is None:
        return _finding("number_unit_plain", m.start(), m.end(), written=written)
    name = head
    field = name.value
    if facts.unit(field) == "second" and seconds == int(seconds):
        number = f"{m.group(1)}{int(seconds)}"
        if facts.accepts(f"{field} = {number}"):
            return _finding(
                "number_unit", m.start(), m.end(), (m.start(), m.end(), number),
                written=written, field=field, unit="second", fix=number,
            )  # fmt: skip
    days = round(seconds / 86400)
    period = _PERIODS.get(days) if abs(seconds - days * 86400) < 3600 * 12 and days else None
    if seconds == 86400 and m.group(3) in ("h", "hr", "hrs", "hour", "hours"):
        period = "lastday"
    if facts.accepts(f"{field} = lastweek"):  # a field that takes dates and periods
        if period is not None and facts.accepts(f"{field} = {period}"):
            fix = f"{field} = {period}"
            return _finding(
                "duration_as_date", name.start, m.end(), (name.start, m.end(), fix),
                written=written, field=field, fix=fix, meaning=period_words(period),
            )  # fmt: skip
        return _finding(
            "duration_as_date_other", m.start(), m.end(), written=written, field=field, periods=_ALL_PERIODS
        )
    return _finding("number_unit_plain", m.start(), m.end(), written=written)


_DOTTED = re.compile(r"(\d{1,4})\.(\d{1,2})\.(\d{1,4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?(?![\d.])")
_SLASHED = re.compile(r"(\d{1,4})/(\d{1,2})/(\d{1,4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?(?![\d/])")
_SHORT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?(?![\d-])")
_SPACED = re.compile(r"(\d{4}-\d{2}-\d{2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip


def _iso(year: int, month: int, day: int, time: Sequence[str | None] = ()) -> str | None:
    try:
        _dt.date(year, month, day)
    except ValueError:
        return None
    text = f"{year:04d}-{month:02d}-{day:02d}"
    hour, minute, second = (*time, None, None, None)[:3]
    if hour is not None and minute is not None:
        if int(hour) > 23 or int(minute) > 59 or (second is not None and int(second) > 59):
            return None
        text += f"T{int(hour):02d}:{minute}" + (f":{second}" if second is not None else "")
    return text


def _date_start(f: Failure) -> int:
    """Where a date attempt that failed at `f.at` starts: at the digits lexed before it."""
    start = f.at if f.lexing else (f.token.start if f.token else f.at)
    tokens = f.tokens if f.lexing else f.tokens[: f.index]
    for t in reversed(tokens):
        glued = t.end == start and t.type in ("INT", "DECIMAL", "DATE")
        if glued or (t.type == "DATE" and f.text[t.end : start].isspace()):  # `2024-01-05 10:00`
            start = t.start
        else:
            break
    return start


def _date_forms(f: Failure, facts: Facts) -> Finding | None:
    """`01.02.2024`, `2024/01/05`, `01/05/2024`, `2024-1-5`, `2024-01-05 10:00`."""
    char = f.text[f.at] if f.at < len(f.text) else ""
    if not (char.isdigit() or char in "./:-" or (f.token is not None and f.token.type == "INT")):
        return None
    start = _date_start(f)
    found = _date_form(f, start)
    if found is None or "edit" not in found.fields:
        return found
    head = _number_head(f, _token_index(f, start))
    fix = found.fields["fix"]
    if head is not None and not facts.accepts(f"{head.value} = {fix}"):  # not a field of dates
        return _finding("date_form", found.span.start, found.span.end, written=found.fields["written"])
    return found


def _token_index(f: Failure, offset: int) -> int:
    """The index of the first token at or after `offset`."""
    return next((i for i, t in enumerate(f.tokens) if t.start >= offset), len(f.tokens))


def _date_form(f: Failure, start: int) -> Finding | None:
    m = _SPACED.match(f.text, start)
    if m is not None and f.at > m.start(1) + 10:
        year, month, day = (int(p) for p in m.group(1).split("-"))
        fix = _iso(year, month, day, (m.group(2), m.group(3), m.group(4)))
        if fix is not None:
            return _finding(
                "spaced_datetime", m.start(), m.end(), (m.start(), m.end(), fix), written=m.group(0), fix=fix
            )
    for pattern, key in ((_DOTTED, "dotted_date"), (_SLASHED, "slashed_date"), (_SHORT, "short_date")):
        m = pattern.match(f.text, start)
        if m is None or m.end() <= f.at:
            continue
        if key == "short_date" and len(m.group(2)) == 2 and len(m.group(3)) == 2:
            continue  # a date of the right form: the problem lies in what follows
        a, b, c = (int(m.group(i)) for i in (1, 2, 3))
        time = (m.group(4), m.group(5), m.group(6))
        written = m.group(0)
        if len(m.group(1)) == 4:  # year first: year, month, day
            fix = _iso(a, b, c, time)
            if fix is None:
                return _finding("impossible_date", m.start(), m.end(), written=written)
            return _finding(key, m.start(), m.end(), (m.start(), m.end(), fix), written=written, fix=fix)
        if len(m.group(3)) != 4:
            return None
        if key == "dotted_date":  # day.month.year, as the API reads it
            fix = _iso(c, b, a, time)
            if fix is None:
                return _finding("impossible_date", m.start(), m.end(), written=written)
            return _finding(key, m.start(), m.end(), (m.start(), m.end(), fix), written=written, fix=fix)
        day_first, month_first = _iso(c, b, a, time), _iso(c, a, b, time)
        if day_first is None and month_first is None:
            return _finding("impossible_date", m.start(), m.end(), written=written)
        if day_first is None or month_first is None or day_first == month_first:
            fix = day_first or month_first
            assert fix is not None
            return _finding(key, m.start(), m.end(), (m.start(), m.end(), fix), written=written, fix=fix)
        return _finding(
            "ambiguous_date", m.start(), m.end(), written=written, first=month_first, second=day_first,
            first_words=_words(month_first), second_words=_words(day_first),
        )  # fmt: skip
    return None


def _words(iso: str) -> str:
    year, month, day = (int(p) for p in iso[:10].split("-"))
    return f"{day} {_MONTHS[month - 1]} {year}"


_NOW = re.compile(
    r"now(?:\(\))?(?:\s*(?P<sign>[-+])\s*(?:interval\s*)?['\"]?(?P<n>\d+)\s*(?P<unit>[^\W\d_]+)['\"]?)?"
    r"(?:\s*/\s*(?P<round>[^\W\d_]+))?",
    re.I,
)


def _date_math(f: Failure, facts: Facts) -> Finding | None:
    """Kibana's and Grafana's `now-7d`, `now/d`."""
    tokens = f.tokens if f.lexing else f.tokens[: f.index]
    if tokens[-2:] and [t.type for t in tokens[-2:]] == ["LPAR", "RPAR"]:
        tokens = tokens[:-2]  # `now()`
    elif tokens and tokens[-1].type == "LPAR":
        tokens = tokens[:-1]
    name = tokens[-1] if tokens else None
    if name is None or name.type != "NAME" or name.value.lower() != "now":
        return None
    m = _NOW.match(f.text, name.start)
    if m is None or m.end() <= f.at:
        return None
    period = None
    if m.group("n") is not None and m.group("sign") == "-" and len(m.group("n")) <= 6:
        factor = _unit_of(m.group("unit"))
        if factor is not None:
            seconds = int(m.group("n")) * factor
            days = round(seconds / 86400)
            period = _PERIODS.get(days) if days and abs(seconds - days * 86400) < 43200 else None
    elif m.group("n") is None and (m.group("round") or "").lower() == "d":
        period = "today"
    head = _head(f, len(tokens) - 1)
    written = m.group(0)
    if head is not None and period is not None:
        field = head[0].value
        fix = f"{field} = {period}"
        if facts.accepts(fix):
            return _finding(
                "date_math", head[0].start, m.end(), (head[0].start, m.end(), fix),
                written=written, fix=fix, meaning=period_words(period),
            )  # fmt: skip
    return _finding("date_math_other", m.start(), m.end(), written=written, periods=_ALL_PERIODS)


_PERIOD_PHRASE = re.compile(
    r"(?:last|past|previous|this)[\s_-]+(?:(\d+)[\s_-]*)?(day|days|week|weeks|month|months|year|years)\b", re.I
)
_PHRASE_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def _period_phrase(f: Failure, facts: Facts) -> Finding | None:
    """`last week`, `last 3 days`, `in last 7 days`: a relative period in several words."""
    tok, prev = f.token, f.before()
    words = ("last", "past", "previous")
    if tok is not None and tok.type == "NAME" and tok.value.lower() in words:
        word, word_index = tok, f.index
    elif tok is not None and prev is not None and prev.type == "NAME" and prev.value.lower() in words:
        word, word_index = prev, f.index - 1
    else:
        return None
    m = _PERIOD_PHRASE.match(f.text, word.start)
    if m is None:
        return None
    days = _PHRASE_DAYS[m.group(2).lower().rstrip("s")] * int(m.group(1) or 1)
    period = _PERIODS.get(days)
    head = _head(f, word_index)
    if period is None or head is None or not facts.accepts(f"{head[0].value} = {period}"):
        return None
    name, op = head
    if op.value == "=":
        return _finding(
            "period_phrase", m.start(), m.end(), (m.start(), m.end(), period), written=m.group(0), fix=period
        )
    fix = f"{name.value} = {period}"
    return _finding("period_phrase", name.start, m.end(), (name.start, m.end(), fix), written=m.group(0), fix=fix)


#: Functions of other tools, and what stands for them in a filter: a relative period, or a
#: field (Jira's `assignee = currentUser()` asks for the caller's own leads).
_FUNCTIONS = {"now": "today", "today": "today", "startofday": "today", "currentuser": "is_managed"}


def _function_call(f: Failure, facts: Facts) -> Finding | None:
    """`currentUser()`, `startOfDay()`: a function where a value goes."""
    tok, prev = f.token, f.before()
    if tok is None or prev is None or tok.type != "LPAR" or prev.type != "NAME" or prev.end != tok.start:
        return None
    close = f.text.find(")", tok.end)
    end = close + 1 if close >= 0 else tok.end
    written = f.text[prev.start : end]
    head = _head(f, f.index - 1)
    meant = _FUNCTIONS.get(prev.value.lower())
    if head is not None and meant is not None:
        name = head[0]
        fix = meant if meant == "is_managed" else f"{name.value} = {meant}"
        if facts.accepts(fix):
            return _finding("function_call", name.start, end, (name.start, end, fix), written=written, fix=fix)
    return _finding("function_call_other", prev.start, end, written=written)


#: Operators written as words in other languages (OData, English).
_WORD_OPERATORS = {
    "eq": "=", "ne": "!=", "gt": ">", "lt": "<", "ge": ">=", "le": "<=", "equals": "=", "is": "=",
    "has": "contains", "includes": "contains", "include": "contains", "matches": "contains", "match": "contains",
    "like": "contains",
}  # fmt: skip


def _word_operator(f: Failure, facts: Facts) -> Finding | None:
    """`result eq missed`, `text has "x"`, `result is missed`: an operator spelt as a word."""
    tok, prev = f.token, f.before()
    if tok is None or prev is None or tok.type != "NAME" or prev.type != "NAME":
        return None
    if f.index >= 2 and f.tokens[f.index - 2].type in _OPS:  # `prev` is a value, not a field
        return None
    op = _WORD_OPERATORS.get(tok.value.lower())
    rest = f.tokens[f.index + 1 :]
    if op is None or not rest:
        return None
    end_index = 0
    negated = False
    if rest[0].type == "NOT" and len(rest) > 1:
        negated, end_index = True, 1
    value = rest[end_index]
    if value.type not in _VALUES:
        return None
    if negated:
        op = {"=": "!=", "contains": "not contains"}.get(op)
        if op is None:
            return None
    fix = f"{prev.value} {op} {value.value}"
    if not facts.accepts(fix):
        return None
    end = rest[end_index - 1].end if negated else tok.end
    return _finding("word_operator", tok.start, end, (tok.start, end, op), written=f.text[tok.start : end], fix=op)


_DOTS = re.compile(r"([^\s().]+(?:\.\d+)?)\.\.([^\s()]+)")


def _dot_range(f: Failure, facts: Facts) -> Finding | None:
    """`duration = 10..20`: a range with two dots (GitHub, Rust, Kotlin)."""
    if ".." not in f.text:
        return None
    start = _date_start(f) if (f.lexing or f.token is not None) else f.at
    tokens = f.tokens[: _token_index(f, start)]
    if len(tokens) < 2 or tokens[-2].type != "NAME" or tokens[-1].type not in ("COMP", "IN"):
        return None
    m = _DOTS.match(f.text, start)
    if m is None or not m.start() <= f.at <= m.end():
        return None
    name = tokens[-2]
    fix = f"{name.value} between {m.group(1)} and {m.group(2)}"
    if not facts.accepts(fix):
        return None
    return _finding("dot_range", name.start, m.end(), (name.start, m.end(), fix), written=m.group(0), fix=fix)


def _tail_equals(f: Failure, facts: Facts) -> Finding | None:
    """`limit=20`, `offset: 5`."""
    keyword = f.tokens[-1] if f.lexing and f.tokens else f.before()
    if keyword is None or keyword.type not in ("LIMIT", "OFFSET"):
        return None
    m = re.compile(r"\s*([=:])\s*(\d+)").match(f.text, keyword.end)
    if m is None:
        return None
    fix = f"{keyword.value.lower()} {m.group(2)}"
    return _finding(
        "tail_equals", keyword.start, m.end(), (keyword.start, m.end(), fix),
        word=keyword.value.lower(), sign=m.group(1), fix=fix,
    )  # fmt: skip


_SORT = re.compile(
    rf"(sort(?:ed)?(?:\s+by|_by)?|order_?by|orderby)\s*[=:]?\s*(-?)\s*({_NAME})(?:\s+(asc|desc|ascending|descending))?\b",
    re.I,
)


def _sort_by(f: Failure, facts: Facts) -> Finding | None:
    """`sort by created_at`, `order_by created_at`, `sort=-created_at`."""
    tokens = f.tokens if f.lexing else f.tokens[: f.index + 1]
    word = next((t for t in reversed(tokens) if t.type == "NAME" and re.fullmatch(
        r"sort(?:ed)?|sort_by|order_by|orderby", t.value, re.I)), None)  # fmt: skip
    if word is None or word.start > f.at:
        return None
    m = _SORT.match(f.text, word.start)
    if m is None:
        return None
    descending = bool(m.group(2)) or (m.group(4) or "").lower().startswith("desc")
    fix = f"order by {m.group(3)}" + (" desc" if descending else "")
    return _finding("sort_by", m.start(), m.end(), (m.start(), m.end(), fix), written=m.group(0), fix=fix)


def _order_without_by(f: Failure, facts: Facts) -> Finding | None:
    tok, prev = f.token, f.before()
    if tok is None or prev is None or prev.type != "ORDER" or tok.type != "NAME":
        return None
    fix = f"order by {tok.value}"
    return _finding("order_without_by", prev.start, tok.end, (prev.start, tok.end, fix), fix=fix)


_DIRECTIONS = {"descending": "desc", "ascending": "asc", "down": "desc", "up": "asc", "reverse": "desc",
               "decreasing": "desc", "increasing": "asc"}  # fmt: skip


def _sort_direction(f: Failure, facts: Facts) -> Finding | None:
    tok = f.token
    if tok is None or tok.type != "NAME" or f.types_before(3) != ("ORDER", "BY", "NAME"):
        return None
    word = _DIRECTIONS.get(tok.value.lower())
    if word is None:
        return None
    return _finding("sort_direction", tok.start, tok.end, (tok.start, tok.end, word), written=tok.value, fix=word)


def _sort_minus(f: Failure, facts: Facts) -> Finding | None:
    if not f.lexing or f.text[f.at] != "-" or f.types_before(2) != ("ORDER", "BY"):
        return None
    m = re.compile(rf"-\s*({_NAME})").match(f.text, f.at)
    if m is None:
        return None
    fix = f"order by {m.group(1)} desc"
    start = f.tokens[-2].start
    return _finding("sort_minus", start, m.end(), (start, m.end(), fix), written=m.group(0), fix=fix)


def _sort_several(f: Failure, facts: Facts) -> Finding | None:
    tok = f.token
    if tok is None or tok.type != "COMMA":
        return None
    types = f.types_before(4)
    if types[-3:] != ("ORDER", "BY", "NAME") and types != ("ORDER", "BY", "NAME", "DESC") and types != (
        "ORDER", "BY", "NAME", "ASC"
    ):  # fmt: skip
        return None
    m = re.compile(rf",\s*{_NAME}(?:\s+(?:asc|desc)\b)?", re.I).match(f.text, tok.start)
    end = m.end() if m else tok.end
    return _finding("sort_several", tok.start, end, (tok.start, end, ""), written=f.text[tok.start : end])


def _limit_comma(f: Failure, facts: Facts) -> Finding | None:
    tok = f.token
    if tok is None or tok.type != "COMMA" or f.types_before(2) != ("LIMIT", "INT"):
        return None
    m = re.compile(r"limit\s+(\d+)\s*,\s*(\d+)", re.I).match(f.text, f.tokens[f.index - 2].start)
    if m is None:
        return None
    fix = f"limit {m.group(2)} offset {m.group(1)}"
    return _finding("limit_comma", m.start(), m.end(), (m.start(), m.end(), fix), written=m.group(0), fix=fix)


_TAIL_ORDER = {"ORDER": 0, "LIMIT": 1, "OFFSET": 2, "FIELDS": 3}
_TAIL_WORDS = {"ORDER": "order by", "LIMIT": "limit", "OFFSET": "offset", "FIELDS": "fields"}


def _tail_order(f: Failure, facts: Facts) -> Finding | None:
    """`offset 10 limit 20`: the tail's parts out of order."""
    tok = f.token
    if tok is None or tok.type not in _TAIL_ORDER:
        return None
    starts = [i for i, t in enumerate(f.tokens) if t.type in _TAIL_ORDER]
    if not starts or starts[0] >= f.index:
        return None
    kinds = [f.tokens[i].type for i in starts]
    if len(set(kinds)) != len(kinds):
        return None
    pieces = []
    for n, i in enumerate(starts):
        end = f.tokens[starts[n + 1] - 1].end if n + 1 < len(starts) else f.tokens[-1].end
        pieces.append((_TAIL_ORDER[f.tokens[i].type], f.text[f.tokens[i].start : end].strip()))
    first, last = f.tokens[starts[0]].start, f.tokens[-1].end
    fix = " ".join(p for _, p in sorted(pieces))
    if not facts.accepts(fix):
        return None
    order = ", ".join(f"`{_TAIL_WORDS[k]}`" for k in sorted(set(kinds), key=_TAIL_ORDER.__getitem__))
    return _finding("tail_order", first, last, (first, last, fix), order=order, fix=fix)


#: Keywords in Russian, where a person typed them in their own language.
_FOREIGN_KEYWORDS = {"и": "and", "или": "or", "не": "not", "в": "in", "между": "between", "содержит": "contains"}


def _foreign_keyword(f: Failure, facts: Facts) -> Finding | None:
    tok = f.token
    if tok is None or tok.type != "NAME" or tok.value.lower() not in _FOREIGN_KEYWORDS:
        return None
    word = _FOREIGN_KEYWORDS[tok.value.lower()]
    return _finding("foreign_keyword", tok.start, tok.end, (tok.start, tok.end, word), written=tok.value, word=word)


#: Typographic quotes (word processors, Russian «ёлочки», CJK): opening, closing.
_OPENING = "\u201c\u201e\u00ab\u2018\u201a\u2039\u300c"
_CLOSING = "\u201d\u201c\u00bb\u2019\u2018\u203a\u300d"
_SMART_QUOTES = _OPENING + _CLOSING
_SMART = re.compile(f'[{_OPENING}"\']([^{_SMART_QUOTES}"]*)[{_CLOSING}"\']')


def _smart_quotes(f: Failure, facts: Facts) -> Finding | None:
    if not f.lexing or f.text[f.at] not in _SMART_QUOTES:
        return None
    m = _SMART.match(f.text, f.at)
    if m is None:
        return _finding("smart_quote", f.at, f.at + 1, char=f.text[f.at], fix='"..."')
    fix = _quote(m.group(1))
    return _finding("smart_quote", m.start(), m.end(), (m.start(), m.end(), fix), char=f.text[f.at], fix=fix)


#: Characters that copying from a web page or a word processor brings along unseen.
_INVISIBLE = {
    "\ufeff": "a byte-order mark", "\u200b": "a zero-width space", "\u200c": "a zero-width non-joiner",
    "\u200d": "a zero-width joiner", "\u2060": "a word joiner", "\u00ad": "a soft hyphen",
    "\u200e": "a left-to-right mark", "\u200f": "a right-to-left mark",
}  # fmt: skip


def _invisible(f: Failure, facts: Facts) -> Finding | None:
    """An invisible character, pasted along with the filter."""
    if not f.lexing or f.text[f.at] not in _INVISIBLE:
        return None
    end = f.at
    while end < len(f.text) and f.text[end] in _INVISIBLE:
        end += 1
    char = f.text[f.at]
    return _finding(
        "invisible", f.at, end, (f.at, end, ""), what=_INVISIBLE[char], code=f"U+{ord(char):04X}"
    )


def _comment(f: Failure, facts: Facts) -> Finding | None:
    """`-- note` (SQL) or `# note` after a filter: a comment where a filter has none."""
    if not f.lexing or not (f.text.startswith("--", f.at) or f.text[f.at] in "#"):
        return None
    line_end = f.text.find("\n", f.at)
    end = len(f.text) if line_end < 0 else line_end
    return _finding("comment", f.at, end, (f.at, end, ""), marker="--" if f.text[f.at] == "-" else "#")


_WILDCARD = re.compile(r"[*%]*([^\s*%()]+?)[*%]+|[*%]+([^\s*%()]+)")


def _wildcard(f: Failure, facts: Facts) -> Finding | None:
    """`text contains *refund*`, `text = %refund%`: wildcards where `contains` is meant."""
    if not f.lexing or f.text[f.at] not in "*%":
        return None
    tokens = list(f.tokens)
    value_start = f.at
    if tokens and tokens[-1].type in _VALUES and tokens[-1].end == f.at:
        value_start = tokens.pop().start
    if len(tokens) < 2 or tokens[-2].type != "NAME" or tokens[-1].type not in ("COMP", "CONTAINS"):
        return None
    m = _WILDCARD.match(f.text, value_start)
    if m is None:
        return None
    piece = m.group(1) or m.group(2)
    name = tokens[-2]
    fix = _first_accepted(facts, [f"{name.value} contains {_quote(piece)}", f"{name.value} = {_quote(piece)}"])
    if fix is None:
        return None
    return _finding("wildcard", name.start, m.end(), (name.start, m.end(), fix), fix=fix)


def _logic_function(f: Failure, facts: Facts) -> Finding | None:
    """A spreadsheet's `=AND(a, b)` or `OR(a, b)`."""
    m = re.compile(r"\s*=?\s*(and|or)\s*\(", re.I).match(f.text)
    if m is None or not f.text.rstrip().endswith(")"):
        return None
    inner = f.text[m.end() : len(f.text.rstrip()) - 1]
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        depth += (ch == "(") - (ch == ")")
        current.append(ch)
    parts.append("".join(current).strip())
    if len(parts) < 2 or not all(parts):
        return None
    word = m.group(1).lower()
    joined = f" {word} ".join(parts)
    fix = joined if facts.accepts(joined) else None
    start = len(f.text) - len(f.text.lstrip())
    end = len(f.text.rstrip())
    edit = (start, end, fix) if fix else None
    return _finding("logic_function", start, end, edit, word=word, fix=fix or f"a {word} b")


def _quoted_field(f: Failure, facts: Facts) -> Finding | None:
    """SQL's `"result" = missed`: a field name in quotes."""
    tok, prev = f.token, f.before()
    nxt = f.tokens[f.index + 1] if f.index + 1 < len(f.tokens) else None
    if tok is None or tok.type != "STRING" or nxt is None or nxt.type not in _OPS:
        return None
    if prev is not None and prev.type not in _JOINS:
        return None
    name = _unquote(tok.value)
    if not re.fullmatch(_NAME, name):
        return None
    return _finding("quoted_field", tok.start, tok.end, (tok.start, tok.end, name), written=tok.value, fix=name)


def _doubled_quote(f: Failure, facts: Facts) -> Finding | None:
    """SQL's `'it''s'`: a quote doubled inside a string."""
    tok, prev = f.token, f.before()
    if tok is None or prev is None or tok.type != "STRING" or prev.type != "STRING" or prev.end != tok.start:
        return None
    quote = prev.value[0]
    joined = prev.value[1:-1] + quote + tok.value[1:-1]
    fix = _quote(joined)
    return _finding("doubled_quote", prev.start, tok.end, (prev.start, tok.end, fix), quote=quote, fix=fix)


def _list_without_parens(f: Failure, facts: Facts) -> Finding | None:
    """`site in 1, 2`: a list without parentheses."""
    tok, prev = f.token, f.before()
    if tok is None or prev is None or prev.type != "IN" or tok.type not in _VALUES - {"PARAM"}:
        return None
    values, after = _values_from(f, f.index, frozenset({"COMMA"}))
    if after < len(f.tokens) and f.tokens[after].type not in ("AND", "OR", "RPAR", *_TAIL_ORDER):
        return None
    fix = f"({', '.join(v.value for v in values)})"
    name = f.before(2)
    if name is None or not facts.accepts(f"{name.value} {prev.value.lower()} {fix}"):
        return None
    start, end = values[0].start, values[-1].end
    return _finding("list_without_parens", start, end, (start, end, fix), fix=fix)


def _list_without_comma(f: Failure, facts: Facts) -> Finding | None:
    tok, prev = f.token, f.before()
    if tok is None or prev is None or tok.type not in _VALUES or prev.type not in _VALUES:
        return None
    depth = 0
    for t in f.tokens[: f.index]:
        depth += (t.type == "LPAR") - (t.type == "RPAR")
    types = [t.type for t in f.tokens[: f.index]]
    if (
        depth <= 0
        or "IN" not in types
        or len(types) - 1 - types[::-1].index("IN") < len(types) - 1 - types[::-1].index("LPAR") - 1
    ):
        return None
    return _finding(
        "list_without_comma", prev.end, tok.start, (prev.end, tok.start, ", "), first=prev.value, second=tok.value
    )


def _trailing_comma(f: Failure, facts: Facts) -> Finding | None:
    tok, prev = f.token, f.before()
    if tok is None or prev is None or tok.type != "RPAR" or prev.type != "COMMA":
        return None
    return _finding("trailing_comma", prev.start, prev.end, (prev.start, prev.end, ""))


def _between_comma(f: Failure, facts: Facts) -> Finding | None:
    tok = f.token
    if tok is None or f.types_before(2)[:1] != ("BETWEEN",) or f.before() is None:
        return None
    if tok.type == "COMMA" or (tok.type == "NAME" and tok.value.lower() in ("to", "-", "до", "и")):
        return _finding(
            "between_and", tok.start, tok.end, (tok.start, tok.end, _spaced(f.text, tok.start, tok.end, "and")),
            written=tok.value,
        )  # fmt: skip
    prev = f.before()
    assert prev is not None
    if tok.type == "INT" and tok.value.startswith("-") and prev.type == "INT" and prev.end == tok.start:
        fix = f"{prev.value} and {tok.value[1:]}"
        return _finding("between_and", prev.start, tok.end, (prev.start, tok.end, fix), written=tok.value[0])
    return None


def _range_dash(f: Failure, facts: Facts) -> Finding | None:
    """`duration = 10-20`: a range written with a dash."""
    tok = f.token
    if tok is None or tok.type != "INT" or not tok.value.startswith("-"):
        return None
    first = _condition_start(f, f.index)
    if first is None:
        return None
    name, op, low = f.tokens[first : first + 3]
    if low.type != "INT" or low.end != tok.start or op.value not in ("=", "=="):
        return None
    fix = f"{name.value} between {low.value} and {tok.value[1:]}"
    if not facts.accepts(fix):
        return None
    return _finding("range_dash", name.start, tok.end, (name.start, tok.end, fix), written=f"{low.value}{tok.value}",
                    fix=fix)  # fmt: skip


def _unopened_paren(f: Failure, facts: Facts) -> Finding | None:
    tok = f.token
    if tok is None or tok.type != "RPAR":
        return None
    depth = sum((t.type == "LPAR") - (t.type == "RPAR") for t in f.tokens[: f.index])
    if depth > 0:
        return None
    return _finding("unopened_paren", tok.start, tok.end, (tok.start, tok.end, ""))


def _words_value(f: Failure, facts: Facts) -> Finding | None:
    """`text contains refund request`: a value of several words without quotes."""
    tok = f.token
    if tok is None or tok.type not in ("NAME", "INT", "DECIMAL"):
        return None
    first = _condition_start(f, f.index)
    if first is None:
        return None
    name, op, value = f.tokens[first : first + 3]
    if value.type not in ("NAME", "INT", "DECIMAL"):
        return None
    i = f.index
    while i + 1 < len(f.tokens) and f.tokens[i + 1].type in ("NAME", "INT", "DECIMAL"):
        i += 1
    end = f.tokens[i].end
    fix = _quote(f.text[value.start : end])
    if not facts.accepts(f"{name.value} {_op_text(f, name, op)} {fix}"):
        return None
    return _finding("words_value", value.start, end, (value.start, end, fix), fix=fix)


def _missing_and(f: Failure, facts: Facts) -> Finding | None:
    """`result = missed site = 1`: two conditions side by side."""
    tok, prev = f.token, f.before()
    if tok is None or prev is None or tok.type not in ("NAME", "NOT", "LPAR"):
        return None
    if prev.type not in _VALUES | {"RPAR"}:
        return None
    nxt = f.tokens[f.index + 1] if f.index + 1 < len(f.tokens) else None
    starts_condition = tok.type == "LPAR" or tok.type == "NOT" or (nxt is not None and nxt.type in _OPS | {"NOT"})
    if not starts_condition:
        return None
    return _finding("missing_and", tok.start, tok.end, (tok.start, tok.start, "and "), next=tok.value)


def _quote_value(f: Failure, facts: Facts) -> Finding | None:
    """An unexpected character inside a value that quotes would carry."""
    if not f.lexing:
        return None
    tokens = list(f.tokens)
    i = len(tokens)
    while i > 0 and tokens[i - 1].type in _VALUES and (i == len(tokens) or tokens[i - 1].end == tokens[i].start):
        i -= 1
        if i < len(tokens) - 1:
            break
    if i < 2 or tokens[i - 2].type != "NAME" or tokens[i - 1].type not in ("COMP", "CONTAINS"):
        return None
    start = tokens[i].start if i < len(tokens) else f.at
    if i < len(tokens) and tokens[-1].end != f.at:
        return None
    m = re.compile(r"[^\s()]+").match(f.text, start)
    if m is None:
        return None
    fix = _quote(m.group(0))
    name, op = tokens[i - 2], tokens[i - 1]
    if not facts.accepts(f"{name.value} {_op_text(f, name, op)} {fix}"):
        return None
    return _finding("unexpected_character_quote", f.at, f.at + 1, (m.start(), m.end(), fix), char=f.text[f.at],
                    fix=fix)  # fmt: skip


#: Every habit, tried in order on a failure; the first that recognises one wins.
HABITS: tuple[Callable[[Failure, Facts], Finding | None], ...] = (
    _request,
    _sql_select,
    _sql_where,
    _logic_function,
    _invisible,
    _comment,
    _semicolon,
    _logic_symbol,
    _tilde,
    _composed_operator,
    _is_null,
    _like,
    _word_operator,
    _colon,
    _lucene_range,
    _square_list,
    _smart_quotes,
    _regex,
    _date_math,
    _function_call,
    _dot_range,
    _date_forms,
    _number_unit,
    _period_phrase,
    _tail_equals,
    _sort_by,
    _order_without_by,
    _sort_direction,
    _sort_minus,
    _sort_several,
    _limit_comma,
    _tail_order,
    _foreign_keyword,
    _comma_join,
    _equals_list,
    _range_dash,
    _value_without_field,
    _operator_without_field,
    _quoted_field,
    _doubled_quote,
    _list_without_parens,
    _list_without_comma,
    _trailing_comma,
    _between_comma,
    _unopened_paren,
    _wildcard,
    _words_value,
    _missing_and,
    _quote_value,
)


def recognise(failure: Failure, facts: Facts | None) -> Finding | None:
    """The habit `failure` shows, as a finding; None when none is recognised."""
    known = facts if facts is not None else NoFacts()
    for habit in HABITS:
        found = habit(failure, known)
        if found is not None:
            return found
    return None
