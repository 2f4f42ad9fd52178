"""Readers for the case tables in tests/cases/ (one case per line, `#` comments)."""

from __future__ import annotations

from pathlib import Path

CASES = Path(__file__).parent / "cases"


def _find_spec() -> Path | None:
    """shared/spec beside the checkout (or beside a folder above it), or $LEADQ_SPEC."""
    import os

    if os.environ.get("LEADQ_SPEC"):
        return Path(os.environ["LEADQ_SPEC"])
    for folder in Path(__file__).resolve().parents:
        if (folder / "shared" / "spec" / "examples.tsv").is_file():
            return folder / "shared" / "spec"
    return None


SPEC = _find_spec()


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
