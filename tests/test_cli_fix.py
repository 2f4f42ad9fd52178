"""`leadq check --fix`, `--unsafe-fixes` and `--diff` on the files people keep, through the real
console script: fixes written back in each file's quoting, standard input in and out, the
reports' fixes (text, JSON, SARIF) and ruff's exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from test_cli import SARIF_SCHEMA, run

TEXT = '# saved\nsite in (1, 1)  # hot\nentry_page = "/a"\nsiet = 2\n'
JSON = '{"a": "site in (2, 2) and result = missed", "b": {"c": "entry_page = \\"/x\\" and site = 5"}}\n'
TOML = '[a]\nx = \'site in (3, 3)\'  # keep me\ny = "entry_page = \\"/q\\" and site = 6"\n'
CSV = 'name,filter\nhot,"site in (4, 4) and text contains ""a"""\ncold,site = 7\n'


def _files(folder: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("f.leadq", TEXT), ("m.json", JSON), ("m.toml", TOML), ("s.csv", CSV)):
        out[name] = folder / name
        out[name].write_text(text, encoding="utf-8")
    return out


def test_fix_makes_the_safe_fixes_in_every_kind_of_file(tmp_path: Path) -> None:
    files = _files(tmp_path)
    r = run("check", "--fix", *files, cwd=tmp_path)
    assert r.returncode == 1  # the misspelt field remains: its fix is a guess
    assert files["f.leadq"].read_text() == '# saved\nsite in (1)  # hot\nenter_page = "/a"\nsiet = 2\n'
    assert json.loads(files["m.json"].read_text()) == {
        "a": "site in (2) and result = missed",
        "b": {"c": 'enter_page = "/x" and site = 5'},
    }
    assert files["m.json"].read_text().startswith('{"a": "site in (2) and result = missed", "b": {"c": "enter_')
    assert (
        files["m.toml"].read_text() == '[a]\nx = \'site in (3)\'  # keep me\ny = "enter_page = \\"/q\\" and site = 6"\n'
    )
    assert files["s.csv"].read_text() == 'name,filter\nhot,"site in (4) and text contains ""a"""\ncold,site = 7\n'
    assert r.stdout.splitlines()[0] == "f.leadq:4:1: E201 unknown field `siet` in Leads.list"
    assert r.stdout.splitlines()[-3:] == [
        "Fixed 7 findings.",
        "Found 1 error in 9 filters.",
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).",
    ]
    again = run("check", "--fix", *files, cwd=tmp_path)
    assert "Fixed" not in again.stdout and again.returncode == 1
    unsafe = run("check", "--fix", "--unsafe-fixes", "f.leadq", cwd=tmp_path)
    assert files["f.leadq"].read_text() == '# saved\nsite in (1)  # hot\nenter_page = "/a"\nsite = 2\n'
    assert unsafe.returncode == 0 and "Fixed 1 finding." in unsafe.stdout


def test_fix_reads_standard_input_and_prints_the_fixed_text() -> None:
    r = run("check", "--fix", "-", stdin="site in (1, 1, 2)\nresult = Missed\n")
    assert r.stdout == "site in (1, 2)\nresult = Missed\n"  # only the fixed input: the report is on stderr
    assert "<stdin>:2:10: E302 `Missed` is not a value of `result`" in r.stderr
    assert "Fixed 1 finding." in r.stderr and r.returncode == 1
    r = run("check", "--fix", "--unsafe-fixes", "-", stdin="site in (1, 1, 2)\nresult = Missed\n")
    assert (r.returncode, r.stdout) == (0, "site in (1, 2)\nresult = missed\n")
    assert run("check", "--fix", "-", stdin="site = 1\n").stdout == "site = 1\n"


def test_fixes_run_until_none_applies() -> None:
    # the repeat goes in the first round; the condition it leaves is implied, and goes next
    r = run("check", "--fix", "-", stdin="site in (1, 1) and site in (1, 2)\n")
    assert (r.returncode, r.stdout) == (0, "site in (1)\n")
    assert "Fixed 2 findings." in r.stderr


def test_diff_changes_nothing_and_says_whether_there_is_a_fix(tmp_path: Path) -> None:
    files = _files(tmp_path)
    r = run("check", "--diff", "f.leadq", "m.toml", cwd=tmp_path)
    assert r.returncode == 1
    assert "--- a/f.leadq\n+++ b/f.leadq\n" in r.stdout
    lines = r.stdout.splitlines()
    assert "-site in (1, 1)  # hot" in lines and "+site in (1)  # hot" in lines
    assert "-x = 'site in (3, 3)'  # keep me" in lines and "+x = 'site in (3)'  # keep me" in lines
    assert "-siet = 2" not in lines and r.stderr.strip() == "Would fix 4 findings."
    assert files["f.leadq"].read_text() == TEXT and files["m.toml"].read_text() == TOML
    unsafe = run("check", "--diff", "--unsafe-fixes", "f.leadq", cwd=tmp_path)
    assert "+site = 2" in unsafe.stdout.splitlines()
    clean = run("check", "--diff", "-", stdin="site = 1\nresult = fax\n")
    assert (clean.returncode, clean.stdout, clean.stderr.strip()) == (0, "", "No fixes available.")


def test_exit_status_as_ruff_says(tmp_path: Path) -> None:
    path = tmp_path / "f.leadq"
    path.write_text("site in (1, 1)\n", encoding="utf-8")
    assert run("check", "f.leadq", "--fail-on", "warning", cwd=tmp_path).returncode == 1
    fixed = run("check", "f.leadq", "--fix", "--fail-on", "warning", cwd=tmp_path)
    assert fixed.returncode == 0  # everything found was fixed
    path.write_text("site in (1, 1)\n", encoding="utf-8")
    assert run("check", "f.leadq", "--fix", "--exit-non-zero-on-fix", cwd=tmp_path).returncode == 1
    assert run("check", "f.leadq", "--fix", "--exit-non-zero-on-fix", cwd=tmp_path).returncode == 0  # nothing left
    assert run("check", "missing.leadq", "--fix", cwd=tmp_path).returncode == 2


def test_fix_leaves_what_is_not_reported(tmp_path: Path) -> None:
    path = tmp_path / "f.leadq"
    text = 'site in (1, 1)  # leadq: ignore[W604]\nentry_page = "/a" and site in (2, 2)\n'
    path.write_text(text, encoding="utf-8")
    run("check", "--fix", "--ignore", "I701", "f.leadq", cwd=tmp_path)
    assert path.read_text() == 'site in (1, 1)  # leadq: ignore[W604]\nentry_page = "/a" and site in (2)\n'
    run("check", "--fix", "--select", "I", "f.leadq", cwd=tmp_path)
    assert path.read_text() == 'site in (1, 1)  # leadq: ignore[W604]\nenter_page = "/a" and site in (2)\n'


def test_fix_on_raw_q_strings() -> None:
    r = run("check", "--q", "--fix", "--unsafe-fixes", "-", stdin="entry_page=/a\nsiet_ids=1 result=missed\n")
    assert r.stdout == "enter_page=/a\nsite_ids=1 result=missed\n" and r.returncode == 0


def test_text_report_marks_what_fix_would_fix() -> None:
    r = run("check", "-", stdin="site in (1, 1)\nsiet = 1\nresult = fax\n")
    assert "<stdin>:1:13: W604 [*] `1` is listed twice" in r.stdout
    assert "<stdin>:2:1: E201 unknown field" in r.stdout
    assert r.stdout.splitlines()[-1] == (
        "[*] 1 fixable with the `--fix` option (1 hidden fix can be enabled with the `--unsafe-fixes` option)."
    )
    unsafe = run("check", "--unsafe-fixes", "-", stdin="site in (1, 1)\nsiet = 1\n")
    assert "E201 [*] unknown field" in unsafe.stdout
    assert unsafe.stdout.splitlines()[-1] == "[*] 2 fixable with the `--fix --unsafe-fixes` options."
    quiet = run("check", "--quiet", "-", stdin="site in (1, 1)\n")
    assert "fixable" not in quiet.stdout and "Found" not in quiet.stdout


def test_json_report_carries_each_fix(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(JSON, encoding="utf-8")
    rows = json.loads(run("check", "--format", "json", "m.json", cwd=tmp_path).stdout)
    alias = next(r for r in rows if r["code"] == "I701")
    assert alias["fixes"] == [
        {
            "title": "Write `enter_page`",
            "applicability": "safe",
            "edits": [
                {"start": 0, "end": 10, "replacement": "enter_page", "line": 1, "column": 57,
                 "end_line": 1, "end_column": 67},
            ],
        }
    ]  # fmt: skip
    assert JSON[56:66] == "entry_page"


def _apply_sarif(content: str, result: dict[str, object]) -> str:
    """The file after a SARIF result's first fix, its regions read as lines and columns."""
    starts = [0] + [i + 1 for i, c in enumerate(content) if c == "\n"]
    (fix,) = result["fixes"]  # type: ignore[misc]
    (change,) = fix["artifactChanges"]

    def where(rep: dict[str, dict[str, int]]) -> tuple[int, int]:
        return rep["deletedRegion"]["startLine"], rep["deletedRegion"]["startColumn"]

    for rep in sorted(change["replacements"], key=where, reverse=True):  # the last first: offsets hold
        region = rep["deletedRegion"]
        start = starts[region["startLine"] - 1] + region["startColumn"] - 1
        end = starts[region["endLine"] - 1] + region["endColumn"] - 1
        content = content[:start] + rep["insertedContent"]["text"] + content[end:]
    return content


def test_sarif_fixes_validate_and_land_in_the_file(tmp_path: Path) -> None:
    files = _files(tmp_path)
    r = run("check", "--format", "sarif", *files, cwd=tmp_path)
    log = json.loads(r.stdout)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    run_ = log["runs"][0]
    assert run_["columnKind"] == "unicodeCodePoints"
    results = {
        (x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], x["ruleId"]): x for x in run_["results"]
    }
    siet = results[("f.leadq", "E201")]["fixes"][0]
    assert siet["properties"] == {"applicability": "unsafe"}
    assert siet["description"]["text"] == "Replace with `site` (unsafe fix)"
    # each fix, made alone in its file, is what `--fix` makes of that filter
    assert _apply_sarif(TEXT, results[("f.leadq", "W604")]) == TEXT.replace("(1, 1)", "(1)")
    alias = _apply_sarif(JSON, results[("m.json", "I701")])
    assert json.loads(alias)["b"]["c"] == 'enter_page = "/x" and site = 5'
    toml = _apply_sarif(TOML, results[("m.toml", "I701")])
    assert toml == TOML.replace("entry_page", "enter_page")
    csv = _apply_sarif(CSV, results[("s.csv", "W604")])
    assert csv == CSV.replace("(4, 4)", "(4)")


def test_each_filter_is_fixed_against_its_own_method(tmp_path: Path) -> None:
    path = tmp_path / "m.leadq"
    # Tickets.list has no `site`: its list is an error there, with nothing certain to fix
    path.write_text("site in (1, 1)\n# leadq: method Tickets.list\nstatus = clsoed and site in (2, 2)\n", "utf-8")
    r = run("check", "--fix", "--unsafe-fixes", "m.leadq", cwd=tmp_path)
    assert path.read_text() == "site in (1)\n# leadq: method Tickets.list\nstatus = closed and site in (2, 2)\n"
    assert "m.leadq:3:21: E201 unknown field `site` in Tickets.list" in r.stdout and r.returncode == 1


def test_fix_rewrites_the_habits_of_other_languages() -> None:
    mistakes = "result = missed && site = 1;\nemail IS NULL\ncreated_at = 01.02.2024\n"
    r = run("check", "--fix", "-", stdin=mistakes)
    # `&&` and the `;` after it, one round each; the day-month order is a guess
    assert r.stdout == "result = missed and site = 1\nnot email_exists\ncreated_at = 01.02.2024\n"
    assert "Fixed 3 findings." in r.stderr and "1 hidden fix" in r.stderr and r.returncode == 1
    r = run("check", "--fix", "--unsafe-fixes", "-", stdin=mistakes)
    assert (r.returncode, r.stdout.splitlines()[-1]) == (0, "created_at = 2024-02-01")
