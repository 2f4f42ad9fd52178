"""The `leadq` command line.

Each command runs at least once as the real console script in a subprocess
(`run_process`), and so does whatever only a process shows: the exit status of the
script, streams that are terminals, signals, worker processes. The other command-line
tests call the same `leadq.cli.main` in the test's process (`run`): a new process costs
about 0.15 s of CPU, and three hundred of them were a third of the suite's time.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest

ROOT = Path(__file__).parent.parent
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-2.1.0-rtm.5.json"


def leadq_cmd() -> list[str]:
    script = shutil.which("leadq", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "leadq"]


def once_started(
    process: subprocess.Popen[Any], *, reading: Path | None = None, children: bool = False, timeout: float = 60.0
) -> None:
    """Wait until `process` is past its start-up (a signal sooner would stop the imports,
    not the command): with worker processes at work (`children`), having read the whole of
    `reading`, or else waiting (asleep, its CPU time unchanged for 150 ms). Where there is
    no /proc to tell, 2.5 s."""
    proc = Path(f"/proc/{process.pid}")
    if not proc.is_dir():
        time.sleep(2.5)
        return
    deadline = time.monotonic() + timeout
    last, still = -1, 0
    while time.monotonic() < deadline and process.poll() is None:
        fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        state, cpu = fields[0], int(fields[11]) + int(fields[12])  # utime and stime, in ticks
        if children:
            if any((task / "children").read_text().split() for task in (proc / "task").iterdir()):
                time.sleep(0.3)  # the workers at work
                return
        elif reading is not None:
            io = dict(line.split(": ") for line in (proc / "io").read_text().splitlines())
            if int(io["rchar"]) >= reading.stat().st_size:
                time.sleep(0.2)
                return
        else:
            still = still + 1 if state == "S" and cpu == last else 0
            if still >= 3:
                return
        last = cpu
        time.sleep(0.05)
    raise AssertionError(f"the process did not start in {timeout} s (exit status {process.poll()})")


def run_process(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`leadq ARGS` as the console script, in a process of its own."""
    return subprocess.run([*leadq_cmd(), *args], input=stdin, capture_output=True, text=True, timeout=120, cwd=cwd)


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`leadq ARGS` through `leadq.cli.main` in this process, answered as `run_process`
    answers: the exit status, and standard output and error decoded from UTF-8 with
    universal newlines, as `subprocess.run(text=True)` reads them. Standard input is
    `stdin` (empty if None), and no stream is a terminal."""
    from leadq.cli import main

    streams, here = (sys.stdin, sys.stdout, sys.stderr), os.getcwd()
    out, err = io.BytesIO(), io.BytesIO()
    stdout = sys.stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    stderr = sys.stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    sys.stdin = io.TextIOWrapper(io.BytesIO((stdin or "").encode()), encoding="utf-8")
    try:
        if cwd is not None:
            os.chdir(cwd)
        try:
            status = main(list(args))
        except SystemExit as e:  # argparse: --help, --version, a usage error
            status = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
        stdout.flush()
        stderr.flush()
        written = out.getvalue(), err.getvalue()
    finally:
        os.chdir(here)
        sys.stdin, sys.stdout, sys.stderr = streams

    def text(data: bytes) -> str:
        return data.decode().replace("\r\n", "\n").replace("\r", "\n")

    return subprocess.CompletedProcess(["leadq", *args], status, text(written[0]), text(written[1]))


def test_readme_first_example() -> None:
    r = run_process("compile", "result=missed and site in (1,2)")
    assert (r.returncode, r.stdout, r.stderr) == (0, "site_ids=1,2 result=missed\n", "")


def test_python_dash_m() -> None:
    r = subprocess.run([sys.executable, "-m", "leadq", "compile", "site = 5"], capture_output=True, text=True)
    assert r.stdout == "site_ids=5\n"


def test_compile_error_shows_source_and_caret() -> None:
    r = run("compile", "siet = 1")
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.splitlines()[:3] == [
        "<filter>:1:1: E201 unknown field `siet` in Leads.list",
        "    siet = 1",
        "    ^^^^",
    ]


NASTY = 'text contains "a+b & c#d 100% Москва" order by created_at desc limit 20 fields id, site(id, url)'


def test_compile_params_and_url_survive_parse_qs() -> None:
    want = {
        "q": ["text=a+b & c#d 100% Москва"],
        "sort": ["created_at:d"],
        "limit": ["20"],
        "fields": ["id,site(id,url)"],
    }
    r = run("compile", "--format", "params", NASTY)
    assert r.returncode == 0, r.stderr
    assert parse_qs(r.stdout.strip(), keep_blank_values=True) == want
    r = run("compile", "--format", "url", NASTY)
    url = urlsplit(r.stdout.strip())
    assert (url.scheme, url.netloc, url.path, url.fragment) == ("https", "web-api.livetex.ru", "/leads/list", "")
    assert parse_qs(url.query, keep_blank_values=True) == want


def test_compile_json() -> None:
    r = run("compile", "--format", "json", 'text contains "a&b" limit 5')
    out = json.loads(r.stdout)
    assert out["q"] == "text=a&b"
    assert out["params"] == {"q": "text=a&b", "limit": "5"}
    assert parse_qs(urlsplit(out["url"]).query) == {"q": ["text=a&b"], "limit": ["5"]}


def test_routed_method_url_follows_the_attested_path_scheme() -> None:
    # api-http.md: method names map to /<resource>/<method> on https://web-api.livetex.ru
    r = run("compile", "--method", "Leads.listRouted", "--format", "url", "creator_type = visitor")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "https://web-api.livetex.ru/leads/listRouted?q=creator_type%3Dvisitor\n"
    assert run("compile", "--method", "leads.listrouted", "creator_type = visitor").stdout == "creator_type=visitor\n"


def _write(tmp_path: Path, name: str, content: str) -> Path:
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    return f


def test_check_text_file_reports_every_bad_line(tmp_path: Path) -> None:
    f = _write(tmp_path, "filters.txt", "# saved filters\nsite = 1\n\nresult = fax\n  siet = 2\n")
    r = run_process("check", str(f))
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        f"{f}:4:10: E302 `fax` is not a value of `result`; it takes missed, completed",
        "    result = fax",
        "             ^^^",
        f"{f}:5:3: E201 unknown field `siet` in Leads.list",
        "      siet = 2",
        "      ^^^^",
        "    hint: did you mean `site`?",
        "Found 2 errors in 3 filters.",
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).",
    ]


def test_check_json_file_places_findings_through_escapes(tmp_path: Path) -> None:
    content = (
        '{\n  "first": "site = 1",\n'
        '  "quoted": "text contains \\"\\u00e9\\" and type = fx",\n'
        '  "n\\"x": "result=missed"\n}\n'
    )
    f = _write(tmp_path, "filters.json", content)
    r = run("check", "--format", "json", str(f))
    assert r.returncode == 1
    (row,) = json.loads(r.stdout)
    line = content.splitlines()[2]
    assert (row["name"], row["line"], row["code"]) == ("quoted", 3, "E302")
    assert line[row["column"] - 1 : row["end_column"] - 1] == "fx"


def test_check_toml_file(tmp_path: Path) -> None:
    f = _write(tmp_path, "filters.toml", "[sales]\nhot = \"result = missed and phone_exists\"\ncold = 'type = fx'\n")
    r = run("check", "--format", "json", str(f))
    (row,) = json.loads(r.stdout)
    assert (row["name"], row["line"], row["column"], row["code"]) == ("sales.cold", 3, 16, "E302")


def test_check_stdin_clean() -> None:
    r = run("check", "-", stdin="site = 1\nresult = missed\n")
    assert (r.returncode, r.stdout) == (0, "")


def test_fail_on_and_suppression() -> None:
    stdin = "site in (1,2) and site in (1,2,3)\n"
    assert run("check", "-", stdin=stdin).returncode == 0
    r = run("check", "--fail-on", "warning", "-", stdin=stdin)
    assert r.returncode == 1 and "W602" in r.stdout
    quiet = "site in (1,2) and site in (1,2,3)  # leadq: ignore[W602]\n"
    r = run("check", "--fail-on", "warning", "-", stdin=quiet)
    assert (r.returncode, r.stdout) == (0, "")


def test_stored_filters_warn_about_relative_periods_and_roles() -> None:
    r = run("check", "--role", "operator", "--format", "json", "-", stdin='created_at = lastweek\ntext contains "x"\n')
    assert [(row["line"], row["code"]) for row in json.loads(r.stdout)] == [(1, "W605"), (2, "W606")]
    assert r.returncode == 0


def test_check_raw_q_strings() -> None:
    r = run("check", "--q", "--format", "json", "-", stdin="site_ids=1,2 result=missed\nsite_ids=1 reslt=x\nfoo=1\n")
    found = [(row["line"], row["column"], row["code"]) for row in json.loads(r.stdout)]
    assert found == [(2, 12, "E501"), (3, 1, "E501")]  # `reslt`, not the id before it
    r = run("check", "--q", "--format", "json", "-", stdin="result=done\n")
    assert [(row["column"], row["code"]) for row in json.loads(r.stdout)] == [(8, "E302")]


def test_sarif_validates_against_the_schema() -> None:
    r = run("check", "--format", "sarif", "-", stdin="result = fax\nsite in (1, 1)\nentry_page = a\n")
    log = json.loads(r.stdout)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    results = log["runs"][0]["results"]
    assert [(x["ruleId"], x["level"]) for x in results] == [("E302", "error"), ("W604", "warning"), ("I701", "note")]
    assert results[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 10, "endLine": 1, "endColumn": 13,
    }  # fmt: skip


def test_github_annotations() -> None:
    r = run("check", "--format", "github", "-", stdin="site = 1\nresult = fax\n")
    assert r.stdout.splitlines() == [
        "::error file=<stdin>,line=2,col=10,endColumn=13,title=leadq E302::"
        "`fax` is not a value of `result`; it takes missed, completed"
    ]


def test_check_missing_file_is_exit_2(tmp_path: Path) -> None:
    assert run_process("check", str(tmp_path / "nope.txt")).returncode == 2
    assert run_process("check", str(_write(tmp_path, "bad.json", "[1, 2]"))).returncode == 2


def test_check_many_filters_with_two_jobs(tmp_path: Path) -> None:
    lines = [f"site in ({i}, {i + 1}) and result = missed" for i in range(3_000)] + ["type = fax", "type != chat"]
    f = _write(tmp_path, "many.txt", "\n".join(lines) + "\n")
    r = run_process("check", "--jobs", "2", "--format", "json", str(f))
    rows = json.loads(r.stdout)
    assert [(row["line"], row["code"]) for row in rows] == [(3_001, "E302"), (3_002, "E402")]
    assert r.stderr == ""  # no progress bar when stderr is not a terminal
    # hints in the command line's words, from the workers as from this process
    said = "`leadq explain` lists the requests; `leadq fetch` runs them and merges their results by id"
    assert rows[1]["hint"] == said
    assert f"hint: {said}" in run("check", "-", stdin="type != chat\n").stdout


def test_a_filter_split_into_words_by_the_shell_gets_a_hint_to_quote_it() -> None:
    r = run_process("compile", "site=1", "and", "result=missed")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.endswith(
        "leadq: error: unrecognized arguments: and result=missed\n"
        "hint: a filter is one argument: put it in quotes, as in 'site = 1 and result = missed'\n"
    )
    r = run_process("compile", "site = 1", "--bogus")
    assert r.returncode == 2 and "hint" not in r.stderr  # an unknown flag is no filter


def test_jobs_take_a_whole_number_from_0() -> None:
    r = run("check", "--jobs", "-1", "-", stdin="site = 1\n")
    assert r.returncode == 2 and "argument --jobs/-j: takes a whole number from 0 up, not '-1'" in r.stderr
    r = run("check", "--jobs", "0", "-", stdin="site = 1\n")
    assert r.returncode == 0


def test_decompile() -> None:
    r = run_process("decompile", "site_ids=1,2 result=missed")
    assert (r.returncode, r.stdout) == (0, "site in (1, 2) and result = missed\n")
    r = run_process("decompile", "foo=1")
    assert r.returncode == 1 and "E501" in r.stderr


def test_explain() -> None:
    r = run_process("explain", "result = missed and site = 1 and result = completed")
    assert r.returncode == 1
    assert r.stdout.splitlines()[0] == "never matches: these conditions contradict each other:"
    r = run_process("explain", "site = 1")
    assert (r.returncode, r.stdout.splitlines()[-1]) == (0, "q: site_ids=1")


@pytest.mark.parametrize("command", ["compile", "check", "lint", "decompile", "explain"])
def test_help(command: str) -> None:
    r = run_process(command, "--help")
    assert r.returncode == 0 and r.stdout.startswith("usage: leadq")


@pytest.mark.long
def test_pre_commit_hook_runs_leadq(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout of leadq")
    consumer = tmp_path / "consumer"
    consumer.mkdir()
    _write(consumer, "saved.leadq", "site = 1\nresult = fax\n")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}  # fmt: skip
    subprocess.run(["git", "init", "-q"], cwd=consumer, check=True, env=env)
    subprocess.run(["git", "add", "saved.leadq"], cwd=consumer, check=True, env=env)
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "leadq-check", "--all-files"]
    r = subprocess.run(pre_commit, cwd=consumer, capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "saved.leadq:2:10: E302" in r.stdout


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    import pty

    f = _write(tmp_path, "many.txt", "\n".join(f"site = {i}" for i in range(1_000)) + "\n")
    primary, secondary = pty.openpty()
    done = subprocess.run(
        [*leadq_cmd(), "check", str(f)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=secondary, timeout=120
    )
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    assert done.returncode == 0
    assert b"1,000/1,000 filters" in shown and b"[####" in shown


def test_version() -> None:
    import leadq

    r = run_process("--version")
    assert (r.returncode, r.stdout.strip()) == (0, f"leadq {leadq.__version__}")


def test_compile_reads_stdin_and_binds_parameters() -> None:
    r = run(
        "compile", "-", "--param", "sites=[2, 1]", "--param", "since=2024-01-01", "--param", 'w="5"',
        stdin="site in :sites and created_at >= :since and text contains :w\n",
    )  # fmt: skip
    assert (r.returncode, r.stdout, r.stderr) == (0, "site_ids=1,2 created_at>=2024-01-01T00:00:00 text=5\n", "")
    r = run("compile", "site = :s", "--param", "s=abc")
    assert r.returncode == 1 and "<filter>:1:8: E311" in r.stderr
    r = run("compile", "site = :s", "--param", "nonsense")
    assert r.returncode == 2 and "NAME=VALUE" in r.stderr
    r = run("compile", "site in :sites", "--param", "sites=[1,2")  # a list meant, its bracket lost
    assert r.returncode == 2 and "--param sites: '[1,2' is not valid JSON (Expecting" in r.stderr
    assert run("compile", "text contains :w", "--param", 'w="[x"').stdout == "text=[x\n"


def test_compile_prints_warnings_and_fails_on_them_when_asked() -> None:
    r = run("compile", 'text contains "a b"')
    assert (r.returncode, r.stdout) == (0, "text=a b\n")
    assert "<filter>:1:15: W601" in r.stderr
    r = run("compile", "result in (missed, completed)", "--fail-on", "warning")
    assert (r.returncode, r.stdout) == (1, "\n") and "W603" in r.stderr
    r = run("compile", "", "--fail-on", "info")
    assert r.returncode == 1 and "I703" in r.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["compile", "site = 1", "--format", "json", "--param", "a=1"],
        ["check", "a.txt", "--jobs", "2", "--select", "E2"],
        ["lint", "-", "--q"],
        ["format", "a.txt", "--check"],
        ["lsp"],
        ["rule", "E402"],
        ["decompile", "site_ids=1", "--method", "leads.listrouted"],
        ["explain", "site = 1", "--fetch"],
        ["fetch", "site = 1", "--dry-run", "--max", "3"],
        ["fake-server", "--leads", "5"],
    ],
)
def test_a_run_builds_only_its_command_and_reads_it_alike(argv: list[str]) -> None:
    # the command line builds only the parser of the command it runs (start-up time);
    # that parser must read the arguments exactly as the whole one does
    from leadq.cli._main import _COMMANDS, _command, _parser

    (commands,) = (a for a in _parser()._actions if a.dest == "command")
    assert set(commands.choices or ()) == _COMMANDS  # every command can be built alone
    assert _command(argv) == argv[0]
    assert vars(_parser(argv[0]).parse_args(argv)) == vars(_parser().parse_args(argv))
    assert _command(["--help", *argv]) is None
    assert _command(["nonsense", *argv]) is None
