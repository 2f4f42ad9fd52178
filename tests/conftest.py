"""What every test module shares: the hypothesis profile, the workers, the skips allowed.

Speed: the default `pytest` aims at 90 s on 2 cores (it takes about 100 s); CI (`.ci/run`,
`HYPOTHESIS_PROFILE=ci`) runs the property tests in full. A new property test stays quick
by default as tests/profiles.py says; in short, a heavy one writes
``@settings(max_examples=examples(5_000), deadline=None)`` (`from profiles import
examples`), never a bare count.

Workers: `pytest` runs the whole suite on one worker per core and one more (pytest-xdist,
`-n auto` in pyproject.toml) and a command that names files or tests in this process, so `-s` and
`--pdb` work there; `-n 0` asks for no workers, `-n 2` for two. The browser tests share
one worker (`--dist loadgroup`, which pytest 9.2 breaks: pytest-xdist#1386, hence the
pin in pyproject.toml) and start first.

Order: the tests run in a random order (pytest-randomly: the header prints the seed;
`--randomly-seed=N` runs that order again, `-p no:randomly` the files' order), so every test
must pass alone and after any other: nothing may rely on what another test made or left.

Skips: a test skips only when this environment lacks something, and says what; the run
fails on any other skip (`ALLOWED_SKIPS`, docs/decisions.md).
"""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest
from hypothesis import settings
from profiles import PROFILE

from leadq.batch import cores

settings.load_profile(PROFILE)

# A shell starts a background job (`pytest &`) with Ctrl-C ignored, and the commands the
# tests start would inherit that and never see the SIGINT the Ctrl-C tests send them.
if hasattr(signal, "SIGINT") and signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# the `livetex` fixture that leadq ships for its users' tests (docs/fetch.md)
pytest_plugins = ["leadq.testing.fixtures"]

#: The beginnings of the reasons a test may skip for: each names what is missing here.
ALLOWED_SKIPS = (
    "playground browser tests: ",  # no Chromium, Playwright, mkdocs or npm packages (.ci/run has them)
    "pyspark is not installed",
    "the pandas extra is not installed",
    "dask is not installed",
    "dask.distributed is not installed",
    "the lsp extra (pygls) is not installed",
    "pytest-lsp is not installed",
    "needs git and a git checkout of leadq",
    "shared/spec/examples.tsv is not above this checkout",
)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto`: no workers when the command names files or tests, or on one core;
    PYTEST_XDIST_AUTO_NUM_WORKERS when set; else one worker more than the cores, since a
    good part of the suite waits (on servers on loopback, retries' pauses, the browser)
    and a third worker on two cores ends the run about 8 % sooner."""
    named = any(arg.endswith(".py") or "::" in arg for arg in config.args)
    if named or cores() < 2:
        return 0
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist reads it
    return cores() + 1


@pytest.hookimpl
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "long: a test of several seconds, handed to a worker before the short ones")


@pytest.hookimpl
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests of an xdist group (the browser's: one Chromium, one loaded page, tens of
    seconds; the layers', which read the package's imports once) first, so their worker
    starts on them while the others take the rest; then the long tests
    (`@pytest.mark.long`), so that no worker is left with one at the end while the others
    wait; a stable sort after pytest-randomly's shuffle, so the order is otherwise the
    seed's."""
    items.sort(
        key=lambda item: (item.get_closest_marker("xdist_group") is None, item.get_closest_marker("long") is None)
    )


_unexpected: list[str] = []


def _skip_reason(report: Any) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


@pytest.hookimpl
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _note_skip(report)


@pytest.hookimpl
def pytest_collectreport(report: pytest.CollectReport) -> None:
    _note_skip(report)


def _note_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = _skip_reason(report)
    if not reason.startswith(ALLOWED_SKIPS):
        _unexpected.append(f"{report.nodeid}: {reason}")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _unexpected and not hasattr(session.config, "workerinput"):  # the controller judges
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_sep("=", "skips for a reason tests/conftest.py does not allow", red=True)
            for line in _unexpected:
                reporter.write_line(line)
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
