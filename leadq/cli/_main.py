"""The `leadq` command: compile filters, lint saved filters, decompile and explain.

Exit status: 0 success (or no findings at or above --fail-on), 1 findings or a filter
that does not compile, 2 usage or I/O problems.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from multiprocessing import Pool
from urllib.parse import quote, urlencode

import leadq
from leadq import LEADS_LIST, LEADS_LIST_ROUTED, Diagnostic, Schema, Severity, render_diagnostics

from ._report import RANK, Finding, github_report, json_report, place, sarif_report, text_report
from ._sources import Item, SourceError, read_items, text_items

_SCHEMAS = {"leads.list": LEADS_LIST, "leads.listrouted": LEADS_LIST_ROUTED}
_FAIL_ON = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--method",
        default="leads.list",
        type=str.lower,
        choices=sorted(_SCHEMAS),
        help="the API method whose criteria apply (default: leads.list)",
    )
    with_params = argparse.ArgumentParser(add_help=False)
    with_params.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help='the value of the placeholder :NAME; a JSON value (5, [1, 2], true, "text"), '
        "an ISO date or datetime, or else the text as it is; repeat for each placeholder",
    )
    parser = argparse.ArgumentParser(
        prog="leadq",
        description="Filter expressions compiled, exactly, into the q parameter of LiveTex Leads.list.",
        epilog="Exit status: 0 ok, 1 findings or a filter that does not compile, 2 usage or I/O problems.",
    )
    parser.add_argument("--version", action="version", version=f"leadq {leadq.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "compile",
        parents=[common, with_params],
        help="print the q of a filter expression",
        description="Compile a filter (and its optional query tail) into the request for Leads.list.",
        epilog="example: leadq compile 'result=missed and site in (1,2) order by created_at desc limit 20'",
    )
    p.add_argument("expression", help="the filter, e.g. 'result=missed and site in (1,2)', or - to read it from stdin")
    p.add_argument(
        "--fail-on",
        choices=tuple(_FAIL_ON),
        default="error",
        help="exit 1 when a diagnostic is at least this severe (default: error); warnings print to stderr",
    )
    p.add_argument(
        "--format",
        choices=("q", "params", "url", "json"),
        default="q",
        help="q: the q string; params: the URL-encoded query (q, sort, limit, offset, fields); "
        "url: the full request URL; json: all of them (default: q)",
    )

    p = sub.add_parser(
        "check",
        aliases=["lint"],
        parents=[common],
        help="lint saved filters",
        description="Lint saved filters: text files with one filter per line (# comments and blank lines "
        "skipped), .json/.toml files mapping names to expressions, or - for standard input. "
        "A trailing '# leadq: ignore[CODE,...]' suppresses codes on that filter.",
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="files of saved filters, or - for stdin")
    p.add_argument("--q", action="store_true", help="the files hold raw q strings (one per line), not expressions")
    p.add_argument(
        "--format",
        choices=("text", "json", "sarif", "github"),
        default="text",
        help="text for people, json, sarif (2.1.0, for code scanning) or github (workflow annotations)",
    )
    p.add_argument(
        "--fail-on",
        choices=tuple(_FAIL_ON),
        default="error",
        help="exit 1 when a finding is at least this severe (default: error)",
    )
    p.add_argument(
        "--role",
        choices=LEADS_LIST.roles,
        help="the API role that runs the filters: warn about fields it cannot see",
    )
    p.add_argument("--jobs", "-j", type=int, default=1, help="worker processes; 0 uses every core (default: 1)")
    p.add_argument("--no-progress", action="store_true", help="never show the progress bar")

    p = sub.add_parser(
        "decompile",
        parents=[common],
        help="print the filter expression a raw q string means",
        description="Read a raw q string (as sent to the API, or found in logs) back into a filter expression.",
    )
    p.add_argument("q", help="the raw q string, e.g. 'site_ids=1,2 result=missed'")

    p = sub.add_parser(
        "explain",
        parents=[common, with_params],
        help="explain what a filter means, and why it cannot compile",
        description="Show the normalized condition per field, redundant conditions, and for a filter that "
        "cannot compile why, with the smallest set of contradicting conditions or a plan of requests.",
    )
    p.add_argument("expression", help="the filter")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    schema: Schema = _SCHEMAS[args.method]
    if args.command == "decompile":
        return _decompile(args.q, schema)
    if args.command == "check" or args.command == "lint":
        return _check(args, schema)
    try:
        values = _param_values(args.param)
    except ValueError as e:
        parser.error(str(e))
    source = _SOURCE
    if args.expression == "-":
        args.expression, source = sys.stdin.read().strip("\n"), "<stdin>"
    if args.command == "explain":
        analysis = leadq.analyze(args.expression, values or None, schema=schema)
        print(analysis.explain())
        return 0 if analysis.ok else 1
    return _compile(args.expression, args.format, schema, values, source, _FAIL_ON[args.fail_on])


#: The one name diagnostics give a filter or q written on the command line (as the library does).
_SOURCE = "<filter>"


def _param_values(pairs: list[str]) -> dict[str, object]:
    """`--param NAME=VALUE` values: JSON when they read as JSON, then ISO dates and
    datetimes, else the text as it is."""
    from datetime import date, datetime

    values: dict[str, object] = {}
    for pair in pairs:
        name, equals, raw = pair.partition("=")
        if not equals or not name.isidentifier():
            raise ValueError(f"--param takes NAME=VALUE, not {pair!r}")
        value: object
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
            for reader in (date.fromisoformat, datetime.fromisoformat):
                try:
                    value = reader(raw)
                    break
                except ValueError:
                    continue
        values[name] = value
    return values


def _compile(
    expression: str, fmt: str, schema: Schema, values: dict[str, object], source: str, fail_on: Severity
) -> int:
    analysis = leadq.analyze(expression, values or None, schema=schema)
    shown = [d for d in analysis.diagnostics if d.severity is not Severity.INFO or fail_on is Severity.INFO]
    if shown:
        print(render_diagnostics(shown, expression, path=source), file=sys.stderr)
    if not analysis.ok:
        return 1
    params = analysis.params
    query = urlencode(params, quote_via=quote, safe="")
    url = f"{schema.endpoint}?{query}" if schema.endpoint else None
    if fmt == "q":
        print(params["q"])
    elif fmt == "params":
        print(query)
    elif fmt == "url":
        if url is None:
            print(f"leadq: the docs give no URL for {schema.method}", file=sys.stderr)
            return 2
        print(url)
    else:
        print(json.dumps({"q": params["q"], "params": params, "url": url}, ensure_ascii=False))
    threshold = RANK[fail_on]
    return 1 if any(RANK[d.severity] >= threshold for d in analysis.diagnostics) else 0


def _decompile(q: str, schema: Schema) -> int:
    analysis = leadq.analyze(q, schema=schema, q=True)
    if analysis.diagnostics:
        print(render_diagnostics(analysis.diagnostics, q, path=_SOURCE), file=sys.stderr)
    if analysis.tree is None or analysis.errors:
        return 1
    print(leadq.format(analysis.tree))
    return 0


# -- check ---------------------------------------------------------------------------------


def _check(args: argparse.Namespace, schema: Schema) -> int:
    files: list[str] = args.files or ["-"]
    if files == ["-"] and sys.stdin.isatty():
        print("leadq check: name the files to lint, or pipe filters into standard input", file=sys.stderr)
        return 2
    items: list[Item] = []
    lines_of: dict[str, str] = {}
    for path in files:
        name = "<stdin>" if path == "-" else path
        try:
            content = sys.stdin.read() if path == "-" else _read(path)
            found = list(text_items(name, content) if args.q else read_items(name, content))
        except (OSError, UnicodeDecodeError, SourceError) as e:
            print(f"leadq: cannot read {name}: {e}", file=sys.stderr)
            return 2
        items += found
        lines_of[name] = content
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    work = ((item, schema.method, args.q, args.role) for item in items)
    progress = not args.no_progress and sys.stderr.isatty() and len(items) >= 500
    findings: list[Finding] = []
    for item, diagnostics in _progress(_run(work, jobs, len(items)), len(items), progress):
        findings += (place(item, d) for d in diagnostics if d.code not in item.ignore)
    report = {
        "text": lambda: text_report(findings, lines_of, len(items)),
        "json": lambda: json_report(findings),
        "sarif": lambda: sarif_report(findings),
        "github": lambda: github_report(findings),
    }[args.format]()
    if report:
        print(report)
    threshold = RANK[_FAIL_ON[args.fail_on]]
    return 1 if any(RANK[f.diagnostic.severity] >= threshold for f in findings) else 0


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


Work = tuple[Item, str, bool, str | None]


def _check_one(work: Work) -> tuple[Item, list[Diagnostic]]:
    item, method, raw_q, role = work
    schema = _SCHEMAS[method.lower()]
    if raw_q:
        return item, leadq.check(item.text, schema=schema, q=True)
    return item, leadq.check(item.text, schema=schema, stored=True, role=role)


def _run(work: Iterable[Work], jobs: int, count: int) -> Iterator[tuple[Item, list[Diagnostic]]]:
    if jobs == 1 or count < 2_000:
        yield from map(_check_one, work)
        return
    with Pool(jobs) as pool:
        yield from pool.imap(_check_one, work, chunksize=500)


def _progress(
    results: Iterable[tuple[Item, list[Diagnostic]]], total: int, show: bool
) -> Iterator[tuple[Item, list[Diagnostic]]]:
    step = max(1, total // 100)
    for done, result in enumerate(results, 1):
        if show and (done % step == 0 or done == total):
            filled = 30 * done // total
            print(f"\r[{'#' * filled}{' ' * (30 - filled)}] {done:,}/{total:,} filters", end="", file=sys.stderr)
        yield result
    if show:
        print(file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
