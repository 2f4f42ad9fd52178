"""The command on the files people keep: comments, TOML strings, nested JSON, CSV,
configuration, selection, duplicates, `rule` and `format` (the real console script)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import trees
from test_cli import run

import leadq
from leadq.cli._config import selected
from leadq.files.rewrite import _toml_basic, rewrite
from leadq.files.sources import read_items


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _codes(stdout: str) -> list[tuple[str, int, int, str]]:
    return [(r["path"].rsplit("/", 1)[-1], r["line"], r["column"], r["code"]) for r in json.loads(stdout)]


def test_a_text_line_may_end_with_a_comment(tmp_path: Path) -> None:
    _write(tmp_path, "f.leadq", "site = 1  # hot leads\nresult = fax # typo here\n'#' = 1\n")
    r = run("check", "f.leadq", "--format", "json", cwd=tmp_path)
    assert _codes(r.stdout) == [("f.leadq", 2, 10, "E302"), ("f.leadq", 3, 1, "E102")]


def test_toml_findings_land_on_their_own_line(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "m.toml",
        '[sales]\nok = "site = 1"\nmulti = """\nsite = 2 and\n  reslt = missed"""\n'
        'lit = \'type = chta\'\nesc = "text contains \\"caf\\u00e9 a\\" and siet = 1"\n'
        "ml = '''\nresult = fax'''\n",
    )
    r = run("check", "m.toml", "--format", "json", cwd=tmp_path)
    assert _codes(r.stdout) == [
        ("m.toml", 5, 3, "E201"),
        ("m.toml", 6, 15, "E302"),
        ("m.toml", 7, 22, "W601"),
        ("m.toml", 7, 42, "E201"),
        ("m.toml", 9, 10, "E302"),
    ]
    gh = run("check", "m.toml", "--format", "github", cwd=tmp_path).stdout
    assert "file=m.toml,line=5,col=3" in gh


def test_json_and_toml_nest_alike_and_name_bad_values(tmp_path: Path) -> None:
    _write(tmp_path, "n.json", '{"sales": {"hot": "site = 1", "deep": {"x": "siet = 2"}}}')
    _write(tmp_path, "n.toml", '[sales]\nhot = "site = 1"\n[sales.deep]\nx = "siet = 2"\n')
    names = {p: [(i.name, i.text) for i in read_items(p, (tmp_path / p).read_text())] for p in ("n.json", "n.toml")}
    assert names["n.json"] == names["n.toml"] == [("sales.hot", "site = 1"), ("sales.deep.x", "siet = 2")]
    _write(tmp_path, "bad.json", '{"sales": {"hot": 5}}')
    r = run("check", "bad.json", cwd=tmp_path)
    assert r.returncode == 2 and "bad.json:1:19: E902 `sales.hot` is a number, not a filter expression" in r.stdout
    _write(tmp_path, "bad.toml", '[sales]\nhot = 5\n')
    for path in ("bad.json", "bad.toml"):  # the JSON report names the value as it names a filter
        r = run("check", path, "--format", "json", cwd=tmp_path)
        assert [(row["code"], row["name"]) for row in json.loads(r.stdout)] == [("E902", "sales.hot")]


@pytest.mark.parametrize("content", ["", "# only a comment\n\n"])
def test_an_empty_file_has_no_filters(tmp_path: Path, content: str) -> None:
    _write(tmp_path, "e.leadq", content)
    r = run("check", "e.leadq", cwd=tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "Found 0 filters\n")
    r = run("check", "-", stdin="", cwd=tmp_path)
    assert (r.returncode, r.stderr) == (0, "Found 0 filters\n")


def test_csv_as_a_crm_exports_it(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "crm.csv",
        'name;Filter;owner\nhot;"site = 1 and result = ""fax""";ann\ncold;reslt = 1;bob\n'
        'multi;"site = 1 and\n  siet = 2";cy\n',
    )
    r = run("check", "crm.csv", "--format", "json", cwd=tmp_path)
    rows = json.loads(r.stdout)
    assert [(x["line"], x["column"], x["code"], x["name"]) for x in rows] == [
        (2, 28, "E302", "hot"),
        (3, 6, "E201", "cold"),
        (5, 3, "E201", "multi"),
    ]
    _write(tmp_path, "other.csv", "q,expr\n1,site = 1\n")
    r = run("check", "other.csv", cwd=tmp_path)
    assert r.returncode == 2 and "other.csv:1:1: E902 no `filter` column; the columns are: q, expr" in r.stdout
    r = run("check", "other.csv", "--column", "expr", cwd=tmp_path)
    assert r.returncode == 0, r.stderr


def test_duplicates_across_files_name_both_places(tmp_path: Path) -> None:
    _write(tmp_path, "a.leadq", "site in (2,1) and result=missed\n")
    _write(tmp_path, "b.json", '{"again": "result = missed and site in (1, 2)"}')
    r = run("check", "a.leadq", "b.json", cwd=tmp_path)
    assert "b.json:1:12: W608 this filter means the same as a.leadq:1" in r.stdout
    _write(tmp_path, "c.json", '{"first": "site = 1", "second": "site_id = 1"}')
    r = run("check", "c.json", "--select", "W608", cwd=tmp_path)
    assert "W608 this filter means the same as `first` (c.json:1)" in r.stdout
    # by meaning, not by the plan's shape or the order of `fields`
    _write(tmp_path, "d.leadq", "type = form or result = missed\ntype = form or (result = missed and type != form)\n")
    _write(tmp_path, "e.leadq", "site = 1 fields id, name\nsite = 1 fields name, id\n")
    r = run("check", "d.leadq", "e.leadq", "--select", "W608", cwd=tmp_path)
    assert "d.leadq:2:1: W608 this filter means the same as d.leadq:1" in r.stdout
    assert "e.leadq:2:1: W608 this filter means the same as e.leadq:1" in r.stdout


def test_select_and_ignore_by_code_or_prefix() -> None:
    assert selected("W605", (), ())
    assert not selected("W605", (), ("W6",))
    assert selected("W605", ("W605",), ("W6",))
    assert not selected("W601", ("W605",), ("W6",))
    assert not selected("W605", ("W6",), ("W605",))
    assert not selected("E201", ("W",), ())


def test_statistics_quiet_and_output_file(tmp_path: Path) -> None:
    _write(tmp_path, "f.leadq", "result = fax\ntype = x\nsite in (1, 1)\n")
    r = run("check", "f.leadq", "--statistics", cwd=tmp_path)
    assert r.stdout.split("\n")[:2] == ["     2  E302  not an allowed value", "     1  W604  duplicate value in a list"]
    r = run("check", "f.leadq", "--ignore", "E", cwd=tmp_path)
    assert (r.returncode, r.stdout.splitlines()[-2:]) == (
        0,
        ["Found 1 warning in 3 filters.", "[*] 1 fixable with the `--fix` option."],
    )
    r = run("check", "f.leadq", "--quiet", "--output-file", "out.txt", cwd=tmp_path)
    written = (tmp_path / "out.txt").read_text()
    assert r.returncode == 1 and r.stdout == "" and "E302" in written and "Found" not in written
    assert "W604 [*]" in written and "fixable" not in written


def test_colour_only_when_asked_or_on_a_terminal(tmp_path: Path) -> None:
    _write(tmp_path, "f.leadq", "result = fax\n")
    plain = run("check", "f.leadq", cwd=tmp_path).stdout
    assert "\x1b[" not in plain
    env = {**os.environ, "FORCE_COLOR": "1"}
    import subprocess

    from test_cli import leadq_cmd

    forced = subprocess.run([*leadq_cmd(), "check", "f.leadq"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert "\x1b[1;31mE302\x1b[0m" in forced.stdout
    env["NO_COLOR"] = "1"
    off = subprocess.run([*leadq_cmd(), "check", "f.leadq"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert off.stdout == plain


def test_configuration_is_found_walking_up_and_flags_override(tmp_path: Path) -> None:
    _write(
        tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.leadq]\nignore = ["E302"]\nfail-on = "warning"\n'
    )
    sub = _write(tmp_path, "deep/er/f.leadq", "result = fax\nsite in (1, 1)\n").parent
    r = run("check", "f.leadq", cwd=sub)
    assert (r.returncode, [line for line in r.stdout.splitlines() if ": W604" in line or ": E302" in line]) == (
        1,
        ["f.leadq:2:13: W604 [*] `1` is listed twice"],
    )
    r = run("check", "f.leadq", "--fail-on", "error", cwd=sub)
    assert r.returncode == 0
    r = run("check", "f.leadq", "--isolated", cwd=sub)
    assert "E302" in r.stdout
    _write(sub, "leadq.toml", 'select = ["E"]\n')  # nearer, and leadq.toml: it wins
    r = run("check", "f.leadq", cwd=sub)
    assert "E302" in r.stdout and "W604" not in r.stdout
    other = _write(tmp_path, "elsewhere.toml", 'role = "operator"\noutput-format = "json"\n')
    r = run("check", "f.leadq", "--config", str(other), cwd=sub)
    assert json.loads(r.stdout)[0]["code"] == "E302"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('[tool.leadq]\nignroe = ["W6"]\n', "unknown key `ignroe`"),
        ('[tool.leadq]\nfail-on = "fatal"\n', "`fail-on` must be one of error, warning, info"),
        ('[tool.leadq]\nselect = "W6"\n', "`select` must be a list of codes"),
    ],
)
def test_a_bad_configuration_says_which_key(tmp_path: Path, config: str, message: str) -> None:
    _write(tmp_path, "pyproject.toml", config)
    _write(tmp_path, "f.leadq", "site = 1\n")
    r = run("check", "f.leadq", cwd=tmp_path)
    assert r.returncode == 2 and message in r.stderr


def test_per_file_ignores(tmp_path: Path) -> None:
    _write(tmp_path, "leadq.toml", '[per-file-ignores]\n"legacy/*" = ["W605"]\n')
    _write(tmp_path, "legacy/a.leadq", "created_at = lastweek\n")
    _write(tmp_path, "new/a.leadq", "created_at = today\n")
    r = run("check", "legacy/a.leadq", "new/a.leadq", cwd=tmp_path)
    assert "new/a.leadq:1:1: W605" in r.stdout and "legacy" not in r.stdout
    _write(tmp_path, "leadq.toml", '[per-file-ignores]\n"legacy/*" = ["W6"]\n')  # a prefix, as --ignore takes
    r = run("check", "legacy/a.leadq", "new/a.leadq", cwd=tmp_path)
    assert "new/a.leadq:1:1: W605" in r.stdout and "legacy" not in r.stdout


def test_an_ignore_comment_takes_codes_prefixes_or_every_code_and_names_a_typo(tmp_path: Path) -> None:
    lines = [
        "siet = 1  # leadq: ignore[E2O1]",  # a letter O: W610, and E201 stays
        "siet = 2  # leadq: ignore[E2]",  # a prefix
        "siet = 3  # leadq: ignore",  # every code
        "siet = 4  # leadq: ignore[w6, e201]",  # any case
    ]
    _write(tmp_path, "f.leadq", "\n".join(lines) + "\n")
    r = run("check", "f.leadq", "--format", "json", cwd=tmp_path)
    found = [(row["line"], row["code"], row["hint"]) for row in json.loads(r.stdout)]
    assert found == [(1, "E201", "did you mean `site`?"), (1, "W610", "did you mean `E201`?")]


def test_rule_prints_the_reference() -> None:
    r = run("rule", "e402")
    assert r.returncode == 0 and r.stdout.startswith("## E402 filter needs more than one request (error)")
    assert "| `type != chat` | `E402 0-12` |" in r.stdout
    every = run("rule", "--all").stdout
    assert all(f"## {code} " in every for code in leadq.CODES)
    assert run("rule", "E999").returncode == 2


def test_format_rewrites_in_place_and_keeps_the_rest(tmp_path: Path) -> None:
    _write(tmp_path, "f.leadq", "# saved\nsite in (1,2)  # hot\nbad (\n")
    _write(tmp_path, "m.toml", "[a]\nx = 'type=form'  # keep me\ny = \"site=1 AND result=missed\"\n")
    _write(tmp_path, "s.csv", 'name,filter\nhot,"site in (1,2)"\n')
    check = run("format", "--check", "f.leadq", "m.toml", "s.csv", cwd=tmp_path)
    assert check.returncode == 1 and check.stdout.count("would reformat") == 3
    diff = run("format", "--diff", "m.toml", cwd=tmp_path)
    assert "\n-x = 'type=form'  # keep me\n" in diff.stdout and "\n+x = 'type = form'  # keep me\n" in diff.stdout
    done = run("format", "f.leadq", "m.toml", "s.csv", cwd=tmp_path)
    assert done.returncode == 1  # the filter it could not parse is reported, and left as it is
    assert "f.leadq:3:5: E102" in done.stderr and "1 filter with syntax errors left as it is" in done.stderr
    assert (tmp_path / "f.leadq").read_text() == "# saved\nsite in (1, 2)  # hot\nbad (\n"
    assert (tmp_path / "m.toml").read_text() == (
        "[a]\nx = 'type = form'  # keep me\ny = \"site = 1 and result = missed\"\n"
    )
    assert (tmp_path / "s.csv").read_text() == 'name,filter\nhot,"site in (1, 2)"\n'
    assert run("format", "--check", "m.toml", "s.csv", cwd=tmp_path).returncode == 0


_LINE = trees.map(leadq.format).filter(lambda t: "\n" not in t and "#" not in t and t.strip())


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=4), st.sampled_from(["text", "json", "toml", "csv"]))
def test_format_is_idempotent(lines: list[str], kind: str) -> None:
    shabby = [line.replace(" ", "  ").replace("(", "( ") for line in lines]
    if kind == "text":
        path, content = "f.leadq", "".join(f"{s}  # note\n" for s in shabby)
    elif kind == "json":
        path, content = "f.json", json.dumps({f"k{i}": s for i, s in enumerate(shabby)}, ensure_ascii=False)
    elif kind == "toml":
        path, content = "f.toml", "".join(f"k{i} = {_toml_basic(s)}\n" for i, s in enumerate(shabby))
    else:
        path = "f.csv"
        content = "filter\n" + "".join('"' + s.replace('"', '""') + '"\n' for s in shabby)
    once = rewrite(content, list(read_items(path, content)))
    assert rewrite(once, list(read_items(path, once))) == once
    # and the filters still mean what they meant
    before = [i.text for i in read_items(path, content)]
    after = [i.text for i in read_items(path, once)]
    assert [leadq.parse(a) for a in after] == [leadq.parse(b) for b in before]


def test_output_format_is_a_flag_too(tmp_path: Path) -> None:
    _write(tmp_path, "f.leadq", "result = fax\n")
    r = run("check", "f.leadq", "--output-format", "json", cwd=tmp_path)
    assert json.loads(r.stdout)[0]["code"] == "E302"
    helped = run("check", "--help").stdout
    for flag in (
        "--select",
        "--ignore",
        "--statistics",
        "--quiet",
        "--output-file",
        "--column",
        "--config",
        "--isolated",
    ):
        assert flag in helped, flag


def test_a_closed_pipe_is_not_an_error() -> None:
    import subprocess

    from test_cli import leadq_cmd

    command = " ".join(leadq_cmd()) + " rule --all | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("## E101")
