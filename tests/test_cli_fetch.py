"""`leadq fetch` and `leadq fake-server`, run as real subprocesses over real HTTP."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from collections.abc import Iterator
from datetime import datetime

import pytest
from test_cli import leadq_cmd, run

import leadq
from leadq.testing import FakeLiveTex, generate_leads

DATA = generate_leads(120, seed=4)


def fetch(api: FakeLiveTex, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("LIVETEX_TOKEN", None) if env is None else None
    return subprocess.run(
        [*leadq_cmd(), "fetch", "--base-url", api.url, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
    )


@pytest.fixture
def api() -> Iterator[FakeLiveTex]:
    with FakeLiveTex(DATA, lifetime=120) as server:
        yield server


def want(text: str) -> list[int]:
    return [lead["id"] for lead in DATA if leadq.evaluate(text, lead, now=datetime.now())]


def test_fetch_prints_jsonl_of_exactly_the_filter(api: FakeLiveTex) -> None:
    text = 'result = missed and city = "Moscow" and text contains "e"'
    r = fetch(api, "--token", "test-token", text, "--fields", "id,city")
    assert r.returncode == 0, r.stderr
    leads = [json.loads(line) for line in r.stdout.splitlines()]
    assert [lead["id"] for lead in leads] == want(text)
    assert all(set(lead) == {"id", "city"} for lead in leads)
    assert r.stderr == ""  # no terminal: no progress bar


def test_token_from_the_environment_csv_json_and_max(api: FakeLiveTex) -> None:
    env = {"LIVETEX_TOKEN": "test-token"}
    r = fetch(api, "site != 3", "--format", "csv", "--fields", "id,site(url)", "--max", "4", env=env)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [int(row["id"]) for row in rows] == want("site != 3")[:4]
    assert all(json.loads(row["site"]).keys() == {"url"} for row in rows)
    r = fetch(api, "duration > 60", "--format", "json", "--order", "duration desc", env=env)
    got = json.loads(r.stdout)
    assert [lead["duration"] for lead in got] == sorted((lead["duration"] for lead in got), reverse=True)
    assert {lead["id"] for lead in got} == set(want("duration > 60"))


def test_progress_bar_on_stderr(api: FakeLiveTex) -> None:
    r = fetch(api, "--token", "test-token", "", "--progress", "--page-size", "10")
    assert r.returncode == 0, r.stderr
    last = r.stderr.splitlines()[-1]  # (text mode reads each \r as a line end)
    words = last.split()
    assert last == f"requests {len(api.requests)} · leads 120 (of {words[6]} transferred)"
    # each page starts again at the last second read: its leads travel twice
    assert 120 + len(api.requests) - 1 <= int(words[6]) < 2 * 120


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


def test_errors_exit_1_with_the_diagnostic(api: FakeLiveTex) -> None:
    r = fetch(api, "--token", "wrong", "site = 1")
    assert r.returncode == 1
    assert "E801 the API answered HTTP 401" in r.stderr
    assert "hint: check the token" in r.stderr
    before = len(api.requests)
    r = fetch(api, "--token", "test-token", "--role", "operator", 'text contains "a" and text contains "b"')
    assert r.returncode == 1
    assert "E313" in r.stderr
    assert len(api.requests) == before  # refused before any request
    r = fetch(api, "--token", "test-token", "citty = 1")
    assert (r.returncode, "E201" in r.stderr) == (1, True)


def test_no_credentials_is_a_usage_error(api: FakeLiveTex) -> None:
    r = fetch(api, "site = 1", env={})
    assert r.returncode == 2
    assert "--token" in r.stderr


def test_fake_server_command_serves_what_fetch_reads(tmp_path: object) -> None:
    server = subprocess.Popen(
        [*leadq_cmd(), "fake-server", "--port", "0", "--leads", "50", "--seed", "2", "--lifetime", "60"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("serving 50 leads at http://127.0.0.1:") and "(token: test-token)" in line
        url = line.split(" at ")[1].split(" ")[0]
        r = subprocess.run(
            [*leadq_cmd(), "fetch", "--base-url", url, "--token", "test-token", "result = completed"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert r.returncode == 0, r.stderr
        expected = [lead["id"] for lead in generate_leads(50, seed=2) if lead["result"] == "completed"]
        assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == expected
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_help_lists_every_flag() -> None:
    out = run("fetch", "--help").stdout
    for flag in ("--token", "--base-url", "--fields", "--order", "--max", "--format", "--dry-run", "--progress"):
        assert flag in out
    assert "--lifetime" in run("fake-server", "--help").stdout
