"""What a run through the API costs: `python -m benchmarks.fetch [--quick]`.

A mixed corpus of filters — ones `compile` takes, plans, filters with a residual, filters
on Lead fields q has no criterion for — runs with `leadq.Client` against the fake LiveTex
server (`leadq.testing`) on a generated data set, in pages of 100. For each, the requests
made and the leads transferred per lead returned, beside the way without pushdown: fetch
every lead and filter locally. Every run's leads are checked against `leadq.evaluate`.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

import leadq
from leadq.testing import FakeLiveTex, generate_leads

NOW = datetime(2030, 1, 1, 12, 0)  # after the last generated lead: a run reads leads created before it
CORPUS = [
    "result = missed and site in (1, 2)",  # compiles
    "type = form and duration > 60",
    'created_at >= 2024-03-01 and created_at < 2024-04-01 and text contains "price"',
    "type = form or result = missed",  # a plan
    "site = 1 or department = 12",
    'text contains "price" and text contains "order"',  # a residual on q's own criterion
    "result = completed and site != 3",
    'site = 2 and city = "Moscow"',  # Lead fields q has no criterion for
    'result = missed and visit_count >= 5 and site.url contains "shop"',
    'not (city = "Kazan") and type = callback',
    'city = "Omsk" or city = "Tver"',  # nothing q can say: every lead travels
]


def run(size: int) -> list[dict[str, float | str]]:
    data = generate_leads(size, seed=1)
    rows: list[dict[str, float | str]] = []
    with FakeLiveTex(data, lifetime=3600) as api, leadq.Client("test-token", base_url=api.url) as client:
        for text in CORPUS:
            got = [lead["id"] for lead in client.leads(text, now=NOW)]
            want = [lead["id"] for lead in data if leadq.evaluate(text, lead, now=NOW)]
            assert got == want, text
            pushed = client.stats
            every = [lead for lead in client.leads("", now=NOW) if leadq.evaluate(text, lead, now=NOW)]
            assert [lead["id"] for lead in every] == want
            whole = client.stats
            rows.append(
                {
                    "filter": text,
                    "returned": len(got),
                    "requests": pushed.requests,
                    "transferred": pushed.leads_transferred,
                    "requests_all": whole.requests,
                    "transferred_all": whole.leads_transferred,
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fetch")
    parser.add_argument("--quick", action="store_true", help="500 leads instead of 5,000")
    args = parser.parse_args(argv)
    size = 500 if args.quick else 5000
    rows = run(size)
    print(
        f"{size:,} leads; per filter: leads returned, then requests and leads transferred with pushdown | "
        "fetching everything and filtering locally"
    )
    print(f"{'filter':70} {'returned':>8} {'req':>5} {'leads':>6} | {'req':>5} {'leads':>6}")
    for r in rows:
        print(
            f"{str(r['filter'])[:70]:70} {r['returned']:8.0f} {r['requests']:5.0f} {r['transferred']:6.0f} | "
            f"{r['requests_all']:5.0f} {r['transferred_all']:6.0f}"
        )
    returned = sum(float(r["returned"]) for r in rows)
    for label, req, moved in (
        ("pushdown", "requests", "transferred"),
        ("everything", "requests_all", "transferred_all"),
    ):
        requests = sum(float(r[req]) for r in rows)
        transferred = sum(float(r[moved]) for r in rows)
        print(
            f"{label:10}: {requests / returned:.3f} requests and {transferred / returned:.2f} leads transferred "
            f"per lead returned ({requests:.0f} requests, {transferred:.0f} leads for {returned:.0f} returned)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
