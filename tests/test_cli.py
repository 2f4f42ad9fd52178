"""The `leadq` console script, run as a real subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def leadq_cmd() -> list[str]:
    script = shutil.which("leadq", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "leadq"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*leadq_cmd(), *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_readme_first_example() -> None:
    r = run("compile", "result=missed and site in (1,2)")
    assert (r.returncode, r.stdout, r.stderr) == (0, "site_ids=1,2 result=missed\n", "")


def test_python_dash_m() -> None:
    r = subprocess.run([sys.executable, "-m", "leadq", "compile", "site = 5"], capture_output=True, text=True)
    assert r.stdout == "site_ids=5\n"


def test_compile_error_shows_source_and_caret() -> None:
    r = run("compile", "siet = 1")
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.splitlines()[:3] == [
        "<expression>:1:1: E201 unknown field `siet` in Leads.list",
        "    siet = 1",
        "    ^^^^",
    ]


def test_compile_json() -> None:
    r = run("compile", "--format", "json", 'text contains "a&b"')
    assert json.loads(r.stdout) == {"q": "text=a&b"}


def test_check_file_reports_every_bad_line(tmp_path: Path) -> None:
    f = tmp_path / "filters.txt"
    f.write_text("# saved filters\nsite = 1\n\nresult = fax\nsiet = 2\n", encoding="utf-8")
    r = run("check", str(f))
    assert r.returncode == 1
    lines = [line for line in r.stdout.splitlines() if line.startswith(str(f))]
    assert lines == [
        f"{f}:4:10: E302 `fax` is not a value of `result`; it takes missed, completed",
        f"{f}:5:1: E201 unknown field `siet` in Leads.list",
    ]


def test_check_stdin_clean() -> None:
    r = run("check", "-", stdin="site = 1\nresult = missed\n")
    assert (r.returncode, r.stdout) == (0, "")


def test_check_missing_file_is_exit_2(tmp_path: Path) -> None:
    assert run("check", str(tmp_path / "nope.txt")).returncode == 2


def test_decompile() -> None:
    r = run("decompile", "site_ids=1,2 result=missed")
    assert (r.returncode, r.stdout) == (0, "site in (1, 2) and result = missed\n")


@pytest.mark.parametrize("command", ["compile", "check", "decompile"])
def test_help(command: str) -> None:
    r = run(command, "--help")
    assert r.returncode == 0 and "usage: leadq" in r.stdout
