"""Readers for the case tables in tests/cases/ (one case per line, `#` comments)."""

from __future__ import annotations

from pathlib import Path

CASES = Path(__file__).parent / "cases"
SPEC = Path(__file__).parent.parent.parent / "shared" / "spec"


def rows(name: str) -> list[tuple[str, str]]:
    out = []
    for line in (CASES / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip("\n"):
            continue
        text, _, want = line.partition("\t")
        out.append((text, want))
    return out


def error_rows(name: str) -> list[tuple[str, list[tuple[str, int, int]]]]:
    out = []
    for text, want in rows(name):
        expected = []
        for item in want.split(";"):
            code, start, end = item.split()
            expected.append((code, int(start), int(end)))
        out.append((text, expected))
    return out
