"""The playground's load time from a local server: `python -m benchmarks.playground [--quick]`.

Builds the docs site (`mkdocs build`, playground included), serves it on 127.0.0.1 and
opens the playground in Debian's Chromium several times, each in a fresh browser context
(nothing cached): the time from navigation until leadq answers in the page, and the page's
own count from its script's start. Needs what tests/test_playground.py needs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "playground"))
import harness  # noqa: E402


def run(rounds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        site = harness.build_site(Path(tmp) / "site")
        size = sum(f.stat().st_size for f in (site / "playground" / "assets").rglob("*") if f.is_file())
        wall, page = [], []
        with harness.serve(site) as url, harness.chromium() as browser:
            for _ in range(rounds):
                context = browser.new_context()
                tab = context.new_page()
                start = time.monotonic()
                page.append(harness.load(tab, url))
                wall.append((time.monotonic() - start) * 1000)
                context.close()
    return {"wall_ms": statistics.median(wall), "page_ms": statistics.median(page), "assets_mb": size / 1e6}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.playground")
    parser.add_argument("--quick", action="store_true", help="one load instead of five")
    args = parser.parse_args(argv)
    why = harness.missing()
    if why is not None:
        print(f"skipped: {why}")
        return 0
    r = run(1 if args.quick else 5)
    print(
        f"playground, cold load from 127.0.0.1 (median of {1 if args.quick else 5}): {r['wall_ms']:.0f} ms from "
        f"navigation to leadq ready ({r['page_ms']:.0f} ms of it in the page's script); "
        f"{r['assets_mb']:.1f} MB of assets"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
