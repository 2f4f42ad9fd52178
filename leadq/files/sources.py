"""Saved filters read from files: text, JSON, TOML and CSV, each filter with its place.

Every filter keeps where each of its characters stands in the file (escapes, multi-line
strings and doubled CSV quotes included), so that a diagnostic's span inside the
expression becomes the file's line and column, and `leadq format` can put a rewritten
filter back exactly where the old one was, in the file's own quoting.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import re
import tomllib
from collections.abc import Callable, Iterator, Sequence

import attrs

from ..core.diagnostics import Diagnostic, Report
from ..core.rules import closest_selector, selects
from ..core.span import Span

_IGNORE = re.compile(r"#\s*leadq:\s*ignore(?:\[([A-Za-z0-9, ]*)\])?\s*$")
#: A text file's line that names the method of the filters below it.
_METHOD = re.compile(r"^\s*#\s*leadq:\s*method\s+(\S+)\s*$")
#: The key (in a JSON object or TOML table) or column (CSV) that names the method.
METHOD_KEY = "method"
_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_JSON_SPACE = re.compile(r"\s*")


#: The code of a file, or a value in it, that cannot be read as saved filters.
FILE_PROBLEM = "E902"


class SourceError(Exception):
    """A file, or a value in it, that cannot be read as saved filters: what is wrong, its
    line and column in the file (1-based), and what to do."""

    def __init__(
        self, message: str, line: int = 1, column: int = 1, hint: str | None = None, name: str | None = None
    ) -> None:
        super().__init__(message)
        self.message, self.line, self.column, self.hint = message, line, column, hint
        self.name = name  # the key of the value that is no filter, where there is one


@attrs.frozen
class Item:
    """One saved filter.

    Attributes:
        path: the file it comes from (``<stdin>`` for standard input).
        name: its name in a JSON, TOML or CSV file (dotted for nested tables).
        text: the expression, without a trailing comment.
        places: the file line and column (1-based) of each character of `text`, and of
            the place just after it; empty for a filter that is one line as written,
            whose characters follow `origin` (the line and column of the first).
        ignore: codes suppressed on this filter (``# leadq: ignore[CODE]``).
        raw: the offsets in the file of the value as written (quotes included), which
            `leadq format` replaces.
        style: how a value is written back: ``text``, ``json``, ``toml``,
            ``toml-literal`` or ``csv`` and its delimiter (``csv;``); empty when leadq
            could not place the value exactly.
        value: the whole value as the file holds it (comment included).
        method: the API method the file says the filter is for (a `method` key of its
            JSON object or TOML table, a `method` column, or a `# leadq: method NAME`
            line above it in a text file); None: the run's method.
    """

    path: str
    name: str | None
    text: str
    places: tuple[tuple[int, int], ...]
    ignore: frozenset[str] = frozenset()
    raw: tuple[int, int] = (0, 0)
    style: str = "text"
    value: str = ""
    origin: tuple[int, int] = (0, 0)
    method: str | None = None

    @property
    def line(self) -> int:
        return self.places[0][0] if self.places else self.origin[0]

    def ignores(self, code: str) -> bool:
        """Whether the filter's comment suppresses `code`: a code or a prefix of it
        (`W6`), or every code (a bare `# leadq: ignore`)."""
        return any(code.startswith(selector) for selector in self.ignore)

    def place(self, offset: int) -> tuple[int, int]:
        """The file line and column of character `offset` of the expression."""
        if not self.places:  # one line as written: the columns follow from where it starts
            return self.origin[0], self.origin[1] + max(0, min(offset, len(self.text)))
        return self.places[max(0, min(offset, len(self.places) - 1))]


class _Lines:
    """Offsets of a file's content → 1-based lines and columns."""

    def __init__(self, content: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", content)]

    def place(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def places(self, offsets: Sequence[int]) -> tuple[tuple[int, int], ...]:
        return tuple(self.place(o) for o in offsets)


def file_places(content: str) -> Callable[[int], tuple[int, int]]:
    """The 1-based line and column of an offset into `content` (lines counted once)."""
    return _Lines(content).place


def split_comment(line: str) -> tuple[str, str]:
    """A line's expression and its trailing `# comment` (a `#` outside quotes)."""
    if "#" not in line:
        return line, ""
    quote = ""
    i = 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "#":
            return line[:i], line[i:]
        i += 1
    return line, ""


_NOTHING: frozenset[str] = frozenset()


def _ignored(comment: str) -> frozenset[str]:
    """The codes and prefixes a comment's `# leadq: ignore[...]` names; "" (every code)
    for a bare `# leadq: ignore`."""
    m = _IGNORE.search(comment)
    if not m:
        return frozenset()
    if m.group(1) is None:
        return frozenset({""})
    return frozenset(c.strip().upper() for c in m.group(1).split(",") if c.strip())


def ignore_problems(item: Item) -> list[Diagnostic]:
    """W610 for each code or prefix in the filter's `# leadq: ignore[...]` that names no
    code (a typo there would suppress nothing, and say nothing)."""
    report = Report(item.text)
    whole = Span(0, len(item.text))
    for selector in sorted(item.ignore):
        if not selects(selector):
            guess = closest_selector(selector)
            if guess:
                report.add("ignore_unknown_guess", whole, selector=selector, guess=guess)
            else:
                report.add("ignore_unknown", whole, selector=selector)
    return report.diagnostics


def read_items(path: str, content: str, column: str | None = None) -> Iterator[Item]:
    """The saved filters in `content`, read by the file's kind (`path`'s extension);
    `SourceError` at the first thing that is no filter."""
    for found in _read(path, content, column):
        if isinstance(found, SourceError):
            raise found
        yield found


def read_source(path: str, content: str, column: str | None = None) -> tuple[list[Item], list[SourceError]]:
    """Every saved filter in `content` that can be read, and every problem with the rest
    (a value that is no string, a file that is no JSON, ...), each at its place."""
    items: list[Item] = []
    problems: list[SourceError] = []
    try:
        for found in _read(path, content, column):
            (problems if isinstance(found, SourceError) else items).append(found)  # type: ignore[arg-type]
    except SourceError as e:
        problems.append(e)
    return items, problems


def _read(path: str, content: str, column: str | None) -> Iterator[Item | SourceError]:
    if path.endswith(".json"):
        yield from _json_items(path, content)
    elif path.endswith(".toml"):
        yield from _toml_items(path, content)
    elif path.endswith(".csv") or column is not None:
        yield from _csv_items(path, content, column or "filter")
    else:
        yield from text_items(path, content)


def text_items(path: str, content: str) -> Iterator[Item]:
    """One filter per line; blank lines and lines starting with `#` are skipped, and a
    line may end with a `# comment` (`# leadq: ignore[CODE]` suppresses codes). A line
    `# leadq: method Chats.list` sets the method of the filters below it."""
    offset = 0
    method = None
    for number, line in enumerate(content.split("\n"), 1):
        start = offset
        offset += len(line) + 1
        line = line.removesuffix("\r")
        stripped = line.strip()
        if "#" in line:  # a comment, a directive, or a `#` inside a string
            directive = _METHOD.match(stripped)
            if directive:
                method = directive.group(1)
                continue
            if stripped.startswith("#"):
                continue
            expression, comment = split_comment(line)
            text = expression.strip()
            ignore = _ignored(comment)
        else:
            expression, text, ignore = line, stripped, _NOTHING
        if not text:
            continue
        first = len(expression) - len(expression.lstrip())
        raw = (start + first, start + first + len(text))
        yield Item(path, None, text, (), ignore, raw, "text", text, (number, first + 1), method)


# -- JSON -------------------------------------------------------------------------------------


def _json_items(path: str, content: str) -> Iterator[Item | SourceError]:
    try:
        data = json.loads(content) if content.strip() else {}
    except json.JSONDecodeError as e:
        raise SourceError(f"not valid JSON: {e.msg}", e.lineno, e.colno, _JSON_HINT) from None
    if not isinstance(data, dict):
        first = _Lines(content).place(_JSON_SPACE.match(content, 0).end())  # type: ignore[union-attr]
        raise SourceError(
            f"the JSON is {_what(data)}, not an object", *first, 'write {"name": "filter expression", ...}'
        )
    if not data:
        return
    lines = _Lines(content)
    start = _JSON_SPACE.match(content, 0).end()  # type: ignore[union-attr]
    yield from _json_object(path, content, start, "", lines, data, None)


_JSON_HINT = "fix the JSON there; the other files are checked all the same"


def _json_object(
    path: str, content: str, pos: int, prefix: str, lines: _Lines, data: dict[str, object], method: str | None
) -> Iterator[Item | SourceError]:
    """The filters of the JSON object at `pos` (the document is known to be valid; `data`
    is the object decoded), and a `SourceError` for each value that is no filter. A
    string `method` in an object names the method of the filters in it and below."""
    decoder = json.JSONDecoder()
    assert content[pos] == "{"
    own = data.get(METHOD_KEY)
    method = own if isinstance(own, str) else method
    pos = _skip(content, pos + 1)
    while content[pos] != "}":
        key_match = _JSON_STRING.match(content, pos)
        assert key_match is not None
        key = prefix + json.loads(key_match.group(0))
        pos = _skip(content, key_match.end())
        assert content[pos] == ":"
        pos = _skip(content, pos + 1)
        inner = data.get(key[len(prefix) :])
        if content[pos] == "{":
            assert isinstance(inner, dict)
            yield from _json_object(path, content, pos, key + ".", lines, inner, method)
            _, end = decoder.raw_decode(content, pos)
        elif content[pos] == '"':
            m = _JSON_STRING.match(content, pos)
            assert m is not None
            end = m.end()
            if key[len(prefix) :] != METHOD_KEY:
                text, offsets = _decode_escaped(content, pos + 1, end - 1, _JSON_ESCAPES)
                yield attrs.evolve(_item(path, key, text, offsets, lines, (pos, end), "json"), method=method)
        else:
            value, end = decoder.raw_decode(content, pos)
            what = f"`{key}` is {_what(value)}, not a filter expression"
            yield SourceError(what, *lines.place(pos), _VALUE_HINT, key)
        pos = _skip(content, end)
        if content[pos] == ",":
            pos = _skip(content, pos + 1)


def _skip(content: str, pos: int) -> int:
    return _JSON_SPACE.match(content, pos).end()  # type: ignore[union-attr]


_VALUE_HINT = 'write the filter as a string: "site = 1"'


def _what(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


_JSON_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_TOML_ESCAPES = {'"': '"', "\\": "\\", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "e": "\x1b"}


def _decode_escaped(
    content: str, start: int, end: int, escapes: dict[str, str], multiline: bool = False
) -> tuple[str, list[int]]:
    """A quoted body's text, and the file offset of each character (and of its end)."""
    out: list[str] = []
    offsets: list[int] = []
    i = start
    while i < end:
        c = content[i]
        if c != "\\":
            out.append(c)
            offsets.append(i)
            i += 1
            continue
        nxt = content[i + 1]
        if nxt in escapes:
            out.append(escapes[nxt])
            offsets.append(i)
            i += 2
        elif nxt in "uU":
            width = 4 if nxt == "u" else 8
            code = int(content[i + 2 : i + 2 + width], 16)
            i_end = i + 2 + width
            if nxt == "u" and 0xD800 <= code < 0xDC00 and content[i_end : i_end + 2] == "\\u":
                low = int(content[i_end + 2 : i_end + 6], 16)  # a JSON surrogate pair is one character
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                i_end += 6
            out.append(chr(code))
            offsets.append(i)
            i = i_end
        elif multiline:  # a line-ending backslash: the whitespace after it is dropped
            i += 1
            while i < end and content[i] in " \t\r\n":
                i += 1
        else:
            out.append(nxt)
            offsets.append(i)
            i += 2
    offsets.append(end)
    return "".join(out), offsets


def _item(path: str, name: str, text: str, offsets: list[int], lines: _Lines, raw: tuple[int, int], style: str) -> Item:
    expression, comment = split_comment(text)
    kept = len(expression.rstrip())
    lead = len(expression) - len(expression.lstrip())
    body = expression.strip()
    places = lines.places(offsets[lead : kept + 1] if kept >= lead else offsets[:1])
    return Item(path, name, body, places, _ignored(comment), raw, style, text)


# -- TOML ---------------------------------------------------------------------------------------

_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY_PART_SOURCE = r"""[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'"""
_KEY = re.compile(rf"^\s*((?:{_KEY_PART_SOURCE})(?:\s*\.\s*(?:{_KEY_PART_SOURCE}))*)\s*=\s*")
_KEY_PART = re.compile(_KEY_PART_SOURCE)


def _toml_items(path: str, content: str) -> Iterator[Item | SourceError]:
    try:
        data = tomllib.loads(content)
    except tomllib.TOMLDecodeError as e:
        raise toml_error(e) from None
    methods = {prefix: value for prefix, value in _methods(data)}
    flat = [(name, value, ok) for name, value, ok in _flatten(path, data) if name.rpartition(".")[2] != METHOD_KEY]
    lines = _Lines(content)
    found: dict[str, int] = {}  # dotted key → offset of its value
    table = ""
    offset = 0
    skip_until = -1
    for line in content.split("\n"):
        start = offset
        offset += len(line) + 1
        if start < skip_until:
            continue
        header = _TABLE.match(line)
        if header:
            table = ".".join(_key_parts(header.group(1))) + "."
            continue
        m = _KEY.match(line)
        if m:
            key = table + ".".join(_key_parts(m.group(1)))
            found[key] = start + m.end()
            if content.startswith(('"""', "'''"), start + m.end()):  # skip the body of a multi-line string
                close = content.find(content[start + m.end()] * 3, start + m.end() + 3)
                skip_until = close if close >= 0 else len(content)
    for name, value, is_text in flat:
        pos = found.get(name)
        if not is_text:
            where = lines.place(pos or 0)
            yield SourceError(f"`{name}` is {value}, not a filter expression", *where, _VALUE_HINT, name)
            continue
        item = _toml_string(path, name, value, content, pos, lines) if pos is not None else None
        if item is None:  # a place leadq cannot read exactly: the whole value at its key
            at = lines.place(pos if pos is not None else 0)
            text = value.strip()
            item = Item(path, name, text, tuple([at] * (len(text) + 1)), frozenset(), (0, 0), "")
        yield attrs.evolve(item, method=_method_of(name, methods))


def _methods(data: dict[str, object], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Each table's `method` (the prefix of its keys, and the method)."""
    own = data.get(METHOD_KEY)
    if isinstance(own, str):
        yield prefix, own
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _methods(value, f"{prefix}{key}.")


def _method_of(name: str, methods: dict[str, str]) -> str | None:
    """The method of the innermost table around `name` that names one."""
    parts = name.split(".")
    for n in range(len(parts) - 1, -1, -1):
        prefix = "".join(p + "." for p in parts[:n])
        if prefix in methods:
            return methods[prefix]
    return None


def _key_parts(key: str) -> list[str]:
    parts = []
    for m in _KEY_PART.finditer(key):
        part = m.group(0)
        parts.append(json.loads(part) if part[0] == '"' else part.strip("'"))
    return parts


def _toml_string(path: str, name: str, value: str, content: str, pos: int, lines: _Lines) -> Item | None:
    for opening, style in (('"""', "toml"), ("'''", "toml-literal"), ('"', "toml"), ("'", "toml-literal")):  # noqa: B007
        if content.startswith(opening, pos):
            break
    else:
        return None
    body = pos + len(opening)
    multiline = len(opening) == 3
    if multiline:  # a newline right after the opening quotes is not part of the value
        if content.startswith("\r\n", body):
            body += 2
        elif content.startswith("\n", body):
            body += 1
    close = _closing(content, body, opening, escapes=style == "toml")
    if close < 0:
        return None
    while multiline and content.startswith(opening[0], close + 3):  # up to two quotes may end the body
        close += 1
    if style == "toml-literal":
        text, offsets = content[body:close], [*range(body, close + 1)]
    else:
        text, offsets = _decode_escaped(content, body, close, _TOML_ESCAPES, multiline)
    if text != value:
        return None
    return _item(path, name, text, offsets, lines, (pos, close + len(opening)), style)


def _closing(content: str, start: int, quote: str, escapes: bool) -> int:
    """Where the string opened by `quote` ends (an escaped quote does not end it)."""
    i = start
    while i < len(content):
        if escapes and content[i] == "\\":
            i += 2
        elif content.startswith(quote, i):
            return i
        else:
            i += 1
    return -1


def _flatten(path: str, data: dict[str, object], prefix: str = "") -> Iterator[tuple[str, str, bool]]:
    """Dotted names and string values (True); a value of another type in words (False)."""
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _flatten(path, value, f"{prefix}{key}.")
        elif isinstance(value, str):
            yield f"{prefix}{key}", value, True
        else:
            yield f"{prefix}{key}", _what(value), False


_TOML_PLACE = re.compile(r"\(at line (\d+), column (\d+)\)")


def toml_error(e: Exception) -> SourceError:
    """A TOML syntax error at its line and column (tomllib says them in its message)."""
    m = _TOML_PLACE.search(str(e))
    message = _TOML_PLACE.sub("", str(e)).strip()
    line, column = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
    return SourceError(f"not valid TOML: {message}", line, column, "fix the TOML there")


# -- CSV --------------------------------------------------------------------------------------------


def _csv_items(path: str, content: str, column: str) -> Iterator[Item]:
    """A spreadsheet's export: the header names the `filter` column (or `column`)."""
    delimiter = _delimiter(content)
    rows = list(_csv_fields(content, delimiter))
    if not rows:
        return
    header = [text.strip() for text, _, _ in rows[0]]
    wanted = [i for i, h in enumerate(header) if h.lower() == column.lower()]
    if not wanted:
        shown = ", ".join(header) or "none"
        raise SourceError(f"no `{column}` column; the columns are: {shown}", 1, 1, "name the column with --column")
    index = wanted[0]
    names = [i for i, h in enumerate(header) if h.lower() == "name"]
    methods = [i for i, h in enumerate(header) if h.lower() == METHOD_KEY]
    lines = _Lines(content)
    for number, row in enumerate(rows[1:], 2):
        if index >= len(row) or not row[index][0].strip():
            continue
        text, offsets, raw = row[index]
        name = row[names[0]][0] if names and names[0] < len(row) else f"row {number}"
        method = row[methods[0]][0].strip() if methods and methods[0] < len(row) else ""
        item = _item(path, name, text, offsets, lines, raw, "csv" + delimiter)
        yield attrs.evolve(item, method=method or None)


def _delimiter(content: str) -> str:
    """A spreadsheet's field delimiter (comma, semicolon or tab), from the header line."""
    first = content.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t").delimiter if first else ","
    except csv.Error:
        return ","


def _csv_fields(content: str, delimiter: str) -> Iterator[list[tuple[str, list[int], tuple[int, int]]]]:
    """Rows of (text, file offset of each character and of the end, raw span), by RFC 4180."""
    row: list[tuple[str, list[int], tuple[int, int]]] = []
    i, n = 0, len(content)
    while i < n:
        start = i
        out: list[str] = []
        offsets: list[int] = []
        if content[i] == '"':
            i += 1
            while i < n:
                if content[i] == '"':
                    if content.startswith('""', i):
                        out.append('"')
                        offsets.append(i)
                        i += 2
                        continue
                    i += 1
                    break
                out.append(content[i])
                offsets.append(i)
                i += 1
            end_text = i - 1
            while i < n and content[i] not in delimiter + "\r\n":
                i += 1
        else:
            while i < n and content[i] not in delimiter + "\r\n":
                out.append(content[i])
                offsets.append(i)
                i += 1
            end_text = i
        offsets.append(end_text)
        row.append(("".join(out), offsets, (start, i)))
        if i < n and content[i] == delimiter:
            i += 1
            if i == n:
                row.append(("", [i], (i, i)))
            continue
        if content.startswith("\r\n", i):
            i += 2
        elif i < n:
            i += 1
        yield row
        row = []
    if row:
        yield row


def csv_value(text: str, delimiter: str = ",") -> str:
    """A CSV field holding `text`, quoted when it must be."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow([text])
    return buffer.getvalue()
