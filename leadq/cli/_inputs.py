"""What the command reads, decoded: files and standard input.

A file is read as bytes and decoded here, so that every problem becomes words with a place:
a UTF-8 byte-order mark is dropped (and written back by `leadq format`); a file that is not
in the expected encoding names the byte, its line and column, and the `--encoding` that
would read it; a file that cannot be opened says why.
"""

from __future__ import annotations

import codecs
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from ..files.sources import Item
    from ._report import Finding


class InputError(Exception):
    """An input that cannot be read: what is wrong, where (1-based), and what to do."""

    def __init__(self, message: str, line: int = 1, column: int = 1, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column, self.hint = message, line, column, hint


@attrs.frozen
class Text:
    """A decoded input: its name (a path, or ``<stdin>``), its text, and how it was stored."""

    name: str
    content: str
    encoding: str = "utf-8"
    bom: bool = False

    def encoded(self, content: str) -> bytes:
        """`content` stored as this input was (its encoding, its byte-order mark)."""
        data = content.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data


@attrs.define
class Read:
    """What `check` and `format` read: the filters, each input's text, and the problems of
    reading (E902), by input, in the order of `names`."""

    names: list[str] = attrs.field(factory=list)
    items: list[Item] = attrs.field(factory=list)
    contents: dict[str, str] = attrs.field(factory=dict)
    texts: dict[str, Text] = attrs.field(factory=dict)
    problems: dict[str, list[Finding]] = attrs.field(factory=dict)


def checked_encoding(name: str) -> str:
    """`name` as a known codec's name; `ValueError` for an unknown one."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ValueError(f"unknown encoding {name!r} (such as utf-8, cp1251, latin-1)") from None


def read_file(path: str, encoding: str = "utf-8") -> Text:
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise InputError("this is a folder, not a file") from None
    except FileNotFoundError:
        raise InputError("no such file or folder") from None
    except OSError as e:
        raise InputError(f"cannot read it: {e.strerror or e}") from None
    return decode(path, data, encoding)


def read_stdin(name: str = "<stdin>", encoding: str = "utf-8", *, flag: bool = True) -> Text:
    """Standard input as text (`flag`: the command takes `--encoding`, which a hint may name)."""
    buffer = getattr(sys.stdin, "buffer", None)  # a program that embeds the command may give a text stream
    data = buffer.read() if buffer is not None else sys.stdin.read().encode(encoding)
    return decode(name, data, encoding, flag=flag)


def decode(name: str, data: bytes, encoding: str = "utf-8", *, flag: bool = True) -> Text:
    """`data` as text; an `InputError` at the first byte that `encoding` cannot read (its
    hint names `--encoding` when the command takes it: `flag`)."""
    codec = checked_encoding(encoding)
    bom = codec == "utf-8" and data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    try:
        return Text(name, body.decode(codec), codec, bom)
    except UnicodeDecodeError as e:
        line = body.count(b"\n", 0, e.start) + 1
        line_start = body.rfind(b"\n", 0, e.start) + 1
        column = len(body[line_start : e.start].decode(codec, errors="replace")) + 1
        shown = "UTF-8" if codec == "utf-8" else codec
        message = f"the file is not {shown}: the byte 0x{body[e.start]:02x} at line {line}, column {column} is not"
        raise InputError(f"{message} {shown} text", line, column, _encoding_hint(body, codec, flag)) from None


def _encoding_hint(data: bytes, tried: str, flag: bool = True) -> str:
    """Name the encoding that reads `data`, when one plainly does: as an `--encoding` to
    add (`flag`), or else as the conversion to UTF-8 to make first."""

    def use(name: str) -> str:
        return f"add `--encoding {name}`" if flag else f"convert it to UTF-8 first: `iconv -f {name} -t utf-8`"

    zeros = data.count(b"\0")
    marked = data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    if marked or zeros > len(data) // 4:
        if marked or max(data[0::2].count(b"\0"), data[1::2].count(b"\0")) >= 0.9 * zeros:
            return f"it looks like UTF-16: {use('utf-16')}"  # of mostly ASCII text: a zero in every other byte
        return "it holds zero bytes, as a program or an image does, not text: name a file of filters"
    for guess, script in (("cp1251", "Cyrillic"), ("koi8-r", "Cyrillic")):
        if guess == tried:
            continue
        try:
            text = data.decode(guess)
        except UnicodeDecodeError:
            continue
        letters = [c for c in text if c.isalpha() and not c.isascii()]
        if letters and sum("\u0400" <= c <= "\u04ff" for c in letters) >= 0.9 * len(letters):
            return f"it reads as {script} text in {guess}: {use(guess)}"
    if not flag:
        return "convert it to UTF-8 first, e.g. `iconv -f cp1251 -t utf-8`"
    return "name its encoding with `--encoding`, such as cp1251 or latin-1"
