"""Reports of `leadq check`: text (like ruff), JSON, SARIF 2.1.0 and GitHub annotations, with
the fixes of each finding."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping, Sequence

import attrs

from leadq import CODES, Diagnostic, Fix, Severity, render_diagnostics

from ..core.diagnostics import fixable
from ..files.rewrite import fix_edits
from ..files.sources import FILE_PROBLEM, Item, file_places

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITHUB_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


@attrs.frozen
class Finding:
    """A diagnostic placed in its file."""

    item: Item
    diagnostic: Diagnostic
    line: int
    column: int
    end_line: int
    end_column: int


def place(item: Item, d: Diagnostic) -> Finding:
    line, column = item.place(d.start)
    end_line, end_column = item.place(d.end)
    return Finding(item, d, line, column, end_line, end_column)




def file_problem(
    path: str, line: int, column: int, message: str, hint: str | None, name: str | None = None
) -> Finding:
    """E902 at its place in the file (`name`: the key of a value that is no filter): a
    finding of its own, beside the filters' findings."""
    item = Item(path, name, "", (), origin=(line, column))
    d = Diagnostic(FILE_PROBLEM, Severity.ERROR, message, 0, 0, line, column, hint)
    return Finding(item, d, line, column, line, column)


def _version() -> str:
    import leadq

    return leadq.__version__


#: The summary lines of the text report, which `--quiet` drops.
SUMMARY_LINES = ("Found ", "Fixed ", "[*] ", "No fixes available")


def text_report(
    findings: Sequence[Finding],
    contents: dict[str, str],
    filters: int,
    color: bool = False,
    summary: bool = True,
    unsafe_fixes: bool = False,
    fixed: int = 0,
) -> str:
    """Each finding as the compiler shows it (``[*]`` on those `--fix` would fix), then
    the summary: what was fixed, what was found, and what could be fixed."""
    blocks = []
    for path, group in itertools.groupby(findings, key=lambda f: f.item.path):
        placed = []
        lines = contents.get(path, "").split("\n")
        for f in group:
            if path not in contents:  # a file that could not be read: no line to show
                head = f"{path}:{f.line}:{f.column}: {f.diagnostic.code} {f.diagnostic.message}"
                block = head + (f"\n    hint: {f.diagnostic.hint}" if f.diagnostic.hint else "")
                blocks.append(paint(block) if color else block)
                continue
            source = lines[f.line - 1].removesuffix("\r") if 0 < f.line <= len(lines) else f.item.text
            width = f.end_column - f.column if f.end_line == f.line else len(source) - f.column + 1
            placed.append(attrs.evolve(f.diagnostic, start=0, end=max(width, 0), line=f.line, column=f.column))
        if placed:
            block = render_diagnostics(placed, contents.get(path, ""), path=path, unsafe_fixes=unsafe_fixes)
            blocks.append(paint(block) if color else block)
    if fixed and summary:
        blocks.append(f"Fixed {_count(fixed, 'finding')}.")
    if findings and summary:
        blocks.append(_summary(findings, filters))
        fixable_now = sum(fixable(f.diagnostic, unsafe_fixes) for f in findings)
        hidden = sum(fixable(f.diagnostic, True) for f in findings) - fixable_now
        more = f" ({_count(hidden, 'hidden fix')} can be enabled with the `--unsafe-fixes` option)" if hidden else ""
        option = "`--fix --unsafe-fixes` options" if unsafe_fixes else "`--fix` option"
        if fixable_now:
            blocks.append(f"[*] {fixable_now} fixable with the {option}{more}.")
        elif hidden:
            blocks.append(f"No fixes available{more}.")
    return "\n".join(blocks)


def _count(n: int, noun: str) -> str:
    plural = noun[:-1] + "xes" if noun.endswith("x") else noun + "s"
    return f"{n} {noun if n == 1 else plural}"


def _summary(findings: Sequence[Finding], filters: int) -> str:
    unread = sum(f.diagnostic.code == FILE_PROBLEM for f in findings)
    read = [f for f in findings if f.diagnostic.code != FILE_PROBLEM]
    counts = {s: sum(f.diagnostic.severity is s for f in read) for s in Severity}
    said = ", ".join(f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
    in_filters = f"{filters} filter{'s' if filters != 1 else ''}"
    problems = f"{unread} problem{'s' if unread != 1 else ''} reading the files"
    if not unread:
        return f"Found {said} in {in_filters}."
    if not said:
        return f"Found {problems} ({in_filters} checked)."
    return f"Found {said} in {in_filters}, and {problems}."


_HEAD = re.compile(r"^(\S.*?:\d+:\d+:) ([EWI]\d{3})", re.M)
_COLORS = {"E": "31", "W": "33", "I": "36"}  # red, yellow, cyan


def paint(block: str) -> str:
    """ANSI colour for a terminal: the place in bold, the code by severity."""

    def head(m: re.Match[str]) -> str:
        code = m.group(2)
        return f"\x1b[1m{m.group(1)}\x1b[0m \x1b[1;{_COLORS[code[0]]}m{code}\x1b[0m"

    return _HEAD.sub(head, block)


def statistics_report(findings: Sequence[Finding]) -> str:
    """A count per code, most frequent first (`--statistics`)."""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.diagnostic.code] = counts.get(f.diagnostic.code, 0) + 1
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return "\n".join(f"{n:>6}  {code}  {CODES[code].title}" for code, n in rows)


def json_report(findings: Sequence[Finding]) -> str:
    rows = [
        {
            "path": f.item.path,
            "name": f.item.name,
            "line": f.line,
            "column": f.column,
            "end_line": f.end_line,
            "end_column": f.end_column,
            "code": f.diagnostic.code,
            "severity": f.diagnostic.severity.value,
            "message": f.diagnostic.message,
            "hint": f.diagnostic.hint,
            "filter": f.item.text,
            "fixes": [_fix_json(fix, f.item) for fix in f.diagnostic.fixes],
        }
        for f in findings
    ]
    return json.dumps(rows, ensure_ascii=False, indent=2)


def _fix_json(fix: Fix, item: Item) -> dict[str, object]:
    """A fix: its edits as offsets into `filter` (code points), with the file places they
    fall on; the replacement is the filter's text, as yet unquoted for the file."""
    edits = []
    for e in fix.edits:
        (line, column), (end_line, end_column) = item.place(e.start), item.place(e.end)
        edits.append(
            {
                "start": e.start,
                "end": e.end,
                "replacement": e.replacement,
                "line": line,
                "column": column,
                "end_line": end_line,
                "end_column": end_column,
            }
        )
    return {"title": fix.title, "applicability": fix.applicability.value, "edits": edits}


def sarif_report(findings: Sequence[Finding], contents: Mapping[str, str] | None = None) -> str:
    """A SARIF 2.1.0 log. Each result carries its fixes (`fixes`: the replacements in the
    file, written in its quoting) when `contents` gives the files' text."""
    codes = sorted({f.diagnostic.code for f in findings})
    index = {code: i for i, code in enumerate(codes)}
    rules = [
        {
            "id": code,
            "name": CODES[code].title.title().replace(" ", "").replace("`", ""),
            "shortDescription": {"text": CODES[code].title},
            "defaultConfiguration": {"level": _SARIF_LEVELS[CODES[code].severity]},
        }
        for code in codes
    ]
    results = []
    for f in findings:
        d = f.diagnostic
        message = d.message + (f" (hint: {d.hint})" if d.hint else "")
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": _SARIF_LEVELS[d.severity],
                "message": {"text": message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": f.item.path},
                            "region": {
                                "startLine": f.line,
                                "startColumn": f.column,
                                "endLine": f.end_line,
                                "endColumn": max(f.end_column, f.column + 1) if f.end_line == f.line else f.end_column,
                            },
                        }
                    }
                ],
            }
        )
        fixes = _sarif_fixes(f, contents.get(f.item.path)) if contents else []
        if fixes:
            results[-1]["fixes"] = fixes
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "leadq",
                        "version": _version(),
                        "rules": rules,
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2)


def _sarif_fixes(f: Finding, content: str | None) -> list[dict[str, object]]:
    """SARIF `fix` objects: each a description and the replacements in the finding's file."""
    if content is None:
        return []
    place = file_places(content)
    out: list[dict[str, object]] = []
    for fix in f.diagnostic.fixes:
        replacements = []
        for start, end, text in fix_edits(f.item, fix):
            (line, column), (end_line, end_column) = place(start), place(end)
            region = {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}
            replacements.append({"deletedRegion": region, "insertedContent": {"text": text}})
        if replacements:
            out.append(
                {
                    "description": {"text": f"{fix.title} ({fix.applicability.value} fix)"},
                    "artifactChanges": [{"artifactLocation": {"uri": f.item.path}, "replacements": replacements}],
                    "properties": {"applicability": fix.applicability.value},
                }
            )
    return out


def github_report(findings: Sequence[Finding]) -> str:
    out = []
    for f in findings:
        d = f.diagnostic
        where = f"file={_escape_property(f.item.path)},line={f.line},col={f.column}"
        if f.end_line == f.line:
            where += f",endColumn={f.end_column}"
        out.append(f"::{_GITHUB_LEVELS[d.severity]} {where},title=leadq {d.code}::{_escape_data(d.message)}")
    return "\n".join(out)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
