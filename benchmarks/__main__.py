"""Run the benchmark suite: `python -m benchmarks [--quick] [--json PATH]`.

Everything runs in one process on one machine, and is reported as ratios measured in the
same run (absolute times on shared machines are noise). Each in-process measurement warms
up, then runs its rounds interleaved with the others (so a noisy moment hits all of them
alike) and reports the median and the spread (interquartile range) per filter.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lark import Lark

import leadq
from leadq.language.parse import _SHAPES, grammar_path

from .corpus import corpus, short_corpus

ROOT = Path(__file__).parent.parent


def _peers() -> dict[str, Callable[[str], object]]:
    """Parse-only functions of the peers that are installed (dev extra)."""
    found: dict[str, Callable[[str], object]] = {}
    try:
        from luqum.parser import parser as lucene

        found["luqum"] = lucene.parse
    except ImportError:
        pass
    try:
        from odata_query.grammar import ODataLexer, ODataParser

        lexer, parser = ODataLexer(), ODataParser()
        found["odata-query"] = lambda text: parser.parse(lexer.tokenize(text))
    except ImportError:
        pass
    return found


def measure(cases: dict[str, tuple[Callable[[str], object], list[str]]], rounds: int) -> dict[str, dict[str, float]]:
    """Microseconds per filter for each case: median and interquartile range of the rounds."""
    for fn, texts in cases.values():  # warm-up: one full pass each
        for t in texts:
            fn(t)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, (fn, texts) in cases.items():
            _SHAPES.clear()  # each round parses the corpus as new filters: no shape seen before it
            start = time.perf_counter()
            for t in texts:
                fn(t)
            samples[name].append(1e6 * (time.perf_counter() - start) / len(texts))
    out = {}
    for name, values in samples.items():
        q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
        out[name] = {"median_us": statistics.median(values), "iqr_us": q[2] - q[0], "min_us": min(values)}
    return out


def _process(args: list[str], runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(1e3 * (time.perf_counter() - start))
    q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
    return {"median_ms": statistics.median(times), "iqr_ms": q[2] - q[0]}


def startup(runs: int) -> dict[str, dict[str, float]]:
    leadq_script = str(Path(sys.executable).parent / "leadq")
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import attrs'": [sys.executable, "-c", "import attrs"],
        "python -c 'import leadq'": [sys.executable, "-c", "import leadq"],
        "leadq compile 'site = 1'": [leadq_script, "compile", "site = 1"],
    }
    results: dict[str, dict[str, float]] = {name: {"median_ms": 0.0, "iqr_ms": 0.0} for name in cases}
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):  # interleaved, like the in-process rounds
        for name, args in cases.items():
            samples[name].append(_process(args, 1)["median_ms"])
    for name, values in samples.items():
        q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
        results[name] = {"median_ms": statistics.median(values), "iqr_ms": q[2] - q[0]}
    return results


def batch(texts: list[str], count: int) -> dict[str, float]:
    # distinct filters, so that the processes, not the cache of repeated texts, are measured
    lines = [f'({texts[i % len(texts)]}) and visitor = "v{i}"' for i in range(count)]
    leadq_script = str(Path(sys.executable).parent / "leadq")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "filters.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out = {}
        for jobs in (1, 2):
            start = time.perf_counter()
            done = subprocess.run([leadq_script, "check", "--jobs", str(jobs), str(path)], capture_output=True)
            out[f"jobs={jobs}"] = time.perf_counter() - start
            if done.returncode not in (0, 1):
                raise SystemExit(f"leadq check failed: {done.stderr.decode()}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="a smoke run (CI): small corpus, few rounds")
    ap.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "latest.json"), help="where to write")
    args = ap.parse_args(argv)
    size, rounds, runs, count = (200, 3, 3, 5_000) if args.quick else (1_000, 25, 15, 100_000)

    floor = Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer="basic")
    peers = _peers()
    syntax = {"luqum": 1, "odata-query": 2}
    speed: dict[str, dict[str, float]] = {}
    ratios: dict[str, tuple[float, bool]] = {}
    leadq_texts: list[str] = []
    for label, filters in (("long", corpus(size)), ("short", short_corpus(size))):
        texts = [f[0] for f in filters]
        leadq_texts = leadq_texts or texts
        cases: dict[str, tuple[Callable[[str], object], list[str]]] = {
            f"{label}: leadq.compile": (leadq.compile, texts),
            f"{label}: leadq.check": (leadq.check, texts),
            f"{label}: floor, a bare Lark LALR parse": (floor.parse, texts),
        }
        for name, fn in peers.items():
            cases[f"{label}: peer parse, {name}"] = (fn, [f[syntax[name]] for f in filters])
        got = measure(cases, rounds)
        speed.update(got)
        compile_us = got[f"{label}: leadq.compile"]["median_us"]
        check_us = got[f"{label}: leadq.check"]["median_us"]
        floor_us = got[f"{label}: floor, a bare Lark LALR parse"]["median_us"]
        peer_us = min((got[f"{label}: peer parse, {n}"]["median_us"] for n in peers), default=float("nan"))
        ratios[f"{label}: compile / floor (target <= 1.0)"] = (compile_us / floor_us, compile_us / floor_us <= 1.0)
        ratios[f"{label}: faster peer / compile (target >= 1.5)"] = (peer_us / compile_us, peer_us / compile_us >= 1.5)
        ratios[f"{label}: check / compile (target <= 1.2)"] = (check_us / compile_us, check_us / compile_us <= 1.2)
    # Pushdown against one compile of what it sends: three conditions q can say, a Lead
    # field q cannot (`city`) and two `contains` on `text` (the second is checked here).
    mixed = [
        f'result = missed and city = "c{n}" and site in ({n}, {n + 1}) and text contains "a{n}" '
        f'and duration > {n} and text contains "b{n}"'
        for n in range(size)
    ]
    sent = [leadq.pushdown(t).sent for t in mixed]
    got = measure(
        {
            "pushdown: leadq.pushdown": (leadq.pushdown, mixed),
            "pushdown: compile of what it sends": (leadq.compile, sent),
        },
        rounds,
    )
    speed.update(got)
    pushdown_ratio = (
        got["pushdown: leadq.pushdown"]["median_us"] / got["pushdown: compile of what it sends"]["median_us"]
    )
    ratios["pushdown / compile of what it sends (target <= 3)"] = (pushdown_ratio, pushdown_ratio <= 3)
    start = startup(runs)
    lint = batch(leadq_texts, count)

    base = start["python -c pass"]["median_ms"]
    attrs_ms = start["python -c 'import attrs'"]["median_ms"]
    import_ms = start["python -c 'import leadq'"]["median_ms"] - base
    process_ms = start["leadq compile 'site = 1'"]["median_ms"]
    ratios["import leadq overhead / import attrs overhead (target <= 1)"] = (
        import_ms / (attrs_ms - base),
        import_ms <= attrs_ms - base,
    )
    ratios["leadq compile process / python -c 'import attrs' (target <= 2)"] = (
        process_ms / attrs_ms,
        process_ms <= 2 * attrs_ms,
    )
    ratios[f"leadq check of {count:,} distinct filters: 1 job / 2 jobs (target >= 1.7 at 100,000)"] = (
        lint["jobs=1"] / lint["jobs=2"],
        lint["jobs=1"] / lint["jobs=2"] >= (1.7 if count >= 100_000 else 0.95),
    )

    print(f"corpus: {size} filters, {rounds} rounds, python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print(f"{'per filter':45} {'median µs':>10} {'IQR µs':>8}")
    for name, r in speed.items():
        print(f"{name:45} {r['median_us']:10.1f} {r['iqr_us']:8.1f}")
    print(f"{'whole process':45} {'median ms':>10} {'IQR ms':>8}")
    for name, r in start.items():
        print(f"{name:45} {r['median_ms']:10.1f} {r['iqr_ms']:8.1f}")
    for name, seconds in lint.items():
        print(f"{'leadq check, ' + f'{count:,} filters, ' + name:45} {seconds:9.2f}s")
    print("ratios")
    for name, (value, ok) in ratios.items():
        print(f"  {name:78} {value:8.2f}  {'met' if ok else 'NOT MET'}")

    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(
        json.dumps(
            {
                "quick": args.quick,
                "corpus": size,
                "rounds": rounds,
                "per_filter": speed,
                "startup": start,
                "batch_seconds": lint,
                "ratios": {name: {"value": v, "met": ok} for name, (v, ok) in ratios.items()},
            },
            indent=2,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    print(f"written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
