"""Real-world input to the `leadq` command, run as a subprocess: every file is read whatever
else fails, folders are walked as ruff walks them, `-` reads standard input everywhere,
encodings and line ends, the command line's own words, colour, Ctrl-C."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import leadq_cmd, once_started, run, run_process

ESC = "\x1b["


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return {**env, **extra}


# -- 3. every file is read, whatever else fails ---------------------------------------------------


def test_an_unreadable_file_is_a_finding_and_the_others_are_still_checked(tmp_path: Path) -> None:
    _write(tmp_path, "a.leadq", "siet = 1\n")
    _write(tmp_path, "bad.json", '{"hot": "site = 1",\n "x": }\n')
    _write(tmp_path, "n.json", '{"hot": "result = fax", "n": 5, "ok": "site = 2"}\n')
    _write(tmp_path, "z.leadq", "result = fax\n")
    r = run("check", "a.leadq", "bad.json", "missing.leadq", "n.json", "z.leadq", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stdout + r.stderr
    heads = [line for line in r.stdout.splitlines() if not line.startswith(" ")]
    assert heads == [
        "a.leadq:1:1: E201 unknown field `siet` in Leads.list",
        "bad.json:2:7: E902 not valid JSON: Expecting value",
        "missing.leadq:1:1: E902 no such file or folder",
        "n.json:1:30: E902 `n` is a number, not a filter expression",
        "n.json:1:19: E302 `fax` is not a value of `result`; it takes missed, completed",
        "z.leadq:1:10: E302 `fax` is not a value of `result`; it takes missed, completed",
        "Found 3 errors in 4 filters, and 3 problems reading the files.",
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).",
    ]
    rows = json.loads(run("check", "bad.json", "z.leadq", "--format", "json", cwd=tmp_path).stdout)
    assert [(row["path"], row["line"], row["column"], row["code"]) for row in rows] == [
        ("bad.json", 2, 7, "E902"),
        ("z.leadq", 1, 10, "E302"),
    ]
    # a file not read was not checked: --select and --ignore do not hide it
    r = run("check", "bad.json", "--ignore", "E9", cwd=tmp_path)
    assert r.returncode == 2 and "E902" in r.stdout


def test_toml_errors_are_placed(tmp_path: Path) -> None:
    _write(tmp_path, "a.leadq.toml", '[x]\nhot = "site = 1"\ncold = = 2\n')
    _write(tmp_path, "b.leadq.toml", 'hot = "site = 1"\nn = true\nok = "siet = 3"\n')
    r = run("check", "a.leadq.toml", "b.leadq.toml", cwd=tmp_path)
    assert r.returncode == 2
    assert "a.leadq.toml:3:8: E902 not valid TOML: Invalid value" in r.stdout
    assert "b.leadq.toml:2:5: E902 `n` is true, not a filter expression" in r.stdout
    assert "b.leadq.toml:3:7: E201" in r.stdout


def test_a_broken_configuration_is_an_error_that_names_it(tmp_path: Path) -> None:
    _write(tmp_path, "f.leadq", "siet = 1\n")
    _write(tmp_path, "pyproject.toml", "[tool.leadq\nselect = ['E2']\n")
    r = run("check", "f.leadq", cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("leadq: pyproject.toml is not valid TOML") and "line 1" in r.stderr
    assert run("check", "f.leadq", "--isolated", cwd=tmp_path).returncode == 1


def test_a_pyproject_that_cannot_hold_the_settings_is_passed_over_unread(tmp_path: Path) -> None:
    """A project's pyproject.toml that never names leadq is not read as TOML (start-up
    time), even when broken; one that may, through an escaped key, is read."""
    _write(tmp_path, "f.leadq", "siet = 1\n")
    _write(tmp_path, "pyproject.toml", "[project\nname = 'other'\n")
    r = run("check", "f.leadq", cwd=tmp_path)
    assert r.returncode == 1 and "E201" in r.stdout and "TOML" not in r.stderr
    _write(tmp_path, "pyproject.toml", '[tool."le\\u0061dq"]\nignore = ["E2"]\n')
    assert run("check", "f.leadq", cwd=tmp_path).returncode == 0
    _write(tmp_path, "pyproject.toml", '[tool."le\\u0061dq"\nignore = ["E2"]\n')
    assert "is not valid TOML" in run("check", "f.leadq", cwd=tmp_path).stderr


@pytest.mark.parametrize("columns", ["50", "120", "0", "wide"])
def test_help_is_as_wide_as_argparse_makes_it(columns: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's own help formatter (which does not load shutil) wraps as argparse's."""
    monkeypatch.setenv("COLUMNS", columns)
    ours = run("check", "--help").stdout
    monkeypatch.setattr("leadq.cli._main._Help", argparse.HelpFormatter)
    assert run("check", "--help").stdout == ours
    if columns == "50":
        monkeypatch.setenv("COLUMNS", "120")
        assert len(run("check", "--help").stdout.splitlines()) < len(ours.splitlines())


@pytest.mark.parametrize(
    ("argv", "config", "said"),
    [
        (["--select", "Z"], None, "`Z` is no code and no prefix of one: codes start with E, W or I"),
        (["--select", "E2,W69"], None, "`W69` is no code and no prefix of one; did you mean `W60`?"),
        (["--ignore", "E2011"], None, "did you mean `E201`?"),
        ([], 'select = ["X1"]', "`select`: `X1` is no code and no prefix of one; did you mean `E1`?"),
        ([], '[tool.leadq.per-file-ignores]\n"*.leadq" = ["W6O8"]', "did you mean `W608`?"),
    ],
)
def test_a_selector_that_selects_nothing_is_an_error(
    tmp_path: Path, argv: list[str], config: str | None, said: str
) -> None:
    _write(tmp_path, "f.leadq", "siet = 1\n")
    if config is not None:
        table = config if config.startswith("[") else f"[tool.leadq]\n{config}"
        _write(tmp_path, "pyproject.toml", table + "\n")
    r = run("check", "f.leadq", *argv, cwd=tmp_path)
    assert r.returncode == 2 and said in r.stderr and "Traceback" not in r.stderr


def test_output_file_problems_exit_2_without_a_traceback(tmp_path: Path) -> None:
    _write(tmp_path, "f.leadq", "siet = 1\n")
    r = run("check", "f.leadq", "-o", str(tmp_path / "missing" / "dir" / "out"), cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith("leadq: cannot write ") and "Traceback" not in r.stderr
    r = run("check", "f.leadq", "-o", str(tmp_path), cwd=tmp_path)  # a folder
    assert r.returncode == 2 and "Traceback" not in r.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "no/such/file.leadq"],
        ["format", "no/such/file.leadq"],
        ["check", "--encoding", "nonsense", "x"],
        ["check", "--column", "x", "-"],
        ["decompile", "-"],
        ["explain", "-"],
        ["compile", "-"],
    ],
)
def test_no_input_or_environment_problem_ends_in_a_traceback(tmp_path: Path, argv: list[str]) -> None:
    r = run(*argv, stdin="", cwd=tmp_path)
    assert "Traceback" not in r.stderr and r.returncode in (0, 1, 2)


def test_undecodable_standard_input_is_said_in_words(tmp_path: Path) -> None:
    done = subprocess.run([*leadq_cmd(), "compile", "-"], input=b"site = \xff\n", capture_output=True, timeout=60)
    assert done.returncode == 2 and b"Traceback" not in done.stderr and b"not UTF-8" in done.stderr


# -- 4. like ruff --------------------------------------------------------------------------------


def test_check_without_a_path_walks_the_current_folder(tmp_path: Path) -> None:
    _write(tmp_path, "a.leadq", "siet = 1\n")
    _write(tmp_path, "sub/b.leadq.json", '{"x": "result = fax"}\n')
    _write(tmp_path, "sub/deeper/c.leadq.txt", "site = 1\n")
    _write(tmp_path, "pyproject.toml", "[project]\nname = 'x'\n")  # no [tool.leadq]: no settings, not a filter file
    _write(tmp_path, "package.json", '{"name": 5}\n')  # not a file of saved filters
    _write(tmp_path, "node_modules/x/d.leadq", "siet = 9\n")  # excluded by default
    r = run("check", cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    heads = [line for line in r.stdout.splitlines() if not line.startswith(" ")]
    assert heads == [
        "a.leadq:1:1: E201 unknown field `siet` in Leads.list",
        "sub/b.leadq.json:1:17: E302 `fax` is not a value of `result`; it takes missed, completed",
        "Found 2 errors in 3 filters.",
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).",
    ]
    r = run("check", "sub", cwd=tmp_path)
    assert r.stdout.splitlines()[0].startswith("sub/b.leadq.json:1:17: E302")
    assert run("check", "sub/deeper", cwd=tmp_path).returncode == 0


def test_include_and_exclude_settings(tmp_path: Path) -> None:
    _write(tmp_path, "filters/a.txt", "siet = 1\n")
    _write(tmp_path, "filters/b.leadq", "siet = 2\n")
    _write(tmp_path, "filters/legacy/c.leadq", "siet = 3\n")
    _write(tmp_path, "leadq.toml", 'extend-include = ["filters/*.txt"]\nextend-exclude = ["legacy"]\n')
    r = run("check", cwd=tmp_path)
    assert {line.split(":")[0] for line in r.stdout.splitlines() if "E201" in line} == {
        "filters/a.txt",
        "filters/b.leadq",
    }
    r = run("check", "filters/legacy/c.leadq", cwd=tmp_path)  # a file named on the command line is read
    assert "E201" in r.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_walk_respects_gitignore(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    _write(tmp_path, ".gitignore", "generated/\n*.tmp.leadq\n")
    _write(tmp_path, "a.leadq", "siet = 1\n")
    _write(tmp_path, "b.tmp.leadq", "siet = 2\n")
    _write(tmp_path, "generated/c.leadq", "siet = 3\n")
    r = run("check", cwd=tmp_path)
    assert [line.split(":")[0] for line in r.stdout.splitlines() if "E201" in line] == ["a.leadq"]
    _write(tmp_path, "leadq.toml", "respect-gitignore = false\n")
    r = run("check", cwd=tmp_path)
    assert len([line for line in r.stdout.splitlines() if "E201" in line]) == 3


def test_dash_reads_standard_input_for_every_command(tmp_path: Path) -> None:
    assert run("compile", "-", stdin="site in (1,2)\n").stdout == "site_ids=1,2\n"
    assert run("explain", "-", stdin="site = 1\n").stdout.splitlines()[-1] == "q: site_ids=1"
    assert run("decompile", "-", stdin="site_ids=1,2\n").stdout == "site in (1, 2)\n"
    assert run("format", "-", stdin="site in (1,2) # hot\n").stdout == "site in (1, 2) # hot\n"
    r = run("check", "-", stdin="siet = 1\n")
    assert r.stdout.startswith("<stdin>:1:1: E201")
    r = run("format", "-", "--stdin-filename", "x.json", stdin='{"a": "site in (1,2)"}\n')
    assert r.stdout == '{"a": "site in (1, 2)"}\n'
    r = run("check", "-", "--stdin-filename", "x.json", stdin='{"a": "siet = 1"}\n')
    assert r.stdout.startswith("x.json:1:8: E201")


@pytest.mark.parametrize(
    ("pasted", "filter_text"),
    [
        ("site_ids=1,2 result=missed", "site in (1, 2) and result = missed"),
        ("q=site_ids=1,2 result=missed", "site in (1, 2) and result = missed"),
        ("q=site_ids%3D1%2C2%20result%3Dmissed&limit=20", "site in (1, 2) and result = missed limit 20"),
        (
            "https://web-api.livetex.ru/leads/list?q=result%3Dmissed&sort=created_at%3Ad&limit=20",
            "result = missed order by created_at desc limit 20",
        ),
        ("POST /leads/list HTTP/1.1\nHost: web-api.livetex.ru\n\nq=type%3Dform&offset=5", "type = form offset 5"),
        ("GET /leads/list?q=type%3Dchat HTTP/1.1", "type = chat"),
        ("curl -X POST https://web-api.livetex.ru/leads/list -d 'q=site_ids=3' -d limit=10", "site = 3 limit 10"),
        ("curl https://web-api.livetex.ru/leads/list -d 'q=result%3Dmissed&limit=5'", "result = missed limit 5"),
        ("curl https://web-api.livetex.ru/leads/list --data 'limit=5&q=result=missed'", "result = missed limit 5"),
        ("curl https://web-api.livetex.ru/leads/list --data-urlencode 'q=type=form site_ids=1' -d offset=2",
         "type = form and site = 1 offset 2"),
        ('{"q": "result=completed", "limit": 5, "fields": "id,site(id,url)"}',
         "result = completed limit 5 fields id, site(id, url)"),
    ],
)  # fmt: skip
def test_decompile_reads_a_q_a_pair_a_url_or_a_request(pasted: str, filter_text: str) -> None:
    r = run("decompile", "-", stdin=pasted + "\n")
    assert (r.returncode, r.stdout, r.stderr) == (0, filter_text + "\n", "")


def test_decompile_reads_a_request_given_as_an_argument() -> None:
    url = "https://web-api.livetex.ru/leads/list?q=result%3Dmissed&limit=20"
    assert run("decompile", url).stdout == "result = missed limit 20\n"


def test_decompile_reads_what_compile_writes() -> None:
    text = "result = missed and site in (1, 2) order by created_at desc limit 20 offset 40 fields id, site(id, url)"
    for fmt in ("url", "params"):
        written = run("compile", "--format", fmt, text).stdout.strip()
        shown = written if fmt == "url" else f"q={written.removeprefix('q=')}"
        assert run("decompile", shown).stdout.strip() == "site in (1, 2) and result = missed" + text[34:]


def test_format_reports_what_it_cannot_parse(tmp_path: Path) -> None:
    _write(tmp_path, "f.leadq", "site in (1,2)\nresult = missed && site = 1\n")
    r = run("format", "f.leadq", cwd=tmp_path)
    assert r.returncode == 1
    assert "f.leadq:2:17: E101 [*] `&&` is not an operator in leadq, which writes `and`" in r.stderr
    assert r.stderr.splitlines()[-1] == "1 file reformatted; 1 filter with syntax errors left as it is"
    assert (tmp_path / "f.leadq").read_text() == "site in (1, 2)\nresult = missed && site = 1\n"
    r = run("format", "--check", "f.leadq", cwd=tmp_path)
    assert r.returncode == 1 and "cannot be formatted" in r.stderr


def test_format_walks_folders_and_reads_nothing_it_should_not(tmp_path: Path) -> None:
    _write(tmp_path, "a.leadq", "site in (1,2)\n")
    _write(tmp_path, "notes.txt", "site in (1,2)\n")
    r = run("format", cwd=tmp_path)
    assert r.returncode == 0 and (tmp_path / "a.leadq").read_text() == "site in (1, 2)\n"
    assert (tmp_path / "notes.txt").read_text() == "site in (1,2)\n"


def test_short_version_flag() -> None:
    import leadq

    assert run("-V").stdout.strip() == f"leadq {leadq.__version__}"


@pytest.mark.long
def test_ctrl_c_stops_quietly_with_status_130(tmp_path: Path) -> None:
    many = _write(tmp_path, "many.leadq", "\n".join(f'site = {i} and text contains "w{i}"' for i in range(100_000)))
    for jobs in ("1", "2"):
        process = subprocess.Popen(
            [*leadq_cmd(), "check", str(many), "--jobs", jobs], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        # checking: the file read (one process) or the workers started (two)
        once_started(process, reading=many if jobs == "1" else None, children=jobs == "2")
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        assert (process.returncode, err) == (130, b"leadq: interrupted\n")  # one line, no traceback


# -- 5. encodings and line ends --------------------------------------------------------------------


def test_a_byte_order_mark_is_read_and_kept(tmp_path: Path) -> None:
    _write(tmp_path, "f.leadq", "\ufeffsite in (1,2)\nsiet = 1\n".encode())
    r = run("check", "f.leadq", cwd=tmp_path)
    assert r.stdout.splitlines()[0] == "f.leadq:2:1: E201 unknown field `siet` in Leads.list"
    assert "U+FEFF" not in r.stdout
    run("format", "f.leadq", cwd=tmp_path)
    assert (tmp_path / "f.leadq").read_bytes() == "\ufeffsite in (1, 2)\nsiet = 1\n".encode()


def test_crlf_lines_are_read_and_echoed_cleanly(tmp_path: Path) -> None:
    _write(tmp_path, "f.leadq", b"site = 1\r\nresult = fax\r\n")
    _write(tmp_path, "f.leadq.json", b'{\r\n  "a": "result = fax"\r\n}\r\n')
    r = run("check", "f.leadq", "f.leadq.json", cwd=tmp_path)
    assert "\ufffd" not in r.stdout and "\r" not in r.stdout
    assert "    result = fax\n             ^^^\n" in r.stdout
    assert '      "a": "result = fax"\n                     ^^^\n' in r.stdout
    _write(tmp_path, "g.leadq", b"site in (1,2)\r\n")
    run_process("format", "g.leadq", cwd=tmp_path)  # the console script, once per command
    assert (tmp_path / "g.leadq").read_bytes() == b"site in (1, 2)\r\n"


def test_a_file_that_is_not_utf8_names_the_problem_and_the_encoding(tmp_path: Path) -> None:
    content = 'text contains "доставка" and siet = 1\n'
    _write(tmp_path, "ru.leadq", content.encode("cp1251"))
    r = run("check", "ru.leadq", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stdout.splitlines()[:2] == [
        "ru.leadq:1:16: E902 the file is not UTF-8: the byte 0xe4 at line 1, column 16 is not UTF-8 text",
        "    hint: it reads as Cyrillic text in cp1251: add `--encoding cp1251`",
    ]
    r = run("check", "ru.leadq", "--encoding", "cp1251", cwd=tmp_path)
    assert r.returncode == 1 and r.stdout.startswith("ru.leadq:1:30: E201 unknown field `siet`")
    _write(tmp_path, "leadq.toml", 'encoding = "cp1251"\n')
    r = run("check", "ru.leadq", cwd=tmp_path)
    assert r.stdout.startswith("ru.leadq:1:30: E201")
    _write(tmp_path, "f.leadq", "site in (1,2) and text contains 'ёж'\n".encode("cp1251"))
    run("format", "f.leadq", cwd=tmp_path)  # written back in the file's own encoding
    assert (tmp_path / "f.leadq").read_bytes() == 'site in (1, 2) and text contains "ёж"\n'.encode("cp1251")


def test_the_encoding_hint_is_one_the_command_can_follow(tmp_path: Path) -> None:
    # compile reads one filter from standard input, as UTF-8: it takes no --encoding
    r = subprocess.run(
        [*leadq_cmd(), "compile", "-"],
        input='text contains "доставка"'.encode("cp1251"),
        capture_output=True,
        timeout=60,
    )
    assert r.returncode == 2
    hint = "(it reads as Cyrillic text in cp1251: convert it to UTF-8 first: `iconv -f cp1251 -t utf-8`)\n"
    assert r.stderr.decode().endswith(hint)
    _write(tmp_path, "u16.leadq", "\ufeffsite = 1\n".encode("utf-16-le"))  # with its byte-order mark
    assert "hint: it looks like UTF-16: add `--encoding utf-16`" in run("check", "u16.leadq", cwd=tmp_path).stdout
    _write(tmp_path, "program.leadq", bytes([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0xFF, 0, 0, 0xE4] * 8))
    r = run("check", "program.leadq", cwd=tmp_path)
    assert "hint: it holds zero bytes, as a program or an image does, not text" in r.stdout and "UTF-16" not in r.stdout


@pytest.mark.parametrize(
    ("line", "caret_column"),
    [
        ('text contains "😀" and siet = 1', 27),  # an emoji takes two columns
        ('text contains "東京" and siet = 1', 29),  # so does each CJK character
        ('text contains "e\u0301" and siet = 1', 26),  # a combining accent none
        ('text contains "👨\u200d👩\u200d👧" and siet = 1', 27),  # a joined emoji is one
    ],
)
def test_carets_stay_under_the_span_after_wide_characters(tmp_path: Path, line: str, caret_column: int) -> None:
    _write(tmp_path, "f.leadq", line + "\n")
    shown = run("check", "f.leadq", cwd=tmp_path).stdout.splitlines()
    caret = next(s for s in shown if s.strip().startswith("^"))
    assert caret.index("^") == caret_column and caret.strip() == "^^^^"


# -- 6. the command speaks command-line ------------------------------------------------------------


def test_hints_on_the_command_line_name_flags() -> None:
    r = run("compile", "site = :s and created_at > :since", "--param", "s=abc")
    assert "hint: write a value such as `--param s=5`" in r.stderr
    assert "hint: add `--param since=VALUE`" in r.stderr
    assert "datetime" not in r.stderr and "pass it in the parameters" not in r.stderr
    r = run("compile", "site = 1", "--param", "x=1")
    assert "`--param x` is not used by the filter" in r.stderr
    import leadq

    (d,) = leadq.check("site = :s", {"s": "abc"})  # the library keeps Python's words
    assert d.hint == "pass an int"


def test_compile_json_is_always_json() -> None:
    r = run("compile", "--format", "json", "siet = 1")
    out = json.loads(r.stdout)
    assert r.returncode == 1 and r.stderr == ""
    assert (out["q"], out["ok"], out["url"]) == (None, False, None)
    assert [(d["code"], d["start"], d["end"], d["hint"]) for d in out["diagnostics"]] == [
        ("E201", 0, 4, "did you mean `site`?")
    ]
    out = json.loads(run("compile", "--format", "json", 'text contains "a b"').stdout)
    assert out["q"] == "text=a b" and [d["code"] for d in out["diagnostics"]] == ["W601"]


@pytest.mark.parametrize(
    ("argv", "stream"),
    [
        (["compile", "siet = 1"], "stderr"),
        (["explain", "type != chat"], "stdout"),
        (["decompile", "site_ids=x"], "stderr"),
        (["check", "f.leadq"], "stdout"),
        (["format", "g.leadq"], "stderr"),
    ],
)
def test_colour_follows_the_same_rules_in_every_command(tmp_path: Path, argv: list[str], stream: str) -> None:
    _write(tmp_path, "f.leadq", "siet = 1\n")
    _write(tmp_path, "g.leadq", "siet = (\n")
    command = [*leadq_cmd(), *argv]

    def output(**env: str) -> str:
        done = subprocess.run(command, capture_output=True, text=True, env=_env(**env), cwd=tmp_path, timeout=60)
        return str(getattr(done, stream))

    assert ESC not in output()  # not a terminal
    assert f"{ESC}1;31mE" in output(FORCE_COLOR="1")
    assert ESC not in output(FORCE_COLOR="1", NO_COLOR="1")  # NO_COLOR wins


def test_colour_on_a_terminal(tmp_path: Path) -> None:
    import pty

    primary, secondary = pty.openpty()
    done = subprocess.run(
        [*leadq_cmd(), "compile", "siet = 1"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=secondary,
        env=_env(), timeout=60,
    )  # fmt: skip
    os.close(secondary)
    shown = os.read(primary, 65536)
    os.close(primary)
    assert done.returncode == 1 and ESC.encode() in shown


def test_run_as_a_module_too() -> None:
    done = subprocess.run([sys.executable, "-m", "leadq", "decompile", "site_ids=1"], capture_output=True, text=True)
    assert done.stdout == "site = 1\n"
