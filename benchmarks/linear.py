"""Time against input size: `python -m benchmarks.linear [--quick]`.

Each shape of input is grown to about 100,000 and 1,000,000 characters (the longest text
leadq reads) and checked (or, for the shapes marked so, split by `pushdown`, which reads
Lead fields q has no criterion for); the report gives seconds per 100k characters at both sizes and
the ratio of the two times, which is 10 when time is linear (the target: at most 12, and
every 1M-character input answered within 5 s).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable

import leadq
from leadq.language.parse import MAX_LENGTH


def _grow(unit: Callable[[int], str], joiner: str, size: int, head: str = "", tail: str = "") -> str:
    parts: list[str] = []
    length = len(head) + len(tail)
    i = 0
    while True:
        piece = unit(i)
        if length + len(piece) + len(joiner) > size:
            break
        parts.append(piece)
        length += len(piece) + len(joiner)
        i += 1
    return head + joiner.join(parts) + tail


def _check(text: str) -> object:
    return leadq.check(text)


def _pushdown(text: str) -> object:
    try:
        return leadq.pushdown(text)
    except leadq.LeadqError as e:  # too many requests, say: answered all the same
        return e


#: name -> (the input at about n characters, what is timed on it)
SHAPES: dict[str, tuple[Callable[[int], str], Callable[[str], object]]] = {
    "long id list": (lambda n: _grow(str, ",", n, "site in (", ")"), _check),
    "many duplicates": (lambda n: _grow(lambda i: "1", ",", n, "site in (", ")"), _check),
    "long conjunction": (lambda n: _grow(lambda i: "phone_exists", " and ", n), _check),
    "long disjunction": (lambda n: _grow(lambda i: f"site = {i}", " or ", n), _check),
    "lines of conditions": (lambda n: _grow(lambda i: f"duration != {i}", "\nand ", n), _check),
    "deep parentheses": (lambda n: "(" * ((n - 8) // 2) + "site = 1" + ")" * ((n - 8) // 2), _check),
    "long string": (lambda n: 'text contains "' + "a" * (n - 16) + '"', _check),
    # a Lead field q has no criterion for: E202 per condition, no "did you mean" search each
    "or of a Lead field": (lambda n: _grow(lambda i: f'city = "c{i}"', " or ", n), _check),
    "repeated unknown name": (lambda n: _grow(lambda i: f"siet = {i}", " or ", n), _check),
    "mixed or, pushdown": (lambda n: _grow(lambda i: f'site = {i} or city = "c{i}"', " or ", n), _pushdown),
    # boxes apart from one another: a plan's pieces, and whether they fill their bounding box
    "or of small boxes": (lambda n: _grow(lambda i: f"(site = {i} and duration = {i})", " or ", n), _check),
    "or of small boxes, pushdown": (
        lambda n: _grow(lambda i: f"(site = {i} and duration = {i})", " or ", n),
        _pushdown,
    ),
}


def _seconds(text: str, call: Callable[[str], object], repeat: int, clock: Callable[[], float]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        call(text)
        best = min(best, clock() - start)
    return best


def run(quick: bool, cpu: bool = False) -> dict[str, dict[str, float]]:
    small, large = (10_000, 100_000) if quick else (100_000, MAX_LENGTH)
    clock = time.process_time if cpu else time.perf_counter
    results = {}
    for name, (make, call) in SHAPES.items():
        a, b = make(small), make(large)
        ta, tb = _seconds(a, call, 3, clock), _seconds(b, call, 1 if not quick else 2, clock)
        results[name] = {
            "chars_small": len(a),
            "chars_large": len(b),
            "s_per_100k_small": ta * 100_000 / len(a),
            "s_per_100k_large": tb * 100_000 / len(b),
            "ratio": tb / ta,
            "seconds_large": tb,
        }
    return results


def report(results: dict[str, dict[str, float]]) -> str:
    lines = [f"{'shape':22} {'s/100k small':>12} {'s/100k large':>12} {'ratio':>7} {'large s':>8}"]
    for name, r in results.items():
        lines.append(
            f"{name:22} {r['s_per_100k_small']:12.3f} {r['s_per_100k_large']:12.3f} "
            f"{r['ratio']:7.1f} {r['seconds_large']:8.2f}"
        )
    worst = max(r["ratio"] for r in results.values())
    slowest = max(r["seconds_large"] for r in results.values())
    lines.append(f"worst ratio {worst:.1f} (linear: 10, target <= 12); slowest large input {slowest:.2f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.linear")
    parser.add_argument("--quick", action="store_true", help="10k and 100k characters instead of 100k and 1M")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument(
        "--cpu", action="store_true", help="time this process's CPU, not the wall clock (on a busy shared machine)"
    )
    args = parser.parse_args(argv)
    results = run(args.quick, args.cpu)
    print(report(results))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
