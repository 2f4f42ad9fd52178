"""Build the docs site, serve it on 127.0.0.1 and open the playground in Debian's
Chromium: shared by tests/test_playground.py and `python -m benchmarks.playground`.

Nothing here is part of the leadq package.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("LEADQ_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def missing() -> str | None:
    """Why the playground cannot be tried here, or None when it can."""
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (it is in the test extra)"
    if shutil.which("mkdocs", path=str(Path(sys.executable).parent)) is None:
        try:
            import mkdocs  # noqa: F401
        except ImportError:
            return "mkdocs is not installed (it is in the test extra)"
    if not (ROOT / "playground" / "node_modules" / "pyodide").is_dir():
        return "the playground's npm packages are missing (npm ci in playground/; .ci/run does it)"
    return None


def build_site(out: Path) -> Path:
    """`mkdocs build --strict` of the docs, playground included, into `out`."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("LEADQ_PLAYGROUND", None)
    # not --quiet: it drops warnings before strict mode counts them (docs/decisions.md)
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"mkdocs build --strict failed:\n{done.stdout}{done.stderr}")
    return out


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - the class attribute http.server reads
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".whl": "application/zip",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def copyfile(self, source: Any, outputfile: Any) -> None:
        # the kernel's sendfile, as static servers do: copying in Python, beside the browser
        # driver in the same process, was a bottleneck of its own
        self.wfile.flush()
        self.connection.sendfile(source)


@contextmanager
def serve(site: Path, lifetime: float = 900.0) -> Iterator[str]:
    """The site on 127.0.0.1 (a free port) for the `with` block, and never longer than
    `lifetime` seconds; yields the playground's URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(site)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    timer = threading.Timer(lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/playground/"
    finally:
        timer.cancel()
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (a browser download is not possible here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


READY = '#leadq-playground[data-ready="true"]'


def load(page: Any, url: str, timeout_ms: float = 120_000) -> float:
    """Open the playground and wait for leadq's first answer in it; the time in ms from
    navigation to that answer, as the page measured it."""
    page.goto(url)
    page.wait_for_selector(READY, timeout=timeout_ms)
    return float(page.evaluate("window.leadqPlayground.readyMs"))
