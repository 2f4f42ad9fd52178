"""Where `compile`'s time goes, pass by pass: `python -m benchmarks.stages [--quick]`.

Each filter of a corpus that compiles runs through the passes `leadq.analyze` runs for
`compile` — lexing, parsing, checking, writing q (directly for a plain conjunction, else
through the box algebra) — with a clock read between them, so that the
passes are timed as they run together (each on its own would find the caches warmer).
Prints microseconds per filter for each pass, the least over the rounds (the least is the
one a busy machine disturbed least), and `compile` whole beside them.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import leadq
from leadq.analysis.check import check_tree
from leadq.analysis.normalize import normalize
from leadq.core.diagnostics import Report
from leadq.language.parse import _SHAPES, _parse_tokens, tokenize
from leadq.q.emit import direct_q, emit_q
from leadq.schemas.methods import LEADS_LIST

from .corpus import corpus, short_corpus

PASSES = ("lex", "parse", "check", "write q")


def _passes(texts: list[str]) -> list[float]:
    clock = time.perf_counter_ns
    spent = [0] * len(PASSES)
    _SHAPES.clear()  # the corpus as new filters: no shape seen before this pass
    for text in texts:
        t0 = clock()
        report = Report(text)
        tokens = tokenize(text)
        t1 = clock()
        tree = _parse_tokens(tokens, text)
        t2 = clock()
        logic, _ = check_tree(tree, report, LEADS_LIST, placeholders=False)
        t3 = clock()
        assert logic is not None
        if direct_q(logic, LEADS_LIST) is None:  # not a plain conjunction: the box algebra
            algebra, boxes = normalize(logic, LEADS_LIST, text)
            emit_q(algebra, boxes, logic)
        t4 = clock()
        for i, (a, b) in enumerate(((t0, t1), (t1, t2), (t2, t3), (t3, t4))):
            spent[i] += b - a
    return [ns / 1000 / len(texts) for ns in spent]


def _whole(fn: Callable[[str], object], texts: list[str]) -> float:
    _SHAPES.clear()
    start = time.perf_counter()
    for text in texts:
        fn(text)
    return (time.perf_counter() - start) * 1e6 / len(texts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.stages", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="a smoke run (CI): small corpus, few rounds")
    args = ap.parse_args(argv)
    size, rounds = (100, 2) if args.quick else (1_000, 15)
    for label, filters in (("short", short_corpus(size)), ("long", corpus(size))):
        texts = []
        for f in filters:  # the passes of a filter that compiles, and lexes and parses
            try:
                leadq.compile(f[0])
            except leadq.LeadqError:
                continue
            texts.append(f[0])
        _passes(texts)  # warm-up
        best = [min(column) for column in zip(*(_passes(texts) for _ in range(rounds)), strict=True)]
        whole = min(_whole(leadq.compile, texts) for _ in range(rounds))
        print(f"{label} corpus, {len(texts)} filters that compile, µs per filter (least of {rounds} rounds):")
        for name, us in zip(PASSES, best, strict=True):
            print(f"  {name:10} {us:7.1f}")
        print(f"  {'sum':10} {sum(best):7.1f}")
        print(f"  {'compile':10} {whole:7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
