"""`leadq fetch` and `leadq fake-server`, run as real subprocesses over real HTTP.

Each feature is tried at least once through the console script in a subprocess; its
variants (other flags, sources of a setting) run the same `main()` in this process, which
is many times quicker.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from test_cli import leadq_cmd, once_started, run

import leadq
from leadq.testing import FakeLiveTex, generate_leads

DATA = generate_leads(120, seed=4)
#: SIGINT sent to a process, and pseudo-terminals: POSIX only.
posix = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT and pseudo-terminals are POSIX")
ENV = {"LIVETEX_TOKEN": "test-token"}


def _env(env: dict[str, str] | None) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LIVETEX_")}
    return {**clean, **(env if env is not None else ENV)}


def fetch(
    api: FakeLiveTex, *args: str, env: dict[str, str] | None = None, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*leadq_cmd(), "fetch", "--base-url", api.url, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(env),
        cwd=cwd,
    )


class Inline:
    """`leadq fetch ...` through `leadq.cli.main` in this process: (status, stdout, stderr)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def __call__(
        self, api: FakeLiveTex, *args: str, env: dict[str, str] | None = None, stdin: str = "", cwd: Path | None = None
    ) -> tuple[int, str, str]:
        for name in [k for k in os.environ if k.startswith("LIVETEX_")]:
            self.monkeypatch.delenv(name)
        for name, value in (env if env is not None else ENV).items():
            self.monkeypatch.setenv(name, value)
        r = run("fetch", "--base-url", api.url, *args, stdin=stdin, cwd=cwd)
        return r.returncode, r.stdout, r.stderr


@pytest.fixture
def inline(monkeypatch: pytest.MonkeyPatch) -> Inline:
    return Inline(monkeypatch)


@pytest.fixture
def api() -> Iterator[FakeLiveTex]:
    with FakeLiveTex(DATA, lifetime=120) as server:
        yield server


def want(text: str) -> list[int]:
    return [lead["id"] for lead in DATA if leadq.evaluate(text, lead, now=datetime.now())]


def test_fetch_prints_jsonl_of_exactly_the_filter(api: FakeLiveTex) -> None:
    text = 'result = missed and city = "Moscow" and text contains "e"'
    r = fetch(api, text, "--fields", "id,city")
    assert r.returncode == 0, r.stderr
    leads = [json.loads(line) for line in r.stdout.splitlines()]
    assert [lead["id"] for lead in leads] == want(text)
    assert all(set(lead) == {"id", "city"} for lead in leads)
    assert r.stderr == ""  # no terminal: no progress line, and one request: no note


def test_csv_json_and_max(api: FakeLiveTex, inline: Inline) -> None:
    r = fetch(api, "site != 3", "--format", "csv", "--fields", "id,site(url)", "--max", "4")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [int(row["id"]) for row in rows] == want("site != 3")[:4]
    assert all(json.loads(row["site"]).keys() == {"url"} for row in rows)
    _, out, _ = inline(api, "duration > 60", "--format", "json", "--order", "duration desc")
    got = json.loads(out)
    assert [lead["duration"] for lead in got] == sorted((lead["duration"] for lead in got), reverse=True)
    assert {lead["id"] for lead in got} == set(want("duration > 60"))


# -- credentials ------------------------------------------------------------------------------


def test_the_token_from_a_file_stdin_the_environment_or_the_configuration(
    api: FakeLiveTex, inline: Inline, tmp_path: Path
) -> None:
    r = fetch(api, "site = 2", "--fields", "id", "--token-file", "-", env={}, stdin="test-token\n")
    assert (r.returncode, r.stderr) == (0, "")
    assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == want("site = 2")
    secret = tmp_path / "token"
    secret.write_text("test-token\n")
    for args, env in (
        (["--token-file", str(secret)], {}),
        ([], {"LIVETEX_TOKEN_FILE": str(secret)}),
        ([], {"LIVETEX_TOKEN": "test-token"}),
        (["--token-file", str(secret)], {"LIVETEX_TOKEN": "wrong"}),  # the flag before the environment
    ):
        code, out, err = inline(api, "site = 2", "--fields", "id", *args, env=env)
        assert (code, err) == (0, ""), (args, env)
        assert [json.loads(x)["id"] for x in out.splitlines()] == want("site = 2")
    (tmp_path / "leadq.toml").write_text('token-file = "token"\n')  # relative to the file's folder
    assert inline(api, "site = 2", "--fields", "id", env={}, cwd=tmp_path)[::2] == (0, "")
    code, _, err = inline(api, "site = 2", "--token-file", str(tmp_path / "missing"), env={})
    assert code == 2 and "cannot read the token from --token-file" in err
    code, _, err = inline(api, "-", "--token-file", "-", env={})
    assert (code, err) == (2, "leadq: the filter and a secret cannot both come from standard input (-)\n")


def test_a_token_on_the_command_line_works_with_a_warning(api: FakeLiveTex) -> None:
    r = fetch(api, "site = 2", "--token", "test-token", env={})
    assert r.returncode == 0
    assert r.stderr.startswith("leadq: warning: --token is visible to other users of this machine (`ps`)")


def test_the_password_grant_and_http_basic_from_the_shell(inline: Inline, tmp_path: Path) -> None:
    with FakeLiveTex(DATA, users={("me@example.com", "secret"): "admin"}, lifetime=60) as api:
        password = tmp_path / "password"
        password.write_text("secret\n")
        r = fetch(api, "site = 1", "--username", "me@example.com", "--password-file", str(password), env={})
        assert (r.returncode, r.stderr) == (0, "")
        assert [r.path for r in api.requests][:2] == ["/oauth2/token", "/leads/list"]
        api.requests.clear()
        env = {"LIVETEX_USERNAME": "me@example.com", "LIVETEX_PASSWORD": "secret"}
        code, out, err = inline(api, "site = 1", "--auth", "basic", env=env)
        assert (code, err) == (0, "")
        assert {r.path for r in api.requests} == {"/leads/list"}
        assert len(out.splitlines()) == len(want("site = 1"))
        code, _, err = inline(api, "site = 1", "--username", "me@example.com", env={})
        assert code == 2 and "password of 'me@example.com' is missing" in err


def test_no_credentials_is_a_usage_error(api: FakeLiveTex, inline: Inline) -> None:
    r = fetch(api, "site = 1", env={})
    assert r.returncode == 2
    assert "LIVETEX_TOKEN" in r.stderr and "--token-file" in r.stderr
    code, _, err = inline(api, "site = 1", "--token", "a", "--token-file", "b", env={})
    assert (code, err) == (2, "leadq: give --token-file or --token, not both\n")


# -- flags ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--max", "-1"], "argument --max: takes a whole number from 0 up, not '-1'"),
        (["--base-url", "web-api.livetex.ru"], "argument --base-url: takes an http:// or https:// URL"),
        (["--retries", "x"], "argument --retries: takes a whole number from 0 up, not 'x'"),
        (["--retry-time", "0"], "argument --retry-time: takes a number of seconds above 0, not '0'"),
        (["--timeout", "-3"], "argument --timeout: takes a number of seconds above 0, not '-3'"),
        (["--concurrency", "0"], "argument --concurrency: takes a whole number from 1 up, not '0'"),
        (["--order", "nmae"], "leadq: --order takes created_at, updated_at, duration, result, optionally"),
    ],
)
def test_flags_are_checked_and_errors_name_them(api: FakeLiveTex, inline: Inline, args: list[str], says: str) -> None:
    code, _, err = inline(api, "site = 1", *args)
    assert code == 2
    assert says in err
    assert not re.search(r"(?<![-\w])(limit|base_url|retry_time|timeout|concurrency|retries)\b", err)  # flags only
    assert api.requests == []


def test_a_bad_setting_from_the_environment_names_the_variable(api: FakeLiveTex, inline: Inline) -> None:
    code, _, err = inline(api, "site = 1", env={"LIVETEX_TOKEN": "t", "LIVETEX_HTTP_METHOD": "PUT"})
    assert (code, err) == (2, "leadq: LIVETEX_HTTP_METHOD must be GET or POST, not 'PUT'\n")


def test_fields_and_role_are_checked_with_a_guess(api: FakeLiveTex) -> None:
    r = fetch(api, "site = 1", "--fields", "id,nmae")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (
        "--fields:1:4: E210 a lead has no field `nmae`\n    id,nmae\n       ^^^^\n    hint: did you mean `name`?\n"
    )
    r = fetch(api, "site = 1", "--role", "opertor")
    assert r.returncode == 2
    assert "--role:1:1: E212 `opertor` is no API role that may call Leads.list" in r.stderr
    assert "hint: did you mean `operator`?" in r.stderr
    assert api.requests == []


def test_an_empty_filter_sends_nothing(api: FakeLiveTex) -> None:
    r = fetch(api, "type = form and type = chat")
    assert (r.returncode, r.stdout) == (1, "")
    assert "E401" in r.stderr
    assert api.requests == []


def test_errors_exit_1_and_hints_name_the_flags(api: FakeLiveTex, inline: Inline) -> None:
    r = fetch(api, "site = 1", env={"LIVETEX_TOKEN": "wrong"})
    assert r.returncode == 1
    assert "E801 the API did not accept the credentials: HTTP 401" in r.stderr
    assert "hint: check the token (`--token-file`, LIVETEX_TOKEN)" in r.stderr
    api.fail(503, times=10)
    code, _, err = inline(api, "site = 1", "--retries", "1")
    assert code == 1
    assert "after 2 attempts" in err and "raise `--retries` and `--retry-time`" in err
    assert "retries=" not in err
    api.faults.clear()
    api.fail(429, retry_after=3600)
    code, _, err = inline(api, "site = 1")
    assert "asked to wait 1 h before trying again" in err and "raise `--retry-time`" in err
    before = len(api.requests)
    code, _, err = inline(api, "--role", "operator", 'text contains "a" and text contains "b"')
    assert code == 1 and "E313" in err
    assert len(api.requests) == before  # refused before any request
    code, _, err = inline(api, "citty = 1")
    assert (code, "E201" in err) == (1, True)


def test_a_plan_says_it_gives_the_per_request_guarantee(api: FakeLiveTex, inline: Inline) -> None:
    r = fetch(api, "type = form or result = missed", "--fields", "id")
    assert r.returncode == 0
    assert "I801 the filter runs as 2 requests" in r.stderr
    assert "hint: `--max-requests 1` sends one request" in r.stderr
    code, out, err = inline(api, "type = form or result = missed", "--fields", "id", "--max-requests", "1")
    assert (code, err) == (0, "")
    assert [json.loads(x)["id"] for x in out.splitlines()] == want("type = form or result = missed")


# -- incremental exports ----------------------------------------------------------------------


def test_since_state_chains_incremental_exports(inline: Inline, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with FakeLiveTex(DATA, lifetime=60) as api:
        r = fetch(api, "type = form", "--fields", "id", "--since-state", str(state))
        assert r.returncode == 0, r.stderr
        assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == want("type = form")
        first = json.loads(state.read_text())
        cutoff = datetime.fromisoformat(first["cutoff"])
        assert (first["method"], first["filter"]) == ("Leads.list", "type = form")
        # the server's clock says the run read up to 5 s (the margin) before its Date
        assert abs((api.now() - cutoff).total_seconds() - 5) < 3
        # leads created after that cut-off: one a second past it, one of another type
        late = api.add_lead(type="form", created_at=(cutoff + timedelta(seconds=1)).isoformat(timespec="seconds"))
        other = api.add_lead(type="chat")
        api.clock_skew += 10  # time passes on the server
        code, out, err = inline(api, "type = form", "--fields", "id", "--since-state", str(state))
        assert code == 0, err
        assert [json.loads(x)["id"] for x in out.splitlines()] == [late["id"]]
        assert other["id"] != late["id"]  # the chat lead is not of the filter: not printed above
        second = json.loads(state.read_text())
        assert second["cutoff"] > first["cutoff"]
        assert inline(api, "type = form", "--fields", "id", "--since-state", str(state))[:2] == (0, "")  # none new
        # a failed run leaves the state as it was
        kept = state.read_text()
        api.clock_skew += 10
        api.fail(400)
        assert inline(api, "type = form", "--since-state", str(state))[0] == 1
        assert state.read_text() == kept
        # a state file chains one filter's exports
        code, _, err = inline(api, "type = chat", "--since-state", str(state))
        assert code == 2 and "give each filter a state file of its own" in err
        code, _, err = inline(api, "type = form", "--since-state", str(state), "--max", "3")
        assert code == 2 and "--max would leave some out" in err
    assert not [p for p in tmp_path.iterdir() if p.name != "state.json"]  # no temporary file left


# -- Ctrl-C ------------------------------------------------------------------------------------


def _interrupt(args: list[str], api: FakeLiveTex, requests: int) -> tuple[int, str, str, float]:
    """Run `leadq fetch`, send SIGINT once the server has seen `requests` requests and a
    moment has passed; the exit status, stdout, stderr and the seconds from the signal to
    the exit."""
    p = subprocess.Popen(
        [*leadq_cmd(), "fetch", "--base-url", api.url, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(None),
    )
    deadline = time.monotonic() + 60
    while len(api.requests) < requests and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    sent = time.monotonic()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    return p.returncode, out, err, time.monotonic() - sent


@posix
@pytest.mark.parametrize("fmt", ["json", "csv", "jsonl"])
def test_ctrl_c_stops_within_a_second_leaving_the_output_whole(fmt: str) -> None:
    release = threading.Event()
    with FakeLiveTex(generate_leads(400, seed=1), lifetime=60) as api:

        def slow(server: FakeLiveTex, page: int) -> None:
            if page > 2:
                release.wait(30)  # the third page never comes in time

        api.between_pages(slow)
        try:
            args = ["", "--format", fmt, "--fields", "id,name", "--page-size", "50", "--retries", "9"]
            code, out, err, took = _interrupt(args, api, 3)
        finally:
            release.set()
    assert code == 130
    assert err == "leadq: interrupted\n"  # one line, no traceback
    assert took < 1.5
    if fmt == "json":
        ids = [lead["id"] for lead in json.loads(out)]  # closed: it reads as JSON
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert all(len(row) == len(rows[0]) for row in rows)  # whole rows
        ids = [int(row[0]) for row in rows[1:]]
    else:
        ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert len(ids) >= 50 and ids == list(range(1, len(ids) + 1))  # the two pages read


@posix
def test_ctrl_c_during_retries_stops_within_a_second(api: FakeLiveTex) -> None:
    api.fail(503, times=100)
    code, out, err, took = _interrupt(["site = 1", "--retries", "50", "--retry-time", "600"], api, 3)
    assert (code, out, err) == (130, "", "leadq: interrupted\n")
    assert took < 1.5


@posix
@pytest.mark.parametrize(
    "command", [["fake-server", "--port", "0"], ["check", "-"], ["lsp"], ["check", "--jobs", "2", "many.leadq"]]
)
def test_ctrl_c_stops_every_command_with_130_and_one_line(command: list[str], tmp_path: Path) -> None:
    # many filters, for worker processes busy when Ctrl-C comes
    (tmp_path / "many.leadq").write_text("".join(f"site = {i} and duration > {i}\n" for i in range(60_000)))
    p = subprocess.Popen(
        [*leadq_cmd(), *command],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    if command[0] == "fake-server":
        assert p.stdout is not None and p.stdout.readline().startswith("serving")
    # started, and waiting (for requests, for standard input), or its workers at work
    once_started(p, children="--jobs" in command)
    sent = time.monotonic()
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 130
    assert err == "leadq: interrupted\n"
    assert time.monotonic() - sent < 1.5


# -- progress -----------------------------------------------------------------------------------


def _on_a_terminal(args: list[str], api: FakeLiveTex, *, stdout_too: bool) -> tuple[int, str, str]:
    """Run `leadq fetch` with stderr (and, if `stdout_too`, stdout) on a pseudo-terminal;
    what the terminal showed, and stdout when it was a pipe."""
    import pty

    master, slave = pty.openpty()
    p = subprocess.Popen(
        [*leadq_cmd(), "fetch", "--base-url", api.url, *args],
        stdout=slave if stdout_too else subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env=_env(None),
    )
    os.close(slave)
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        shown += chunk
    out = p.stdout.read().decode() if p.stdout else ""
    p.wait(timeout=30)
    os.close(master)
    return p.returncode, shown.decode(), out


@posix
def test_progress_never_lands_inside_the_data_on_one_terminal(api: FakeLiveTex) -> None:
    code, shown, _ = _on_a_terminal(["", "--fields", "id,name", "--page-size", "5"], api, stdout_too=True)
    assert code == 0
    # the status line is drawn as "\r<line>\x1b[K" and wiped as "\r\x1b[K"; take both out
    screen = re.sub(r"\r[^\r\n]*\x1b\[K", "", shown).replace("\r\n", "\n")
    lines = screen.splitlines()
    assert [json.loads(line)["id"] for line in lines[:-1]] == [lead["id"] for lead in DATA]
    assert re.fullmatch(r"fetch: \d+ requests · \d+ pages · \d+ leads read · 120 returned · [\d.]+ s", lines[-1])


@pytest.mark.long
@posix
def test_progress_moves_per_page_when_nothing_matches() -> None:
    with FakeLiveTex(DATA, lifetime=60) as api:
        api.between_pages(lambda server, page: time.sleep(0.3))
        code, shown, out = _on_a_terminal(['city = "Nowhere"', "--page-size", "20"], api, stdout_too=False)
    assert (code, out) == (0, "")
    drawn = re.findall(r"fetch: (\d+) requests · (\d+) pages · (\d+) leads read · 0 returned", shown)
    pages = [int(p) for _, p, _ in drawn]
    assert len(set(pages)) >= 3 and pages == sorted(pages)  # it moved while the run read pages
    assert pages[-1] >= 6  # 120 leads in pages of 20


@posix
def test_no_progress_and_no_terminal(api: FakeLiveTex) -> None:
    code, shown, out = _on_a_terminal(["site = 1", "--no-progress"], api, stdout_too=False)
    assert (code, shown) == (0, "")
    assert len(out.splitlines()) == len(want("site = 1"))
    r = fetch(api, "site = 1", "--progress", "--page-size", "10")
    last = r.stderr.splitlines()[-1].replace("\x1b[K", "")  # (text mode reads each \r as a line end)
    assert re.fullmatch(r"fetch: \d+ requests · \d+ pages · \d+ leads read · \d+ returned · [\d.]+ s", last)


# -- dry run and the fake server ----------------------------------------------------------------


def test_dry_run_prints_the_requests_and_the_residual() -> None:
    r = run("fetch", "--dry-run", 'site = 1 or city = "Tver"')
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        "sent to the API: nothing (every lead)\n  q: (empty: every lead)\n"
        'checked here: site = 1 or city = "Tver"\n  reads: city, site.id\n'
    )
    r = run("explain", "--fetch", 'text contains "a" and text contains "b"')
    assert (
        r.stdout == 'sent to the API: text contains "a"\n  q: text=a\nchecked here: text contains "b"\n  reads: text\n'
    )


def test_fake_server_command_serves_what_fetch_reads() -> None:
    server = subprocess.Popen(
        [
            *leadq_cmd(),
            "fake-server",
            "--port",
            "0",
            "--leads",
            "50",
            "--seed",
            "2",
            "--lifetime",
            "60",
            "--user",
            "me@example.com:secret:operator",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("serving 50 leads at http://127.0.0.1:")
        assert "token: test-token; users: me@example.com)" in line
        url = line.split(" at ")[1].split(" ")[0]
        expected = [lead["id"] for lead in generate_leads(50, seed=2) if lead["result"] == "completed"]
        for env in (ENV, {"LIVETEX_USERNAME": "me@example.com", "LIVETEX_PASSWORD": "secret"}):
            r = subprocess.run(
                [*leadq_cmd(), "fetch", "--base-url", url, "result = completed"],
                capture_output=True,
                text=True,
                timeout=60,
                env=_env(env),
            )
            assert r.returncode == 0, r.stderr
            assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == expected
    finally:
        server.terminate()
        server.wait(timeout=10)
    r = run("fake-server", "--user", "me:pw:opertor")
    assert r.returncode == 2 and "did you mean `operator`?" in r.stderr


def test_help_lists_every_flag() -> None:
    out = run("fetch", "--help").stdout
    for flag in (
        "--token-file", "--password-file", "--username", "--auth", "--base-url", "--http-method", "--fields",
        "--order", "--max", "--max-requests", "--format", "--dry-run", "--progress", "--no-progress",
        "--since-state", "--timeout", "--retries", "--retry-time", "--concurrency", "--role",
    ):  # fmt: skip
        assert flag in out
    out = run("fake-server", "--help").stdout
    assert "--lifetime" in out and "--user" in out and "--token-lifetime" in out
