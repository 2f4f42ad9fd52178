"""Many filters at once: check_many, the pandas helper, and the Dask and Spark recipes."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import leadq
from leadq import batch

TEXTS = ["site = 1", "reslt = 1", "site = 1", "type != chat", "", "site in (1, 1)"]


def _summary(r: leadq.Checked) -> tuple[str, str | None, tuple[str, ...], str | None]:
    return r.text, r.q, tuple(d.code for d in r.diagnostics), r.fingerprint


def test_results_stream_in_input_order() -> None:
    got = list(leadq.check_many(TEXTS))
    assert [r.text for r in got] == TEXTS
    assert [r.ok for r in got] == [True, False, True, False, True, True]
    assert got[0] is got[2]  # a repeated text is analysed once
    assert [d.code for d in got[1].diagnostics] == ["E201"]
    assert got[3].fingerprint == leadq.fingerprint("type != chat")  # plans have a meaning too
    assert got[1].fingerprint is None


def test_each_distinct_text_is_analysed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = batch.check_one

    def counting(text: str, *args: object) -> leadq.Checked:
        seen.append(text)
        return real(text, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "check_one", counting)
    list(leadq.check_many(TEXTS * 1000))
    assert sorted(seen) == sorted(set(TEXTS))


def test_the_stream_is_read_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "BATCH", 50)  # a batch is read before its results: keep it short

    def endless() -> object:
        n = 0
        while True:
            yield f"site = {n}"
            n += 1

    results = leadq.check_many(endless())  # type: ignore[arg-type]
    assert [next(results).q for _ in range(3)] == ["site_ids=0", "site_ids=1", "site_ids=2"]


def test_processes_give_the_same_results() -> None:
    texts = [f"site = {i % 5000} and duration > {i % 7}" for i in range(batch.BREAK_EVEN * 2)] + TEXTS
    one = [_summary(r) for r in leadq.check_many(texts, jobs=1)]
    two = [_summary(r) for r in leadq.check_many(texts, jobs=2)]
    assert one == two


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """TimeoutError in this (the main) thread after `seconds`, rather than a test that hangs."""

    def late(*_: object) -> None:
        raise TimeoutError(f"still waiting after {seconds} s")

    previous = signal.signal(signal.SIGALRM, late)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _workers(before: list[multiprocessing.process.BaseProcess]) -> list[multiprocessing.process.BaseProcess]:
    """The worker processes started since `before` was taken."""
    return [p for p in multiprocessing.active_children() if p not in before]


def _idle(workers: list[multiprocessing.process.BaseProcess]) -> None:
    """Wait (up to 10 s) until the workers wait for work: asleep, their CPU time still."""
    last: list[str] = []
    for _ in range(200):
        stats = [Path(f"/proc/{p.pid}/stat").read_text().rsplit(")", 1)[1].split() for p in workers]
        now = [f"{s[0]} {s[11]} {s[12]}" for s in stats]  # state, user and system time
        if now == last and all(s[0] == "S" for s in stats):
            return
        last = now
        time.sleep(0.05)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and SIGALRM are POSIX")
def test_a_worker_that_dies_loses_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed in the middle of a run: the other, and this process, check its
    share; every result comes, the same as in one process (multiprocessing.Pool waited
    for ever for the lost chunk)."""
    monkeypatch.setattr(batch, "BATCH", 1_500)
    texts = [f'site = {i} and text contains "{i}" and reslt = 1' for i in range(4_500)]
    before = multiprocessing.active_children()
    results = leadq.check_many(texts, jobs=2)
    got = [_summary(next(results))]
    workers = _workers(before)
    assert len(workers) == 2
    os.kill(workers[0].pid, signal.SIGKILL)  # type: ignore[arg-type]
    with _deadline(60):
        got += [_summary(r) for r in results]
    assert got == [_summary(r) for r in leadq.check_many(texts, jobs=1)]
    assert _workers(before) == []


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs /proc to tell that the workers are idle")
def test_when_every_worker_is_gone_this_process_checks_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both workers killed while they wait for the next batch: the rest is checked here,
    and every result comes."""
    monkeypatch.setattr(batch, "BATCH", 1_500)
    texts = [f"site = {i} and reslt = 1" for i in range(4_500)]
    before = multiprocessing.active_children()
    results = leadq.check_many(texts, jobs=2)
    got = [_summary(next(results))]  # the first batch back, the second sent out
    workers = _workers(before)
    _idle(workers)  # the second batch checked too
    for worker in workers:
        os.kill(worker.pid, signal.SIGKILL)  # type: ignore[arg-type]
    with _deadline(60):
        got += [_summary(r) for r in results]  # the third batch finds no worker
    assert got == [_summary(r) for r in leadq.check_many(texts, jobs=1)]


def test_texts_a_worker_cannot_check_are_checked_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker whose check raises answers None and goes on; this process checks those
    texts itself (and would raise as it does without workers)."""
    real = batch._check

    def fails_in_workers(text: str) -> leadq.Checked:
        if text == "site = 1234":
            raise RecursionError("a worker's failure")
        return real(text)

    monkeypatch.setattr(batch, "_check", fails_in_workers)  # what the forked workers call
    texts = [f"site = {i}" for i in range(batch.BREAK_EVEN * 2)]
    before = multiprocessing.active_children()
    results = leadq.check_many(texts, jobs=2)
    got = [next(results).q]
    workers = _workers(before)
    got += [r.q for r in results]
    assert got == [f"site_ids={i}" for i in range(batch.BREAK_EVEN * 2)]
    assert [w.exitcode for w in workers] == [0, 0]  # each stopped when told, none died


@pytest.mark.skipif(sys.platform == "win32", reason="SIGALRM is POSIX")
def test_stopping_early_stops_the_workers_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller stops reading (as Ctrl-C does) while the workers send results larger
    than a pipe holds (100 kB a chunk, a pipe holds 64 kB): the workers are gone at once,
    and nothing waits for them (multiprocessing.Pool's terminate() could wait for ever for
    a worker writing to its shared result queue)."""
    monkeypatch.setattr(batch, "BATCH", 2_000)  # chunks of 125 filters
    texts = [
        f"reslt = {i} and sitee = {i} and durration > {i} and typ = form and site in ({i}, {i})" for i in range(6_000)
    ]
    before = multiprocessing.active_children()
    threads = set(threading.enumerate())
    for _ in range(2):
        results = leadq.check_many(texts, jobs=2)
        next(results)  # the second batch is being checked
        start = time.monotonic()
        with _deadline(60):
            results.close()
        assert time.monotonic() - start < 5
        assert _workers(before) == []
    assert [t.name for t in set(threading.enumerate()) - threads if "_hand_out" in t.name] == []


def test_jobs_0_is_one_worker_per_core_this_process_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [f"site = {i}" for i in range(batch.BREAK_EVEN)]
    assert batch.cores() >= 1
    monkeypatch.setattr(batch, "cores", lambda: 1)  # one core: no worker
    before = multiprocessing.active_children()
    results = leadq.check_many(texts, jobs=0)
    next(results)
    assert _workers(before) == []
    monkeypatch.setattr(batch, "cores", lambda: 2)
    results = leadq.check_many(texts, jobs=0)
    next(results)
    assert len(_workers(before)) == 2
    results.close()


def test_processes_use_the_settings_they_are_given() -> None:
    texts = [f'text contains "a{i}" and created_at = lastweek' for i in range(batch.BREAK_EVEN + 10)]
    one = [_summary(r) for r in leadq.check_many(texts, jobs=1, role="operator", stored=True)]
    two = [_summary(r) for r in leadq.check_many(texts, jobs=2, role="operator", stored=True)]
    assert one == two
    assert {"W605", "W606"} <= {
        d.code for r in leadq.check_many(texts[:1], role="operator", stored=True) for d in r.diagnostics
    }
    raw = [f"site_ids={i} result=missed" for i in range(batch.BREAK_EVEN + 10)]
    assert [r.q for r in leadq.check_many(raw, jobs=2, q=True)] == raw


def test_inputs_are_checked() -> None:
    with pytest.raises(TypeError, match="each filter must be a str"):
        list(leadq.check_many(["site = 1", None]))  # type: ignore[list-item]
    with pytest.raises(TypeError, match="jobs must be"):
        list(leadq.check_many([], jobs=-1))
    with pytest.raises(TypeError, match="not one str"):  # not eight filters of one character
        list(leadq.check_many("site = 1"))


def test_pandas_columns() -> None:
    pandas = pytest.importorskip("pandas", reason="the pandas extra is not installed")
    frame = batch.check_series(pandas.Series(["site = 1", "reslt = 1", None], index=[10, 20, 30]))
    assert list(frame.columns) == list(batch.COLUMNS)
    assert list(frame.index) == [10, 20, 30]
    assert frame["ok"].tolist() == [True, False, True]
    assert frame.loc[10, "q"] == "site_ids=1" and frame.loc[20, "codes"] == "E201"
    assert frame.loc[20, "message"] == "unknown field `reslt` in Leads.list"
    assert frame.loc[30, "codes"] == "I703"


@pytest.mark.long
def test_dask_recipe_on_a_local_cluster() -> None:
    pandas = pytest.importorskip("pandas", reason="the pandas extra is not installed")
    dd = pytest.importorskip("dask.dataframe", reason="dask is not installed")
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    texts = [f"site = {i}" if i % 3 else "reslt = 1" for i in range(300)]
    frame = pandas.DataFrame({"filter": texts})
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster),
    ):
        ddf = dd.from_pandas(frame, npartitions=4)
        checked = ddf["filter"].map_partitions(batch.check_series, meta=batch.frame_meta()).compute()
    assert checked["ok"].tolist() == [bool(i % 3) for i in range(300)]
    assert checked.loc[1, "q"] == "site_ids=1"


def test_spark_recipe() -> None:
    pytest.importorskip("pyspark", reason="pyspark is not installed (the Spark recipe needs it and a Java runtime)")
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.master("local[2]").appName("leadq").getOrCreate()
    try:
        frame = spark.createDataFrame([(t,) for t in ("site = 1", "reslt = 1")], ["filter"])
        schema = "ok boolean, q string, codes string, message string, fingerprint string"
        out = frame.mapInPandas(lambda parts: (batch.check_series(p["filter"]) for p in parts), schema).collect()
        assert [r.ok for r in out] == [True, False]
    finally:
        spark.stop()


def test_processes_use_the_schema_they_are_given() -> None:
    own = leadq.Schema("Leads.own", (leadq.LEADS_LIST.by_q_name["site_ids"], leadq.LEADS_LIST.by_q_name["is_managed"]))
    texts = [f"is_managed and site = {i}" for i in range(batch.BREAK_EVEN + 10)]
    two = list(leadq.check_many(texts, jobs=2, schema=own))
    assert all(r.ok for r in two) and two[5].q == "site_ids=5 is_managed=true"
