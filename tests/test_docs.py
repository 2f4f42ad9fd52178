"""The docs are tested like code: every example table runs, every code has a section."""

from __future__ import annotations

import doctest
import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import leadq
from leadq import CODES

DOCS = Path(__file__).parent.parent / "docs"
README = Path(__file__).parent.parent / "README.md"


def _tables(header: tuple[str, str]) -> list[tuple[str, str, str]]:
    """Rows of every two-column table with this header, as (file, left, right)."""
    rows = []
    for path in sorted(DOCS.glob("*.md")):
        inside = False
        for line in path.read_text(encoding="utf-8").splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
            if tuple(cells) == header:
                inside = True
            elif not cells:
                inside = False
            elif inside and not set(cells[0]) <= {"-", ":"}:
                rows.append((path.name, cells[0], cells[1]))
    return rows


def _code(cell: str) -> str:
    if cell == "(empty)":
        return ""
    assert cell.startswith("`") and cell.endswith("`"), cell
    return cell[1:-1]


COMPILE_ROWS = _tables(("filter", "q"))
CHECK_ROWS = _tables(("filter", "diagnostics"))
Q_ROWS = _tables(("q", "diagnostics"))
PARAM_ROWS = _tables(("query", "params"))
STORED_ROWS = _tables(("stored filter", "diagnostics"))
OPERATOR_ROWS = _tables(("filter run as operator", "diagnostics"))


def _found(diagnostics: list[leadq.Diagnostic]) -> list[str]:
    return sorted(f"{d.code} {d.start}-{d.end}" for d in diagnostics)


def _listed(cell: str) -> list[str]:
    return sorted(_code(c.strip()) for c in cell.split(","))


def test_the_docs_have_examples() -> None:
    assert len(COMPILE_ROWS) > 30 and len(CHECK_ROWS) > 30 and Q_ROWS


@pytest.mark.parametrize(("page", "text", "q"), COMPILE_ROWS)
def test_compile_examples(page: str, text: str, q: str) -> None:
    assert leadq.compile(_code(text)) == _code(q)


@pytest.mark.parametrize(("page", "text", "params"), PARAM_ROWS)
def test_params_examples(page: str, text: str, params: str) -> None:
    assert leadq.compile_params(_code(text)) == json.loads(_code(params))


@pytest.mark.parametrize(("page", "text", "listed"), CHECK_ROWS)
def test_diagnostic_examples(page: str, text: str, listed: str) -> None:
    assert _found(leadq.check(_code(text))) == _listed(listed)


@pytest.mark.parametrize(("page", "text", "listed"), STORED_ROWS)
def test_stored_filter_examples(page: str, text: str, listed: str) -> None:
    assert _found(leadq.check(_code(text), stored=True)) == _listed(listed)


@pytest.mark.parametrize(("page", "text", "listed"), OPERATOR_ROWS)
def test_role_examples(page: str, text: str, listed: str) -> None:
    assert _found(leadq.check(_code(text), role="operator")) == _listed(listed)


@pytest.mark.parametrize(("page", "q", "listed"), Q_ROWS)
def test_decompile_examples(page: str, q: str, listed: str) -> None:
    assert _found(leadq.check(_code(q), q=True)) == _listed(listed)


def test_every_code_has_a_section_and_no_section_is_stale() -> None:
    text = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^## ([EWI]\d{3}) .*\((error|warning|info)\)$", text, re.M))
    assert documented == {code: c.severity.value for code, c in CODES.items()}


def _sections() -> dict[str, str]:
    text = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"^## ", text, re.M)] + [len(text)]
    return {text[a:b].split()[1]: text[a:b] for a, b in itertools.pairwise(starts)}


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_a_section_its_link_finds_and_says_its_fix(code: str) -> None:
    """The rule registry's link lands on the code's section, and the section's "Autofix:"
    line says what the registry's fixes are."""
    from markdown.extensions.toc import slugify

    from leadq.core.rules import RULES, anchor

    rule = RULES[code]
    section = _sections()[code]
    heading = section.splitlines()[0].removeprefix("## ")
    assert heading == rule.heading
    assert rule.docs == f"docs/diagnostics.md#{slugify(heading, '-')}" == f"docs/diagnostics.md#{anchor(heading)}"
    said = re.search(r"^Autofix: (none|safe or unsafe|safe|unsafe)\b", section, re.M)
    assert said is not None, f"{code}: no 'Autofix:' line"
    assert said.group(1) == rule.autofix


def test_readme_python_tour() -> None:
    failures, tried = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert tried > 5 and failures == 0


def _shell_examples() -> list[tuple[str, str, str]]:
    """`$ ...leadq...` lines of the README and docs/, with the output shown below them."""
    examples = []
    for path in [README, *sorted(DOCS.glob("*.md"))]:
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            command = line.strip()
            if command.startswith("$ "):
                indent = len(line) - len(line.lstrip())
                out = []
                for following in lines[i + 1 :]:
                    if not following.strip() or following.strip().startswith("$ "):
                        break
                    out.append(following[indent:])
                examples.append((path.name, command[2:], "\n".join(out)))
    return examples


SHELL_PAGES = sorted({page for page, _, _ in _shell_examples()})


@pytest.mark.long
@pytest.mark.parametrize("page", SHELL_PAGES)
def test_shell_examples(page: str, tmp_path: Path) -> None:
    """A page's `$ ...` examples run in order, in one fresh folder, and print what it shows."""
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    for _, command, output in [e for e in _shell_examples() if e[0] == page]:
        done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, cwd=tmp_path)
        assert (done.stdout + done.stderr).rstrip("\n") == output, command


def test_field_table_is_generated_from_the_schema() -> None:
    from leadq.schemas.reference import fields_table

    assert fields_table() in (DOCS / "language.md").read_text(encoding="utf-8")


def test_doctest_sessions_in_the_docs() -> None:
    for path in sorted(DOCS.glob("*.md")):
        if ">>> " in path.read_text(encoding="utf-8"):
            failures, _ = doctest.testfile(str(path), module_relative=False, optionflags=doctest.ELLIPSIS)
            assert failures == 0, path.name
