"""`leadq rule CODE`: what a diagnostic code means, from docs/diagnostics.md itself.

The reference page ships inside the wheel (`leadq/diagnostics.md`), so the command and the
documentation site print the same text.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import leadq

_SECTION = re.compile(r"^## ([EWI]\d{3}) ", re.M)


def reference() -> str | None:
    here = Path(__file__).resolve().parent.parent
    for place in (here / "diagnostics.md", here.parent / "docs" / "diagnostics.md"):
        if place.is_file():
            return place.read_text(encoding="utf-8")
    return None  # pragma: no cover - both installs carry it


def rule_sections() -> dict[str, str]:
    """Each code's section of the reference, by code (the title line included)."""
    text = reference()
    sections: dict[str, str] = {}
    if text is not None:
        starts = [m.start() for m in re.finditer(r"^## ", text, re.M)] + [len(text)]
        for start, end in itertools.pairwise(starts):
            m = _SECTION.match(text, start)
            if m:
                sections[m.group(1)] = text[start:end].strip()
    for code, c in leadq.CODES.items():  # never leave a code without a word
        sections.setdefault(code, f"## {code} {c.title} ({c.severity.value})")
    return dict(sorted(sections.items()))
