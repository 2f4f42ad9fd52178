"""Completion and hover at every keystroke: `python -m benchmarks.editing [--quick]`.

Every filter of the short corpus (up to 300 characters) is typed character by character;
at each cursor `leadq.complete` and `leadq.hover` run, and `leadq.parse` of the same text
beside them for scale. The target: p99 <= 2 ms for completion and for hover.

With the `lsp` extra, also the language server's diagnostics of a document of 20,000
one-line filters with errors, as a publication makes them (checked, placed in UTF-16
positions, and written as the JSON text sent): the first (every filter checked) and the
one after an edit of one line (the other filters remembered); then the same through the
real server, `leadq lsp`, spoken to over pipes. The target: <= 1 s each.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from datetime import datetime

import leadq
from leadq.language.parse import _SHAPES

FILTERS = [
    "result = missed and site in (1, 2) and phone_exists",
    'type = form and created_at >= 2024-01-01 and text contains "доставка"',
    "site in (1, 2, 3) and site != 2 and duration > 60 order by created_at desc limit 20",
    "(type = form or type = callback) and not email_exists and created_at = lastweek",
    'search_engine = "Google" and enter_page = "https://example.com/landing" and is_managed',
    "department in (4, 5) and assigned_to = 17 and result != completed and duration between 10 and 600",
    "visitor in ('a1', 'b2') and created_at between 2024-01-01T10:00:00+03:00 and 2024-02-01 fields id, site(url)",
]
NOW = datetime(2024, 2, 3, 12, 0)


def _times(fn: object, texts: list[tuple[str, int]]) -> list[float]:
    out = []
    for text, cursor in texts:
        start = time.perf_counter()
        fn(text, cursor)  # type: ignore[operator]
        out.append((time.perf_counter() - start) * 1000)
    return out


def _parse(text: str, cursor: int) -> None:
    with contextlib.suppress(leadq.LeadqError):
        leadq.parse(text)


def run(rounds: int) -> dict[str, dict[str, float]]:
    cases = [(f[:k], k) for f in FILTERS for k in range(len(f) + 1)]
    fns = {
        "complete": lambda t, c: leadq.complete(t, c, now=NOW),
        "hover": lambda t, c: leadq.hover(t, max(0, c - 1)),
        "parse (for scale)": _parse,
    }
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():  # warm-up
        _times(fn, cases)
    for _ in range(rounds):
        for name, fn in fns.items():
            _SHAPES.clear()  # each text parsed as new, as while typing: no shape seen before
            samples[name] += _times(fn, cases)
    result = {}
    for name, ms in samples.items():
        ms.sort()
        result[name] = {
            "median_ms": statistics.median(ms),
            "p99_ms": ms[int(len(ms) * 0.99) - 1],
            "max_ms": ms[-1],
            "keystrokes": len(ms),
        }
    return result


def publishing(lines: int = 20_000) -> dict[str, float]:
    """Seconds to make the diagnostics of a `lines`-line document, as the server sends them:
    the first publication and the one after an edit of one line, from a server started as
    `leadq lsp` starts it (on Linux its worker processes are forked then, before the
    document comes); and the first publication of a server whose workers are spawned by
    it (`first_spawned_s`: macOS, Windows). Empty without the `lsp` extra."""
    try:
        import asyncio
        from concurrent.futures import ProcessPoolExecutor

        from pygls.workspace import TextDocument

        from leadq.lsp._server import LeadqServer, _published, publication
    except ImportError:
        return {}
    rows = [f"site = {i} and reslt = missed\n" for i in range(lines)]

    async def publish(ls: LeadqServer, text: str, version: int) -> float:
        start = time.perf_counter()
        document = TextDocument("file:///bench.leadq", text, version=version)
        found = await _published(ls, document, lambda: True)
        assert found is not None
        publication(document.uri, version, found)  # the JSON text sent
        return time.perf_counter() - start

    async def both(ls: LeadqServer) -> tuple[float, float]:
        first = await publish(ls, "".join(rows), 1)
        edited = list(rows)
        edited[lines // 2] = "site = 1 and result = fax\n"
        return first, await publish(ls, "".join(edited), 2)

    def ended(ls: LeadqServer) -> None:
        """The server shut down, and its workers gone (they would take the next
        measurement's time)."""
        workers = ls.workers
        ls.shutdown()
        if isinstance(workers, ProcessPoolExecutor):
            workers.shutdown(wait=True)

    started = LeadqServer()
    started.fork_workers()  # as `leadq lsp` does before it serves
    try:
        first, after_edit = asyncio.run(both(started))
    finally:
        ended(started)
    spawning = LeadqServer()
    try:
        first_spawned, _ = asyncio.run(both(spawning))
    finally:
        ended(spawning)
    return {"lines": lines, "first_s": first, "after_edit_s": after_edit, "first_spawned_s": first_spawned}


def served(lines: int = 20_000) -> dict[str, float]:
    """The same document through the real server (`leadq lsp` in a process of its own,
    spoken to over its standard input and output as an editor does, the document opened
    half a second after `initialized`): seconds from sending `didOpen`, then an edit's
    `didChange`, to the first byte of the diagnostics' notification (the server has made
    and written them) and to its last (the client has read them). Empty without the `lsp`
    extra."""
    import importlib.util
    import json
    import subprocess

    if importlib.util.find_spec("pygls") is None:
        return {}
    server = subprocess.Popen(
        [sys.executable, "-m", "leadq", "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert server.stdin is not None and server.stdout is not None
    stdin, stdout = server.stdin, server.stdout

    def send(message: dict[str, object]) -> None:
        body = json.dumps(message).encode()
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        stdin.flush()

    def until(method: str | None = None, ident: int | None = None) -> float:
        """Read messages until the one asked for; when its first byte came."""
        while True:
            length, first = 0, 0.0
            while True:
                line = stdout.readline()
                if not line:
                    raise RuntimeError("the server stopped")
                first = first or time.perf_counter()
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            message = json.loads(stdout.read(length))
            if (method is not None and message.get("method") == method) or (
                ident is not None and message.get("id") == ident
            ):
                return first

    uri = "file:///bench.leadq"
    rows = [f"site = {i} and reslt = missed" for i in range(lines)]
    try:
        send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "processId": None}})
        until(ident=1)
        send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        time.sleep(0.5)
        item = {"uri": uri, "languageId": "leadq", "version": 1, "text": "\n".join(rows) + "\n"}
        start = time.perf_counter()
        send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}})
        first_made = until("textDocument/publishDiagnostics") - start
        first_read = time.perf_counter() - start
        rows[lines // 2] = "site = 1 and result = fax"
        change = {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "\n".join(rows) + "\n"}]}
        start = time.perf_counter()
        send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": change})
        edit_made = until("textDocument/publishDiagnostics") - start
        edit_read = time.perf_counter() - start
        send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        until(ident=2)
        send({"jsonrpc": "2.0", "method": "exit"})
        server.wait(30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    return {
        "first_s": first_made,
        "first_read_s": first_read,
        "after_edit_s": edit_made,
        "after_edit_read_s": edit_read,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.editing")
    parser.add_argument("--quick", action="store_true", help="one round instead of five")
    args = parser.parse_args(argv)
    result = run(1 if args.quick else 5)
    print(f"{'per keystroke':20} {'median ms':>10} {'p99 ms':>8} {'max ms':>8} {'keystrokes':>11}")
    for name, r in result.items():
        print(f"{name:20} {r['median_ms']:10.3f} {r['p99_ms']:8.3f} {r['max_ms']:8.3f} {r['keystrokes']:11}")
    worst = max(result["complete"]["p99_ms"], result["hover"]["p99_ms"])
    print(f"p99 of complete and hover: {worst:.3f} ms (target <= 2)")
    published = publishing()
    if published:
        print(
            f"language server, {published['lines']:,} lines with errors: first publication "
            f"{published['first_s']:.2f} s, after an edit of one line {published['after_edit_s']:.2f} s (target <= 1); "
            f"first publication with workers spawned by it {published['first_spawned_s']:.2f} s"
        )
    seen = served()
    if seen:
        print(
            f"the same through `leadq lsp` and a client on its pipes: first publication sent from "
            f"{seen['first_s']:.2f} s (read by {seen['first_read_s']:.2f} s), after an edit from "
            f"{seen['after_edit_s']:.2f} s (read by {seen['after_edit_read_s']:.2f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
