"""`leadq format`: saved filters rewritten in the canonical form, in place in their files.

Each filter is replaced where it stands (`Item.raw`), written back in the file's own
quoting (a JSON string, a TOML basic or literal string, a CSV field), so that comments,
names, keys and the rest of the layout stay as they were.
"""

from __future__ import annotations

import json

from ..api import format as format_tree
from ..api import parse
from ..core.diagnostics import LeadqError
from .sources import Item, csv_value


def canonical(text: str) -> str | None:
    """The canonical form of a filter; None when it does not parse."""
    try:
        return format_tree(parse(text))
    except LeadqError:
        return None


def rewrite(content: str, items: list[Item]) -> str:
    """`content` with every filter in the canonical form."""
    edits: list[tuple[int, int, str]] = []
    for item in items:
        if not item.style:
            continue  # leadq could not place this value exactly: leave it
        formatted = canonical(item.text)
        if formatted is None or formatted == item.text:
            continue
        value = item.value.replace(item.text, formatted, 1)
        edits.append((*item.raw, _written(value, item.style)))
    for start, end, written in sorted(edits, reverse=True):
        content = content[:start] + written + content[end:]
    return content


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
