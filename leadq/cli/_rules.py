"""`leadq rule CODE`: what a diagnostic code means, from docs/diagnostics.md itself.

The reference page ships inside the wheel (`leadq/diagnostics.md`), so the command and the
documentation site print the same text. Each section's "Autofix:" line says whether the
code has a fix and whether it is safe; a test holds it to the rule registry
(`leadq.core.rules.RULES`), which also supplies the line where a section lacks one.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from ..core.rules import RULES

_SECTION = re.compile(r"^## ([EWI]\d{3}) ", re.M)
#: The line of a section that says whether the code has a fix, and whether it is safe.
_AUTOFIX = re.compile(r"^Autofix: (none|safe or unsafe|safe|unsafe)\b", re.M)


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
    for code, rule in RULES.items():  # never leave a code without a word, nor its fix unsaid
        section = sections.setdefault(code, f"## {rule.heading}")
        if not _AUTOFIX.search(section):
            sections[code] = f"{section}\n\nAutofix: {rule.autofix}."
    return dict(sorted(sections.items()))
