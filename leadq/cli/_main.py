"""The `leadq` command: compile, check (lint), format, decompile and explain filters.

Exit status: 0 success (or no findings at or above --fail-on), 1 findings or a filter
that does not compile, 2 usage or I/O problems.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import leadq
from leadq import Diagnostic, LeadqError, Schema, Severity, render_diagnostics

from ._config import OUTPUT_FORMATS, Config, ConfigError, find, load, selected, whole

if TYPE_CHECKING:  # the modules of `check`, `format` and `rule` load when those run (and pathlib with them)
    from pathlib import Path

    from ..files.sources import Item
    from ._inputs import Read
    from ._report import Finding

_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}

_FAIL_ON = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}


class _Help(argparse.HelpFormatter):
    """argparse's help, as wide as the terminal, measured as shutil.get_terminal_size does
    (COLUMNS, then the terminal, else 80) without loading shutil and the compression
    modules it brings: argparse makes a formatter for every option it adds, on every run."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


def _columns() -> int:
    with contextlib.suppress(KeyError, ValueError):
        if (columns := int(os.environ["COLUMNS"])) > 0:
            return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):  # no standard output, or not a terminal
        return 80


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help is `_Help` (its subcommands' parsers are of its class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Help)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        left = message.removeprefix("unrecognized arguments: ")
        if left != message and not left.startswith("-"):  # a filter the shell split into words
            message += "\nhint: a filter is one argument: put it in quotes, as in 'site = 1 and result = missed'"
        super().error(message)


def _files_options() -> _Parser:
    """The options of the commands that read files of saved filters (`check`, `format`)."""
    files = _Parser(add_help=False)  # what `check` and `format` read
    files.add_argument(
        "--encoding",
        default=None,
        metavar="NAME",
        help="the files' text encoding (default: utf-8; a UTF-8 byte-order mark is always read), e.g. cp1251",
    )
    files.add_argument(
        "--stdin-filename",
        default=None,
        metavar="NAME",
        help="the name (and, by its extension, the kind) of what - reads from standard input",
    )
    files.add_argument("--column", metavar="NAME", help="the CSV column that holds the filters (default: filter)")
    return files


def _param_options() -> _Parser:
    """The option that binds a filter's placeholders (`compile`, `fetch`, `explain`)."""
    with_params = _Parser(add_help=False)
    with_params.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help='the value of the placeholder :NAME; a JSON value (5, [1, 2], true, "text"), '
        "an ISO date or datetime, or else the text as it is; repeat for each placeholder",
    )
    return with_params


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser. `command`: build only that command's (all a run needs:
    each command's parser costs start-up time); None builds every one, as help needs."""

    def wanted(*names: str) -> bool:
        return command is None or command in names

    common = _Parser(add_help=False)
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
    parser = _Parser(
        prog="leadq",
        description="Filter expressions compiled, exactly, into the q parameter of LiveTex Leads.list.",
        epilog="Exit status: 0 ok, 1 findings or a filter that does not compile, 2 usage or I/O problems.",
    )
    parser.add_argument("--version", "-V", action="version", version=f"leadq {leadq.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    if wanted("compile"):
        p = sub.add_parser(
            "compile",
            parents=[common, _param_options()],
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
            parents=[common, _files_options()],
            help="lint saved filters",
            description="Lint saved filters: text files with one filter per line (# comments and blank lines "
            "skipped; a line may end with a # comment), .json/.toml files mapping names (nested tables too) to "
            "expressions, .csv files with a `filter` column, or - for standard input. A folder is walked for "
            "*.leadq files (*.leadq.txt, .json, .toml, .csv; the `include` and `exclude` settings), "
            "respecting .gitignore; no path checks the current folder. A trailing "
            "'# leadq: ignore[CODE,...]' suppresses codes on that filter.",
        )
        p.add_argument(
            "files", nargs="*", metavar="PATH", help="files and folders of saved filters, or - for stdin (default: .)"
        )
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
            default=None,
            help="the API role that runs the filters (operator, manager, admin, ...): warn about fields it cannot see",
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
        p.add_argument(
            "--jobs", "-j", type=whole(0), default=1, help="worker processes; 0 uses every core (default: 1)"
        )
        p.add_argument("--no-progress", action="store_true", help="never show the progress bar")
        p.add_argument(
            "--fix",
            action="store_true",
            help="make the safe fixes in the files, then report what remains (with -: print the fixed input)",
        )
        p.add_argument(
            "--unsafe-fixes",
            action="store_true",
            help="with --fix and --diff, make the unsafe fixes (guesses such as a misspelt field's nearest name) too",
        )
        p.add_argument(
            "--diff",
            action="store_true",
            help="change nothing; print the fixes as a unified diff (exit 1 when there is one)",
        )
        p.add_argument(
            "--exit-non-zero-on-fix",
            action="store_true",
            help="with --fix, exit 1 when a fix was made, even if nothing remains",
        )

    if wanted("format"):
        p = sub.add_parser(
            "format",
            parents=[common, _files_options()],
            help="rewrite saved filters in the canonical form",
            description="Rewrite the saved filters of text, JSON, TOML and CSV files in leadq's canonical form "
            "(leadq.format), keeping comments, names and the files' layout; - reads standard input and prints "
            "the result. Filters with syntax errors are left as they are, and reported (exit 1).",
        )
        p.add_argument(
            "files", nargs="*", metavar="PATH", help="files and folders of saved filters, or - for stdin (default: .)"
        )
        p.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
        p.add_argument("--diff", action="store_true", help="change nothing; print a unified diff of the changes")

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
            description="Read a raw q string (as sent to the API, or found in logs) back into a filter expression: "
            "also a q=... parameter, a request URL (leadq compile --format url prints one), an HTTP request, a "
            "curl command or a JSON body, whose sort, limit, offset and fields become the filter's tail.",
        )
        p.add_argument(
            "q",
            help="the raw q string, e.g. 'site_ids=1,2 result=missed', a URL or a request, or - to read it from stdin",
        )

    if wanted("explain"):
        p = sub.add_parser(
            "explain",
            parents=[common, _param_options()],
            help="explain what a filter means, and why it cannot compile",
            description="Show the normalized condition per field, redundant conditions, and for a filter that "
            "cannot compile why, with the smallest set of contradicting conditions or a plan of requests.",
        )
        p.add_argument("expression", help="the filter, or - to read it from stdin")
        p.add_argument(
            "--fetch",
            action="store_true",
            help="show how `leadq fetch` runs it: what is sent to the API, and what is checked on each lead",
        )

    if wanted("fetch", "fake-server"):
        from ._fetch import add_parsers

        add_parsers(sub, common, _param_options())
    if wanted("probe"):
        from ._probe import add_parser

        add_parser(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (130 after Ctrl-C). No input and no
    trouble of the environment ends in a traceback: each is said in words, with exit status 2."""
    _tolerant(sys.stdout, sys.stderr)
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # Ctrl-C: stop with one line and the status a shell gives a program that SIGINT stopped
        return _interrupted()
    except BrokenPipeError:
        # the reader went away (`leadq rule --all | head`): stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as e:  # a disk that is full, a file that went away while read
        print(f"leadq: {e.strerror or e}" + (f": {e.filename}" if e.filename else ""), file=sys.stderr)
        return 2


def _tolerant(*streams: object) -> None:
    """Print what a terminal cannot show as escapes, rather than fail (`PYTHONIOENCODING=ascii`)."""
    for stream in streams:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


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
        *("decompile", "explain", "fetch", "fake-server", "probe"),
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
    if args.command == "probe":
        from ._probe import probe

        return probe(args, schema, config, color=_color(sys.stdout))
    if args.command in ("check", "lint", "format"):
        from ._inputs import checked_encoding

        try:
            args.encoding = checked_encoding(args.encoding or config.encoding)
        except ValueError as e:
            parser.error(f"--encoding: {e}")
        return _check(args, schema, config) if args.command != "format" else _format(args, schema, config)
    source = _SOURCE
    text_arg = "q" if args.command == "decompile" else "expression"
    if getattr(args, text_arg) == "-":
        from ._inputs import InputError, read_stdin

        try:
            setattr(args, text_arg, read_stdin(flag=False).content.strip("\r\n"))
        except InputError as e:
            print(f"leadq: cannot read standard input: {e.message} ({e.hint})", file=sys.stderr)
            return 2
        source = "<stdin>"
    if args.command == "decompile":
        return _decompile(args.q, schema, source)
    try:
        values = _param_values(args.param)
    except ValueError as e:
        parser.error(str(e))
    if args.command == "fetch":
        from ._fetch import fetch

        return fetch(args, schema, values, source, config)
    if args.command == "explain" and args.fetch:
        from ._fetch import dry_run

        return dry_run(args.expression, values, schema, None, source)
    if args.command == "explain":
        analysis = _analyze(args.expression, values, schema)
        print(_painted(analysis.explain(), sys.stdout))
        return 0 if analysis.ok else 1
    fail_on = _FAIL_ON[args.fail_on or config.fail_on]
    return _compile(args.expression, args.format, schema, values, source, fail_on)


def _analyze(text: str, values: dict[str, object], schema: Schema) -> leadq.Analysis:
    """The analysis of a filter given on the command line: its messages in the command
    line's words (`--param`)."""
    from ..pipeline import analyze

    return analyze(text, schema, params=values or None, cli=True)


#: The one name diagnostics give a filter or q written on the command line (as the library does).
_SOURCE = "<filter>"


def _param_values(pairs: list[str]) -> dict[str, object]:
    """`--param NAME=VALUE` values: JSON when they read as JSON, then ISO dates and
    datetimes, else the text as it is."""
    if not pairs:
        return {}
    import json
    from datetime import date, datetime

    values: dict[str, object] = {}
    for pair in pairs:
        name, equals, raw = pair.partition("=")
        if not equals or not name.isidentifier():
            raise ValueError(f"--param takes NAME=VALUE, not {pair!r}")
        value: object
        try:
            value = json.loads(raw)
        except ValueError as e:
            if raw.lstrip().startswith(("[", "{")):  # meant as a JSON list or object
                raise ValueError(
                    f"--param {name}: {raw!r} is not valid JSON ({e.args[0]}); "
                    f"as text, write it as a JSON string: --param '{name}=\"...\"'"
                ) from None
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
    analysis = _analyze(expression, values, schema)
    threshold = _RANK[fail_on]
    failed = not analysis.ok or any(_RANK[d.severity] >= threshold for d in analysis.diagnostics)
    params = analysis.params
    query = url = None
    if fmt != "q":  # urllib and json load only for the formats that need them (start-up time)
        import json
        from urllib.parse import quote, urlencode

        query = urlencode(params, quote_via=quote, safe="")
        url = f"{schema.endpoint}?{query}" if schema.endpoint and analysis.ok else None
    if fmt == "json":  # always JSON, whatever the filter: a tool reads the diagnostics from it too
        rows = [_diagnostic_row(d) for d in analysis.diagnostics]
        out = {"q": analysis.q, "params": params, "url": url, "ok": analysis.ok, "diagnostics": rows}
        print(json.dumps(out, ensure_ascii=False))
        return 1 if failed else 0
    shown = [d for d in analysis.diagnostics if d.severity is not Severity.INFO or fail_on is Severity.INFO]
    if shown:
        print(_painted(render_diagnostics(shown, expression, path=source), sys.stderr), file=sys.stderr)
    if not analysis.ok:
        return 1
    if fmt == "q":
        print(params["q"])
    elif fmt == "params":
        print(query)
    else:
        if url is None:
            print(f"leadq: the docs give no URL for {schema.method}", file=sys.stderr)
            return 2
        print(url)
    return 1 if failed else 0


def _diagnostic_row(d: Diagnostic) -> dict[str, object]:
    return {
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        "hint": d.hint,
        "start": d.start,
        "end": d.end,
        "line": d.line,
        "column": d.column,
    }


def _decompile(text: str, schema: Schema, source: str) -> int:
    """A raw q, a `q=` parameter, a URL or a whole request, as a filter with its tail."""
    from ..q.request import read_request, tail_text

    request = read_request(text)
    analysis = leadq.analyze(request.q, schema=schema, q=True)
    if analysis.diagnostics:
        print(_painted(render_diagnostics(analysis.diagnostics, request.q, path=source), sys.stderr), file=sys.stderr)
    if analysis.tree is None or analysis.errors:
        return 1
    tail = tail_text(request.params)
    filter_text = " ".join(part for part in (leadq.format(analysis.tree), tail) if part)
    if tail:
        whole = leadq.analyze(filter_text, schema=schema)
        errors = [d for d in whole.errors if d.code not in ("E402", "E403", "E404")]
        if errors:  # the request's other parameters: a sort key or a limit the method does not take
            print(_painted(render_diagnostics(errors, filter_text, path=source), sys.stderr), file=sys.stderr)
            return 1
    print(filter_text)
    return 0


# -- configuration -----------------------------------------------------------------------------


def _config(args: argparse.Namespace) -> Config:
    if getattr(args, "isolated", False):
        return Config()
    if getattr(args, "config", None):
        from pathlib import Path

        path: Path | None = Path(args.config)
    else:
        path = find(os.getcwd())
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
    from ..core.rules import unknown_selector

    codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    if not codes:
        raise argparse.ArgumentTypeError("name at least one code or prefix, e.g. W6")
    for code in codes:
        problem = unknown_selector(code)
        if problem:
            raise argparse.ArgumentTypeError(problem)
    return codes


# -- check ---------------------------------------------------------------------------------


def _check(args: argparse.Namespace, schema: Schema, config: Config) -> int:
    from ..files.sources import ignore_problems
    from ..schemas.schema import checked_role
    from ._report import (
        SUMMARY_LINES,
        github_report,
        json_report,
        place,
        sarif_report,
        statistics_report,
        text_report,
    )

    select = args.select if args.select is not None else config.select
    ignore = args.ignore if args.ignore is not None else config.ignore
    role = args.role or config.role
    output_format = args.format or config.output_format
    threshold = _RANK[_FAIL_ON[args.fail_on or config.fail_on]]
    try:
        checked_role(role, schema)
    except LeadqError as e:
        d = e.diagnostics[0]
        print(f"leadq: {d.code} {d.message} ({d.hint})", file=sys.stderr)
        return 2
    read = _read_inputs(args, config)
    items = read.items
    jobs = args.jobs  # 0: one per core (check_many counts them)

    def reported(item: Item, code: str) -> bool:
        # a code or prefix in the filter's comment or the file's per-file-ignores drops it
        dropped = item.ignores(code) or any(code.startswith(p) for p in _file_ignores(item.path, config))
        return not dropped and selected(code, select, ignore)

    fixed = 0
    stdin = (args.stdin_filename or "<stdin>") if "-" in (args.files or []) else None
    if args.fix or args.diff:
        fixing = _Fixing(args, schema, role, jobs, reported)
        fixed = fixing.run(read)
        if args.diff:
            return fixing.diff()
        if not fixing.write(read, stdin):
            return 2
        items = read.items
    progress = not args.no_progress and sys.stderr.isatty() and len(items) >= 500
    results = _checked(items, schema, jobs=jobs, role=role, q=args.q)
    by_path: dict[str, list[Finding]] = {}
    first_of: dict[str, Item] = {}
    for item, result in zip(items, _progress(results, len(items), progress), strict=True):
        diagnostics, fingerprint = [*result.diagnostics, *ignore_problems(item)], result.fingerprint
        if fingerprint is not None:
            earlier = first_of.setdefault(fingerprint, item)
            if earlier is not item:
                diagnostics = [*diagnostics, _duplicate(item, earlier)]
        for d in sorted(diagnostics, key=lambda d: (d.start, d.end, d.code)):
            if reported(item, d.code):
                by_path.setdefault(item.path, []).append(place(item, d))
    # each file's problems of reading first, then its filters' findings, in the order read
    findings = [f for name in read.names for f in (*read.problems.get(name, ()), *by_path.get(name, ()))]
    if args.statistics:
        report = statistics_report(findings)
    else:
        color = _color(sys.stdout, args.output_file)
        report = {
            "text": lambda: text_report(
                findings, read.contents, len(items), color=color, unsafe_fixes=args.unsafe_fixes, fixed=fixed
            ),
            "json": lambda: json_report(findings),
            "sarif": lambda: sarif_report(findings, read.contents),
            "github": lambda: github_report(findings),
        }[output_format]()
    if output_format == "text" and args.quiet:
        report = "\n".join(line for line in report.split("\n") if not line.startswith(SUMMARY_LINES))
    # with --fix, standard output holds the fixed standard input, and the report goes to stderr
    if not _write(report, args.output_file, sys.stderr if args.fix and stdin is not None else sys.stdout):
        return 2
    if not items and not findings and not args.quiet:
        print("Found 0 filters", file=sys.stderr)
    if read.problems:
        return 2
    if args.exit_non_zero_on_fix and fixed:
        return 1
    return 1 if any(_RANK[f.diagnostic.severity] >= threshold for f in findings) else 0


def _checked(items: list[Item], schema: Schema, *, jobs: int, role: str | None, q: bool) -> Iterator[leadq.Checked]:
    """Each item checked against its own method (the file may name one: docs/cli.md), or the
    run's; in the order of `items`. A method no API has is E211 on each of its filters, and
    one the role may not call E212."""
    from ..batch import checked
    from ..schemas.schema import checked_role

    methods = {item.method for item in items}
    if methods <= {None}:  # one method: streamed, as the progress line wants
        yield from checked((i.text for i in items), jobs=jobs, schema=schema, stored=True, role=role, q=q, cli=True)
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
        found = checked(texts, jobs=jobs, schema=own, stored=True, role=role, q=q, cli=True)
        for k, r in zip(mine, found, strict=True):
            results[k] = r
    for k in range(len(items)):
        yield results[k]


class _Fixing:
    """`check --fix` and `check --diff`: the fixes of every input's filters, made round by
    round (`leadq.files.fixes`) and written back in each file's own quoting."""

    def __init__(
        self,
        args: argparse.Namespace,
        schema: Schema,
        role: str | None,
        jobs: int,
        reported: Callable[[Item, str], bool],
    ) -> None:
        self.args = args
        self.schema = schema
        self.role = role
        self.jobs = jobs
        self.reported = reported
        self.before: dict[str, str] = {}
        self.after: dict[str, str] = {}
        self.fixed = 0

    def check(self, items: list[Item]) -> Callable[[Sequence[int], list[str]], Iterator[tuple[Diagnostic, ...]]]:
        """How a round checks the filters of `items` as they now read: each against its
        own method, as the report does."""
        import attrs

        def check(numbers: Sequence[int], texts: list[str]) -> Iterator[tuple[Diagnostic, ...]]:
            now = [attrs.evolve(items[k], text=text) for k, text in zip(numbers, texts, strict=True)]
            for result in _checked(now, self.schema, jobs=self.jobs, role=self.role, q=self.args.q):
                yield result.diagnostics

        return check

    def run(self, read: Read) -> int:
        """Fix every input's filters (in memory); the number of fixes made."""
        from ..files.fixes import fix_filters
        from ..files.rewrite import rewrite

        placed = [i for i in read.items if i.style]  # a value leadq cannot place exactly stays as it is
        done = fix_filters(
            [i.text for i in placed],
            self.check(placed),
            unsafe=self.args.unsafe_fixes,
            wanted=lambda k, d: self.reported(placed[k], d.code),
        )
        new_text = {id(item): result.text for item, result in zip(placed, done, strict=True)}
        self.fixed = sum(result.fixes for result in done)
        for name, text in read.texts.items():
            mine = [i for i in placed if i.path == name]
            self.before[name] = text.content
            self.after[name] = rewrite(text.content, mine, lambda i: new_text.get(id(i))) if mine else text.content
        return self.fixed

    def diff(self) -> int:
        """Print the changes as a unified diff; exit status 1 when there is one."""
        import difflib

        changed = 0
        for name, content in self.before.items():
            new = self.after[name]
            if new != content:
                changed += 1
                old_lines, new_lines = content.splitlines(keepends=True), new.splitlines(keepends=True)
                sys.stdout.writelines(difflib.unified_diff(old_lines, new_lines, f"a/{name}", f"b/{name}"))
        if not self.args.quiet:
            print(_would_fix(self.fixed), file=sys.stderr)
        return 1 if changed else 0

    def write(self, read: Read, stdin: str | None) -> bool:
        """Write each changed file back (standard input's result to standard output), and
        read the filters again from what was written; False (said) when a file cannot be
        written."""
        import attrs

        from ..files.sources import read_source, text_items

        items: list[Item] = []
        for name in read.names:
            text = read.texts.get(name)
            if text is None:
                items += [i for i in read.items if i.path == name]
                continue
            new = self.after[name]
            if name == stdin:
                sys.stdout.write(new)
            elif new != text.content:
                try:
                    _write_bytes(name, text.encoded(new))
                except OSError as e:
                    print(f"leadq: cannot write {name}: {e.strerror or e}", file=sys.stderr)
                    return False
            read.texts[name] = attrs.evolve(text, content=new)
            read.contents[name] = new
            items += text_items(name, new) if self.args.q else read_source(name, new, self.args.column)[0]
        read.items = items
        return True


def _would_fix(n: int) -> str:
    return f"Would fix {n} finding{'s' if n != 1 else ''}." if n else "No fixes available."


def _read_inputs(args: argparse.Namespace, config: Config) -> Read:
    """Every input of `check` or `format`, read whatever else fails: a file that cannot
    be read or parsed, or a value in it that is no filter, is a finding of its own."""
    from ..files.sources import SourceError, read_source, text_items
    from ._inputs import InputError, Read, read_file, read_stdin
    from ._report import file_problem

    read = Read()
    stdin_name = args.stdin_filename or "<stdin>"
    for name, path in _targets(args.files or ["."], args, config, stdin_name):
        if name in read.texts or name in read.problems:
            continue
        read.names.append(name)
        try:
            text = read_stdin(name, args.encoding) if path is None else read_file(path, args.encoding)
        except InputError as e:
            read.problems[name] = [file_problem(name, e.line, e.column, e.message, e.hint)]
            continue
        read.texts[name] = text
        read.contents[name] = text.content
        bad: list[SourceError] = []
        if getattr(args, "q", False):
            found = list(text_items(name, text.content))
        else:
            found, bad = read_source(name, text.content, args.column)
        read.items += found
        if bad:
            read.problems[name] = [file_problem(name, e.line, e.column, e.message, e.hint, e.name) for e in bad]
    return read


def _targets(
    paths: list[str], args: argparse.Namespace, config: Config, stdin_name: str
) -> Iterator[tuple[str, str | None]]:
    """(name, path) of each input: `-` is standard input (path None), a folder is walked."""
    from ._paths import DEFAULT_EXCLUDE, DEFAULT_INCLUDE, DEFAULT_INCLUDE_Q, Selection, walk

    include = config.include or (DEFAULT_INCLUDE_Q if getattr(args, "q", False) else DEFAULT_INCLUDE)
    exclude = config.exclude if config.exclude is not None else DEFAULT_EXCLUDE
    selection = Selection(
        (*include, *config.extend_include), (*exclude, *config.extend_exclude), config.respect_gitignore, config.root
    )
    for arg in paths:
        if arg == "-":
            yield stdin_name, None
        elif os.path.isdir(arg):
            from pathlib import Path

            found = False
            for path in walk(Path(arg), selection):
                found = True
                yield str(path), str(path)
            if not found:
                shown = ", ".join(selection.include)
                print(f"leadq: no files of saved filters under {arg} (the files looked for: {shown})", file=sys.stderr)
        else:
            yield arg, arg


def _write_bytes(name: str, data: bytes) -> None:
    with open(name, "wb") as f:
        f.write(data)


def _file_ignores(path: str, config: Config) -> frozenset[str]:
    import fnmatch

    codes: set[str] = set()
    for glob, ignored in config.per_file_ignores:
        if fnmatch.fnmatch(path, glob) or fnmatch.fnmatch(os.path.basename(path), glob):
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


def _write(report: str, output_file: str | None, stream: TextIO | None = None) -> bool:
    """Print the report (on `stream`, standard output unless said), or write it to
    `output_file`; False (said on stderr) when that file cannot be written."""
    if not output_file:
        if report:
            print(report, file=stream or sys.stdout)
        return True
    try:
        with open(output_file, "w", encoding="utf-8") as f:
            f.write(report + ("\n" if report else ""))
    except OSError as e:
        print(f"leadq: cannot write {output_file}: {e.strerror or e}", file=sys.stderr)
        return False
    return True


def _color(stream: TextIO, output_file: str | None = None) -> bool:
    """Colour on a terminal only; NO_COLOR turns it off, FORCE_COLOR on (NO_COLOR wins).
    The same rules for every command and stream."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return output_file is None and stream.isatty()


def _painted(text: str, stream: TextIO) -> str:
    """`text` with its diagnostics' heads coloured, when `stream` gets colour."""
    if not _color(stream):
        return text
    from ._report import paint

    return paint(text)


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


def _format(args: argparse.Namespace, schema: Schema, config: Config) -> int:
    """Rewrite each input's filters in the canonical form; report those that do not parse
    (exit 1) and what could not be read (exit 2); `-` prints standard input rewritten."""
    import difflib

    from ..files.rewrite import rewrite
    from ._report import place, text_report

    read = _read_inputs(args, config)
    unparsed: list[Finding] = []
    for item in read.items:
        errors = [d for d in leadq.check(item.text, schema=schema) if d.code.startswith("E1")]
        if errors:
            unparsed.append(place(item, errors[0]))
    changed = 0
    stdin = (args.stdin_filename or "<stdin>") if "-" in args.files else None
    for name in read.names:
        text = read.texts.get(name)
        if text is None:
            continue
        items = [i for i in read.items if i.path == name]
        new = rewrite(text.content, items)
        if name == stdin:  # standard input: the result to standard output, as it is or rewritten
            sys.stdout.write(new)
            continue
        if new == text.content:
            continue
        changed += 1
        if args.diff:
            diff = difflib.unified_diff(
                text.content.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{name}", f"b/{name}"
            )
            sys.stdout.writelines(diff)
        elif args.check:
            print(f"would reformat {name}")
        else:
            try:
                _write_bytes(name, text.encoded(new))
            except OSError as e:
                print(f"leadq: cannot write {name}: {e.strerror or e}", file=sys.stderr)
                return 2
            print(f"reformatted {name}", file=sys.stderr)
    problems = [f for name in read.names for f in read.problems.get(name, ())]
    if problems or unparsed:
        shown = text_report([*problems, *unparsed], read.contents, 0, color=_color(sys.stderr), summary=False)
        print(shown, file=sys.stderr)
    if stdin is not None and read.names == [stdin]:
        pass  # only standard input: its result says it all
    elif not args.check and not args.diff:
        done = f"{changed} file{'s' if changed != 1 else ''} reformatted"
        if unparsed:
            n = len(unparsed)
            left = "they are" if n != 1 else "it is"
            done += f"; {n} filter{'s' if n != 1 else ''} with syntax errors left as {left}"
        print(done, file=sys.stderr)
    elif unparsed:
        n = len(unparsed)
        print(f"{n} filter{'s' if n != 1 else ''} with syntax errors cannot be formatted", file=sys.stderr)
    if problems:
        return 2
    return 1 if unparsed or (changed and (args.check or args.diff)) else 0


# -- lsp -----------------------------------------------------------------------------------


def _lsp() -> int:
    try:
        from leadq.lsp import main as serve
    except ImportError as e:
        from ..core.extras import install_hint

        print(f"leadq lsp needs {e.name or 'pygls'}: {install_hint('lsp')}", file=sys.stderr)
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
            noun = "criterion" if len(schema.criteria) == 1 else "criteria"
            print(f"{method:40} {len(schema.criteria):3} {noun}{returns}")
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
