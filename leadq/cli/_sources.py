"""Saved filters read from files: plain text, JSON and TOML, each filter with its place.

Every filter keeps where it stands in its file, so that a diagnostic's span inside the
expression becomes a line and column of the file, escapes in JSON strings included.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator

import attrs

_IGNORE = re.compile(r"\s*#\s*leadq:\s*ignore\[([A-Za-z0-9, ]*)\]\s*$")
_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


class SourceError(Exception):
    """A file that cannot be read as saved filters (exit status 2)."""


@attrs.frozen
class Item:
    """One saved filter.

    Attributes:
        path: the file it comes from (``<stdin>`` for standard input).
        name: its name in a JSON or TOML file.
        text: the expression, without a trailing ``# leadq: ignore[...]``.
        line: the file line where the expression starts (1-based).
        columns: the file column (1-based) of each character of `text`, and one past
            the end; empty when the expression is the line's text from `column` on.
        column: the file column of the expression's first character.
        ignore: codes suppressed on this filter.
    """

    path: str
    name: str | None
    text: str
    line: int
    column: int = 1
    columns: tuple[int, ...] = ()
    ignore: frozenset[str] = frozenset()

    def place(self, offset: int) -> tuple[int, int]:
        """The file line and column of character `offset` of the expression."""
        if self.columns:
            return self.line, self.columns[min(offset, len(self.columns) - 1)]
        before = self.text[:offset]
        newlines = before.count("\n")
        if newlines:
            return self.line + newlines, offset - before.rfind("\n")
        return self.line, self.column + offset


def _split_ignore(text: str) -> tuple[str, frozenset[str]]:
    m = _IGNORE.search(text)
    if not m:
        return text, frozenset()
    codes = frozenset(c.strip().upper() for c in m.group(1).split(",") if c.strip())
    return text[: m.start()], codes


def read_items(path: str, content: str) -> Iterator[Item]:
    """The saved filters in `content`, read by the file's kind (`path`'s extension)."""
    if path.endswith(".json"):
        yield from _json_items(path, content)
    elif path.endswith(".toml"):
        yield from _toml_items(path, content)
    else:
        yield from text_items(path, content)


def text_items(path: str, content: str) -> Iterator[Item]:
    """One filter per line; blank lines and lines starting with `#` are skipped."""
    for number, line in enumerate(content.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        text, ignore = _split_ignore(line)
        indent = len(text) - len(text.lstrip())
        yield Item(path, None, text.strip(), number, indent + 1, (), ignore)


def _json_items(path: str, content: str) -> Iterator[Item]:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as e:
        raise SourceError(f"{path}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise SourceError(f"{path}: expected a JSON object mapping filter names to expressions")
    # The string literals of a flat object alternate key, value, in file order.
    literals = [m for m in _JSON_STRING.finditer(content)]
    line_starts = [0] + [m.end() for m in re.finditer("\n", content)]
    pairs = list(zip(literals[0::2], literals[1::2], strict=False))
    for key_match, value_match in pairs:
        name = json.loads(key_match.group(0))
        if name not in data:
            continue
        raw = value_match.group(0)
        start = value_match.start() + 1
        line = _line_of(line_starts, start)
        base = start - line_starts[line - 1] + 1
        text, columns = _decode_json(raw[1:-1], base)
        text, ignore = _split_ignore(text)
        yield Item(path, name, text, line, base, tuple(columns[: len(text) + 1]), ignore)


def _decode_json(body: str, base: int) -> tuple[str, list[int]]:
    """A JSON string body's text, and the file column of each of its characters."""
    out: list[str] = []
    columns: list[int] = []
    i = 0
    while i < len(body):
        columns.append(base + i)
        if body[i] == "\\":
            width = 6 if body[i + 1] == "u" else 2
            if width == 6 and body[i + 6 : i + 8] == "\\u" and 0xD800 <= int(body[i + 2 : i + 6], 16) < 0xDC00:
                width = 12  # a surrogate pair is one character
            out.append(json.loads(f'"{body[i : i + width]}"'))
            i += width
        else:
            out.append(body[i])
            i += 1
    columns.append(base + i)
    return "".join(out), columns


def _line_of(line_starts: list[int], offset: int) -> int:
    lo, hi = 0, len(line_starts)
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if line_starts[mid] <= offset:
            lo = mid
        else:
            hi = mid
    return lo + 1


def _toml_items(path: str, content: str) -> Iterator[Item]:
    try:
        data = tomllib.loads(content)
    except tomllib.TOMLDecodeError as e:
        raise SourceError(f"{path}: not valid TOML: {e}") from None
    lines = content.splitlines()
    for name, text in _flatten(data):
        key = name.rsplit(".", 1)[-1]
        number, column = _toml_place(lines, key, text)
        text, ignore = _split_ignore(text)
        yield Item(path, name, text, number, column, (), ignore)


def _flatten(data: dict[str, object], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        elif isinstance(value, str):
            yield f"{prefix}{key}", value
        else:
            raise SourceError(f"TOML key {prefix}{key}: expected a string expression")


def _toml_place(lines: list[str], key: str, text: str) -> tuple[int, int]:
    """Where the value of `key` starts: exact for one-line strings without escapes."""
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*=\s*(['\"])")
    for number, line in enumerate(lines, 1):
        m = pattern.match(line)
        if m:
            return number, m.end() + 1
    return 1, 1
