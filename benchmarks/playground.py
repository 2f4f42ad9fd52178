"""The playground's first answer from a local build: `python -m benchmarks.playground [--quick]`.

Builds the docs site (`mkdocs build`, playground included), serves it on 127.0.0.1 and
opens the playground in Debian's Chromium five times, each time in a browser just started
(a cold browser: nothing cached, no compiled WebAssembly kept). Each load is timed from
navigation until leadq's first answer is on the page, and split where the time goes, from
the marks the page makes as each stage ends (playground/src/boot.js and app.js):

- the page: from navigation until the loader starts;
- fetching: until the last of Pyodide's runtime files has arrived (the browser's record);
- Python: until Pyodide has started its interpreter;
- leadq: until the bridge is imported from leadq's zip;
- first answer: until q, the diagnostics, the request and the explanation are shown.

The machine this runs on may be busy with other work: `--realtime` (root, Linux) runs the
measurement at a real-time priority, to see what an idle machine would; the report says
which, and the load average.

Needs what tests/test_playground.py needs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "playground"))
import harness  # noqa: E402

TARGET_MS = 2500
STAGES = (
    ("the page, until the loader starts", "start"),
    ("fetching Pyodide's runtime", "fetched"),
    ("starting Python", "python"),
    ("importing leadq", "leadq"),
    ("the first answer", "answer"),
)

RUNTIME = ("pyodide.asm.wasm", "pyodide.asm.js", "python_stdlib.zip")
_RECORD = """() => ({
  marks: Object.fromEntries(performance.getEntriesByType('mark')
    .filter(m => m.name.startsWith('leadq:')).map(m => [m.name.slice(6), m.startTime])),
  files: performance.getEntriesByType('resource').filter(e => e.decodedBodySize > 0)
    .map(e => [e.name.split('/').pop(), e.responseEnd]),
})"""


def one_load(site_url: str) -> dict[str, Any]:
    """One cold load: a browser just started, the playground opened, the page's record."""
    with harness.chromium() as browser:
        context = browser.new_context()
        page = context.new_page()
        start = time.monotonic()
        harness.load(page, site_url)
        wall = (time.monotonic() - start) * 1000
        record = page.evaluate(_RECORD)
        context.close()
    at = {key: record["marks"][key] for _, key in STAGES}
    # the page's own mark for this stage waits for its thread; the browser's record does not
    arrived = [end for name, end in record["files"] if name in RUNTIME]
    if len(arrived) == len(RUNTIME):
        at["fetched"] = max(at["start"], max(arrived))
    return {"at": at, "wall": wall}


def realtime() -> str:
    """Run this process and the browsers it starts from now on at a real-time priority, so
    that other work on a shared machine does not stretch the measurement (root only, on
    Linux); the site is built before, at the usual priority."""
    try:
        os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(10))
    except (AttributeError, PermissionError, OSError) as e:
        return f"not at real-time priority ({e})"
    return "at real-time priority (SCHED_RR)"


def normal() -> None:
    os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))


def run(rounds: int, at_realtime: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        site = harness.build_site(Path(tmp) / "site")
        assets = site / "playground" / "assets"
        sizes = {f.name: f.stat().st_size for f in assets.rglob("*") if f.is_file()}
        priority = realtime() if at_realtime else "at normal priority"
        try:
            with harness.serve(site) as url:
                loads = [one_load(url) for _ in range(rounds)]
        finally:
            if at_realtime:
                normal()
    at = {key: statistics.median(load["at"][key] for load in loads) for _, key in STAGES}
    answers = [load["at"]["answer"] for load in loads]
    return {
        "rounds": rounds,
        "first_answer_ms": statistics.median(answers),
        "first_answer_all_ms": answers,
        "wall_ms": statistics.median(load["wall"] for load in loads),
        "stages_ms": at,
        "assets_bytes": sizes,
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "priority": priority,
    }


def report(r: dict[str, Any]) -> str:
    lines = [
        f"playground, cold browser, local build on 127.0.0.1 (median of {r['rounds']}):",
        f"  first answer {r['first_answer_ms']:.0f} ms after navigation (target {TARGET_MS} ms: "
        f"{'met' if r['first_answer_ms'] <= TARGET_MS else 'NOT met'}); each load: "
        + ", ".join(f"{ms:.0f}" for ms in r["first_answer_all_ms"]),
        "  where the time goes (median ms at the end of each stage, and its length):",
    ]
    before = 0.0
    for label, key in STAGES:
        end = r["stages_ms"][key]
        lines.append(f"    {end:6.0f}  {end - before:+6.0f}  {label}")
        before = end
    lines.append(f"  {r['wall_ms']:.0f} ms as the test driver saw it, from navigation to ready")
    sizes = r["assets_bytes"]
    big = sorted(sizes.items(), key=lambda kv: -kv[1])[:5]
    lines.append(
        f"  {sum(sizes.values()) / 1e6:.1f} MB of assets: "
        + ", ".join(f"{name} {size / 1e6:.2f} MB" for name, size in big)
    )
    if r["load_average"] is not None:
        lines.append(
            f"  (measured {r['priority']}; load average {r['load_average']:.1f} on {os.cpu_count()} cores at the end)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.playground")
    parser.add_argument("--quick", action="store_true", help="one load instead of five")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="measure at a real-time priority (root, Linux): on a shared, busy machine, what an idle one would see",
    )
    args = parser.parse_args(argv)
    why = harness.missing()
    if why is not None:
        print(f"skipped: {why}")
        return 0
    r = run(1 if args.quick else 5, at_realtime=args.realtime)
    print(report(r))
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
