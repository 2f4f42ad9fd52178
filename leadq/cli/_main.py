"""The `leadq` command: compile, check (lint), format, decompile and explain filters.

Exit status: 0 success (or no findings at or above --fail-on), 1 findings or a filter
that does not compile, 2 usage or I/O problems.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import leadq
from leadq import Diagnostic, LeadqError, Schema, Severity, render_diagnostics

from ._config import OUTPUT_FORMATS, Config, ConfigError, find, load, selected

if TYPE_CHECKING:  # the modules of `check`, `format` and `rule` load when those run
    from ..files.sources import Item
    from ._report import Finding

_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}

_FAIL_ON = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser. `command`: build only that command's (all a run needs:
    each command's parser costs start-up time); None builds every one, as help needs."""

    def wanted(*names: str) -> bool:
        return command is None or command in names

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--method",
        default=None,
        metavar="NAME",
        help="the API list method whose criteria apply, in any letter case (default: Leads.list; "
        "`leadq methods` lists them)",
    )
    common.add_argument(
        "--config",
        metavar="FILE",
        help="read settings from FILE (leadq.toml, or a pyproject.toml with [tool.leadq]) instead of the "
        "one found from the current folder up",
    )
    common.add_argument("--isolated", action="store_true", help="read no configuration file")
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

    if wanted("compile"):
        p = sub.add_parser(
            "compile",
            parents=[common, with_params],
            help="print the q of a filter expression",
            description="Compile a filter (and its optional query tail) into the request for Leads.list.",
            epilog="example: leadq compile 'result=missed and site in (1,2) order by created_at desc limit 20'",
        )
        p.add_argument(
            "expression", help="the filter, e.g. 'result=missed and site in (1,2)', or - to read it from stdin"
        )
        p.add_argument(
            "--fail-on",
            choices=tuple(_FAIL_ON),
            default=None,
            help="exit 1 when a diagnostic is at least this severe (default: error); warnings print to stderr",
        )
        p.add_argument(
            "--format",
            choices=("q", "params", "url", "json"),
            default="q",
            help="q: the q string; params: the URL-encoded query (q, sort, limit, offset, fields); "
            "url: the full request URL; json: all of them (default: q)",
        )

    if wanted("check", "lint"):
        p = sub.add_parser(
            "check",
            aliases=["lint"],
            parents=[common],
            help="lint saved filters",
            description="Lint saved filters: text files with one filter per line (# comments and blank lines "
            "skipped; a line may end with a # comment), .json/.toml files mapping names (nested tables too) to "
            "expressions, .csv files with a `filter` column, or - for standard input. A trailing "
            "'# leadq: ignore[CODE,...]' suppresses codes on that filter.",
        )
        p.add_argument("files", nargs="*", metavar="FILE", help="files of saved filters, or - for stdin")
        p.add_argument("--q", action="store_true", help="the files hold raw q strings (one per line), not expressions")
        p.add_argument(
            "--format",
            "--output-format",
            dest="format",
            choices=OUTPUT_FORMATS,
            default=None,
            help="text for people, json, sarif (2.1.0, for code scanning) or github (workflow annotations)",
        )
        p.add_argument(
            "--fail-on",
            choices=tuple(_FAIL_ON),
            default=None,
            help="exit 1 when a finding is at least this severe (default: error)",
        )
        p.add_argument(
            "--role",
            choices=_roles(),
            default=None,
            help="the API role that runs the filters: warn about fields it cannot see",
        )
        p.add_argument(
            "--select",
            type=_code_list,
            default=None,
            metavar="CODES",
            help="report only these codes or prefixes, comma-separated (E2,W605)",
        )
        p.add_argument(
            "--ignore", type=_code_list, default=None, metavar="CODES", help="never report these codes or prefixes"
        )
        p.add_argument("--statistics", action="store_true", help="print a count per code instead of each finding")
        p.add_argument("--quiet", "-q", action="store_true", help="print the findings only: no summary line")
        p.add_argument(
            "--output-file", "-o", metavar="FILE", help="write the report to FILE instead of standard output"
        )
        p.add_argument("--column", metavar="NAME", help="the CSV column that holds the filters (default: filter)")
        p.add_argument("--jobs", "-j", type=int, default=1, help="worker processes; 0 uses every core (default: 1)")
        p.add_argument("--no-progress", action="store_true", help="never show the progress bar")

    if wanted("format"):
        p = sub.add_parser(
            "format",
            parents=[common],
            help="rewrite saved filters in the canonical form",
            description="Rewrite the saved filters of text, JSON, TOML and CSV files in leadq's canonical form "
            "(leadq.format), keeping comments, names and the files' layout. Filters with syntax errors are left "
            "as they are.",
        )
        p.add_argument("files", nargs="+", metavar="FILE", help="files of saved filters")
        p.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
        p.add_argument("--diff", action="store_true", help="change nothing; print a unified diff of the changes")
        p.add_argument("--column", metavar="NAME", help="the CSV column that holds the filters (default: filter)")

    if wanted("lsp"):
        sub.add_parser(
            "lsp",
            help="run the language server over stdio (needs the lsp extra)",
            description="A language server for files of saved filters: diagnostics, completion, hover, "
            "formatting and quick fixes. Settings (initializationOptions or workspace configuration): "
            "method, role. See docs/editors.md.",
        )

    if wanted("rule"):
        p = sub.add_parser(
            "rule",
            help="explain a diagnostic code",
            description="Print what a diagnostic code means, an example and the fix (the text of docs/diagnostics.md).",
        )
        p.add_argument("code", nargs="?", help="a code, e.g. E402")
        p.add_argument("--all", action="store_true", help="every code")

    if wanted("methods"):
        sub.add_parser(
            "methods",
            help="list the API methods leadq speaks",
            description="List every LiveTex list method whose server takes q, by resource, with its criteria "
            "count and the objects it returns (docs/methods/).",
        )

    if wanted("method"):
        p = sub.add_parser(
            "method",
            help="print the reference of one API method",
            description="Print the criteria, kinds, values, operators, roles, limit and sort of one method "
            "(the text of its page in docs/methods/).",
        )
        p.add_argument("name", help="a method, in any letter case, e.g. chats.list")

    if wanted("decompile"):
        p = sub.add_parser(
            "decompile",
            parents=[common],
            help="print the filter expression a raw q string means",
            description="Read a raw q string (as sent to the API, or found in logs) back into a filter expression.",
        )
        p.add_argument("q", help="the raw q string, e.g. 'site_ids=1,2 result=missed'")

    if wanted("explain"):
        p = sub.add_parser(
            "explain",
            parents=[common, with_params],
            help="explain what a filter means, and why it cannot compile",
            description="Show the normalized condition per field, redundant conditions, and for a filter that "
            "cannot compile why, with the smallest set of contradicting conditions or a plan of requests.",
        )
        p.add_argument("expression", help="the filter")
        p.add_argument(
            "--fetch",
            action="store_true",
            help="show how `leadq fetch` runs it: what is sent to the API, and what is checked on each lead",
        )

    if wanted("fetch", "fake-server"):
        from ._fetch import add_parsers

        add_parsers(sub, common, with_params)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (130 after Ctrl-C)."""
    try:
        return _main(argv)
    except BrokenPipeError:
        # the reader went away (`leadq rule --all | head`): stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return _interrupted()


def _interrupted() -> int:
    """Ctrl-C: one line on stderr, no traceback, the shell's status for SIGINT."""
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
    print("leadq: interrupted", file=sys.stderr, flush=True)
    return 130


#: Every command's name, for building only the parser a run needs.
_COMMANDS = frozenset(
    {
        *("compile", "check", "lint", "format", "lsp", "rule", "methods", "method"),
        *("decompile", "explain", "fetch", "fake-server"),
    }
)


def _command(argv: Sequence[str]) -> str | None:
    """The command `argv` runs, when it names one before any help option."""
    for arg in argv:
        if arg in ("-h", "--help"):
            return None
        if not arg.startswith("-"):
            return arg if arg in _COMMANDS else None
    return None


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser(_command(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    if args.command == "rule":
        return _rule(args.code, args.all, parser)
    if args.command in ("methods", "method"):
        return _methods(getattr(args, "name", None))
    if args.command == "lsp":
        return _lsp()
    if args.command == "fake-server":
        from ._fetch import fake_server

        return fake_server(args)
    try:
        config = _config(args)
    except ConfigError as e:
        print(f"leadq: {e}", file=sys.stderr)
        return 2
    schema = _method(args.method or config.method, "--method" if args.method else _shown_config(config))
    if schema is None:
        return 2
    if args.command == "decompile":
        return _decompile(args.q, schema)
    if args.command in ("check", "lint"):
        return _check(args, schema, config)
    if args.command == "format":
        return _format(args, schema)
    try:
        values = _param_values(args.param)
    except ValueError as e:
        parser.error(str(e))
    source = _SOURCE
    if args.expression == "-":
        args.expression, source = sys.stdin.read().strip("\n"), "<stdin>"
    if args.command == "fetch":
        from ._fetch import fetch

        return fetch(args, schema, values, source, config)
    if args.command == "explain" and args.fetch:
        from ._fetch import dry_run

        return dry_run(args.expression, values, schema, None, source)
    if args.command == "explain":
        analysis = leadq.analyze(args.expression, values or None, schema=schema)
        print(analysis.explain())
        return 0 if analysis.ok else 1
    fail_on = _FAIL_ON[args.fail_on or config.fail_on]
    return _compile(args.expression, args.format, schema, values, source, fail_on)


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
    from urllib.parse import quote, urlencode

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
    threshold = _RANK[fail_on]
    return 1 if any(_RANK[d.severity] >= threshold for d in analysis.diagnostics) else 0


def _decompile(q: str, schema: Schema) -> int:
    analysis = leadq.analyze(q, schema=schema, q=True)
    if analysis.diagnostics:
        print(render_diagnostics(analysis.diagnostics, q, path=_SOURCE), file=sys.stderr)
    if analysis.tree is None or analysis.errors:
        return 1
    print(leadq.format(analysis.tree))
    return 0


# -- configuration -----------------------------------------------------------------------------


def _config(args: argparse.Namespace) -> Config:
    if getattr(args, "isolated", False):
        return Config()
    path = Path(args.config) if getattr(args, "config", None) else find(Path.cwd())
    return load(path, _roles()) if path is not None else Config()


def _roles() -> tuple[str, ...]:
    """Every role of the API (a run checks the role against its method's)."""
    from leadq.schemas.methods import ROLES

    return ROLES


def _method(name: str, where: str) -> Schema | None:
    """The schema of the method `name`; None after printing why there is none."""
    try:
        return leadq.schema(name)
    except LeadqError as e:
        print(render_diagnostics(e.diagnostics, name, path=where), file=sys.stderr)
        return None


def _shown_config(config: Config) -> str:
    return str(config.path) if config.path is not None else "<method>"


def _code_list(text: str) -> tuple[str, ...]:
    codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    if not codes:
        raise argparse.ArgumentTypeError("name at least one code or prefix, e.g. W6")
    return codes


# -- check ---------------------------------------------------------------------------------


def _check(args: argparse.Namespace, schema: Schema, config: Config) -> int:
    from ..files.sources import SourceError, read_items, text_items
    from ..schemas.schema import checked_role
    from ._report import github_report, json_report, place, sarif_report, statistics_report, text_report

    files: list[str] = args.files or ["-"]
    if files == ["-"] and sys.stdin.isatty():
        print("leadq check: name the files to lint, or pipe filters into standard input", file=sys.stderr)
        return 2
    select = args.select if args.select is not None else config.select
    ignore = args.ignore if args.ignore is not None else config.ignore
    role = args.role or config.role
    output_format = args.format or config.output_format
    threshold = _RANK[_FAIL_ON[args.fail_on or config.fail_on]]
    items: list[Item] = []
    contents: dict[str, str] = {}
    for path in files:
        name = "<stdin>" if path == "-" else path
        try:
            content = sys.stdin.read() if path == "-" else _read(path)
            found = list(text_items(name, content) if args.q else read_items(name, content, args.column))
        except (OSError, UnicodeDecodeError, SourceError) as e:
            print(f"leadq: cannot read {name}: {e}", file=sys.stderr)
            return 2
        items += found
        contents[name] = content
    try:
        checked_role(role, schema)
    except LeadqError as e:
        d = e.diagnostics[0]
        print(f"leadq: {d.code} {d.message} ({d.hint})", file=sys.stderr)
        return 2
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    progress = not args.no_progress and sys.stderr.isatty() and len(items) >= 500
    results = _checked(items, schema, jobs=jobs, role=role, q=args.q)
    findings: list[Finding] = []
    first_of: dict[str, Item] = {}
    for item, result in zip(items, _progress(results, len(items), progress), strict=True):
        diagnostics, fingerprint = list(result.diagnostics), result.fingerprint
        if fingerprint is not None:
            earlier = first_of.setdefault(fingerprint, item)
            if earlier is not item:
                diagnostics = [*diagnostics, _duplicate(item, earlier)]
        ignored = item.ignore | _file_ignores(item.path, config)
        for d in sorted(diagnostics, key=lambda d: (d.start, d.end, d.code)):
            if d.code not in ignored and selected(d.code, select, ignore):
                findings.append(place(item, d))
    if args.statistics:
        report = statistics_report(findings)
    else:
        report = {
            "text": lambda: text_report(findings, contents, len(items), color=_color(args.output_file)),
            "json": lambda: json_report(findings),
            "sarif": lambda: sarif_report(findings),
            "github": lambda: github_report(findings),
        }[output_format]()
    if output_format == "text" and args.quiet:
        report = "\n".join(line for line in report.split("\n") if not line.startswith("Found "))
    _write(report, args.output_file)
    if not items and not args.quiet:
        print("Found 0 filters", file=sys.stderr)
    return 1 if any(_RANK[f.diagnostic.severity] >= threshold for f in findings) else 0


def _checked(items: list[Item], schema: Schema, *, jobs: int, role: str | None, q: bool) -> Iterator[leadq.Checked]:
    """Each item checked against its own method (the file may name one: docs/cli.md), or the
    run's; in the order of `items`. A method no API has is E211 on each of its filters, and
    one the role may not call E212."""
    from ..schemas.schema import checked_role

    methods = {item.method for item in items}
    if methods <= {None}:  # one method: streamed, as the progress line wants
        yield from leadq.check_many((i.text for i in items), jobs=jobs, schema=schema, stored=True, role=role, q=q)
        return
    results: dict[int, leadq.Checked] = {}
    for method in methods:
        mine = [k for k, item in enumerate(items) if item.method == method]
        try:
            own = schema if method is None else leadq.schema(method)
            checked_role(role, own)  # a role that may not call the file's method: E212 on each filter
        except LeadqError as e:
            d = e.diagnostics[0]
            for k in mine:
                unknown = Diagnostic(d.code, d.severity, d.message, 0, len(items[k].text), 1, 1, d.hint)
                results[k] = leadq.Checked(items[k].text, None, (unknown,), None)
            continue
        texts = (items[k].text for k in mine)
        for k, r in zip(mine, leadq.check_many(texts, jobs=jobs, schema=own, stored=True, role=role, q=q), strict=True):
            results[k] = r
    for k in range(len(items)):
        yield results[k]


def _file_ignores(path: str, config: Config) -> frozenset[str]:
    import fnmatch

    codes: set[str] = set()
    for glob, ignored in config.per_file_ignores:
        if fnmatch.fnmatch(path, glob) or fnmatch.fnmatch(Path(path).name, glob):
            codes.update(ignored)
    return frozenset(codes)


def _duplicate(item: Item, earlier: Item) -> Diagnostic:
    """W608: the filter means the same as an earlier one of this run."""
    where = f"{earlier.path}:{earlier.line}"
    named = f"`{earlier.name}` ({where})" if earlier.name else where
    return Diagnostic(
        "W608",
        Severity.WARNING,
        f"this filter means the same as {named}",
        0,
        len(item.text),
        1,
        1,
        "keep one of the two",
    )


def _write(report: str, output_file: str | None) -> None:
    if output_file:
        with open(output_file, "w", encoding="utf-8") as f:
            f.write(report + ("\n" if report else ""))
    elif report:
        print(report)


def _color(output_file: str | None) -> bool:
    """Colour on a terminal only; NO_COLOR turns it off, FORCE_COLOR on (NO_COLOR wins)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return output_file is None and sys.stdout.isatty()


def _read(path: str) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def _progress(results: Iterable[leadq.Checked], total: int, show: bool) -> Iterator[leadq.Checked]:
    step = max(1, total // 100)
    for done, result in enumerate(results, 1):
        if show and (done % step == 0 or done == total):
            filled = 30 * done // total
            print(f"\r[{'#' * filled}{' ' * (30 - filled)}] {done:,}/{total:,} filters", end="", file=sys.stderr)
        yield result
    if show:
        print(file=sys.stderr)


# -- format ---------------------------------------------------------------------------------


def _format(args: argparse.Namespace, schema: Schema) -> int:
    import difflib

    from ..files.rewrite import rewrite
    from ..files.sources import SourceError, read_items

    changed = 0
    for path in args.files:
        try:
            content = _read(path)
            items = list(read_items(path, content, args.column))
        except (OSError, UnicodeDecodeError, SourceError) as e:
            print(f"leadq: cannot read {path}: {e}", file=sys.stderr)
            return 2
        new = rewrite(content, items)
        if new == content:
            continue
        changed += 1
        if args.diff:
            diff = difflib.unified_diff(
                content.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}"
            )
            sys.stdout.writelines(diff)
        elif args.check:
            print(f"would reformat {path}")
        else:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(new)
            print(f"reformatted {path}", file=sys.stderr)
    if not args.check and not args.diff:
        print(f"{changed} file{'s' if changed != 1 else ''} reformatted", file=sys.stderr)
    return 1 if changed and (args.check or args.diff) else 0


# -- lsp -----------------------------------------------------------------------------------


def _lsp() -> int:
    try:
        from leadq.lsp import main as serve
    except ImportError as e:
        print(f"leadq lsp needs the lsp extra: pip install 'leadq[lsp]' ({e})", file=sys.stderr)
        return 2
    import signal

    interrupted = []

    def on_interrupt(signum: int, frame: object) -> None:
        interrupted.append(signum)
        raise KeyboardInterrupt

    # the server stops quietly on Ctrl-C; the command still says so, and exits 130
    signal.signal(signal.SIGINT, on_interrupt)
    serve()
    return _interrupted() if interrupted else 0


# -- rule ----------------------------------------------------------------------------------


def _methods(name: str | None) -> int:
    from leadq.schemas.reference import page

    if name is None:
        for method in leadq.METHODS:
            schema = leadq.METHODS[method]
            returns = f", returns {schema.object_type}" if schema.object_type else ""
            print(f"{method:40} {len(schema.criteria):3} criteria{returns}")
        return 0
    found = _method(name, "<method>")
    if found is None:
        return 2
    print(page(found), end="")
    return 0


def _rule(code: str | None, every: bool, parser: argparse.ArgumentParser) -> int:
    if not every and not code:
        parser.error("name a code (leadq rule E402), or --all")
    from ._rules import rule_sections

    sections = rule_sections()
    if every:
        print("\n\n".join(sections.values()))
        return 0
    assert code is not None
    key = code.strip().upper()
    if key not in sections:
        print(f"leadq: no code {code!r}; `leadq rule --all` lists them", file=sys.stderr)
        return 2
    print(sections[key])
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
