"""`leadq format` and `leadq check --fix`: saved filters rewritten in place in their files.

Each filter is replaced where it stands (`Item.raw`), written back in the file's own
quoting (a JSON string, a TOML basic or literal string, a CSV field), so that comments,
names, keys and the rest of the layout stay as they were.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from ..api import format as format_tree
from ..api import parse
from ..core.diagnostics import LeadqError
from ..core.fixes import Fix
from .sources import Item, csv_value


def canonical(text: str) -> str | None:
    """The canonical form of a filter; None when it does not parse."""
    try:
        return format_tree(parse(text))
    except LeadqError:
        return None


def rewrite(content: str, items: list[Item], new_text: Callable[[Item], str | None] | None = None) -> str:
    """`content` with every filter in the canonical form, or, given `new_text`, with each
    filter replaced by what it returns for the item (None: left as it is)."""
    edits: list[tuple[int, int, str]] = []
    for item in items:
        new = canonical(item.text) if new_text is None else new_text(item)
        edit = value_edit(item, new) if new is not None else None
        if edit is not None:
            edits.append(edit)
    for start, end, written in sorted(edits, reverse=True):
        content = content[:start] + written + content[end:]
    return content


def value_edit(item: Item, new: str) -> tuple[int, int, str] | None:
    """The edit of the file that makes `new` the item's filter: its whole value written
    again in the file's quoting (file offsets, and the written text); None when nothing
    changes or leadq could not place the value exactly."""
    if not item.style or new == item.text:
        return None
    value = item.value.replace(item.text, new, 1)
    return (*item.raw, _written(value, item.style))


def fix_edits(item: Item, fix: Fix) -> list[tuple[int, int, str]]:
    """A fix of the item's filter as edits of its file (offsets into the file's content,
    and the text to write), in the file's quoting. A filter of a text file is written as
    it is, so each edit lands where it stands; in a JSON, TOML or CSV string an edit may
    need escapes, so the whole value is written again. Empty when leadq could not place
    the value exactly."""
    if item.style == "text":
        at = item.raw[0]
        return [(at + e.start, at + e.end, e.replacement) for e in fix.edits]
    edit = value_edit(item, fix.apply(item.text))
    return [edit] if edit is not None else []


def _written(value: str, style: str) -> str:
    if style == "text":
        return value
    if style == "json":
        return json.dumps(value, ensure_ascii=False)
    if style == "toml-literal" and "'" not in value and value.isprintable():
        return f"'{value}'"
    if style.startswith("csv"):
        return csv_value(value, style[3:] or ",")
    return _toml_basic(value)


def _toml_basic(value: str) -> str:
    out = []
    for c in value:
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif not c.isprintable():
            out.append(f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'
