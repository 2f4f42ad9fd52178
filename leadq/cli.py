"""The `leadq` command: compile filters, lint saved filters, decompile raw q strings."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from ._api import check, compile, decompile_with_diagnostics
from ._diagnostics import Diagnostic, LeadqError, Severity, render
from ._format import format_node
from ._schema import LEADS_LIST, LEADS_LIST_ROUTED, Schema

_SCHEMAS = {"leads.list": LEADS_LIST, "leads.listrouted": LEADS_LIST_ROUTED}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadq",
        description="Compile filter expressions into the q parameter of LiveTex Leads.list.",
    )
    parser.add_argument(
        "--method",
        default="leads.list",
        choices=sorted(_SCHEMAS),
        type=str.lower,
        help="the API method whose criteria apply (default: leads.list)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("compile", help="print the q string of a filter expression")
    p.add_argument("expression", help="the filter, e.g. 'result=missed and site in (1,2)'")
    p.add_argument("--format", choices=("q", "json"), default="q", help="output format (default: q)")

    p = sub.add_parser("check", aliases=["lint"], help="lint filters: one per line in FILES, or - for stdin")
    p.add_argument("files", nargs="*", default=["-"], metavar="FILE", help="files of filters (default: stdin)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")

    p = sub.add_parser("decompile", help="print the filter expression a raw q string means")
    p.add_argument("q", help="the raw q string, e.g. 'site_ids=1,2 result=missed'")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 findings, 2 usage or I/O)."""
    args = _parser().parse_args(argv)
    schema: Schema = _SCHEMAS[args.method]
    if args.command == "compile":
        return _compile(args.expression, args.format, schema)
    if args.command == "decompile":
        return _decompile(args.q, schema)
    return _check(args.files, args.format, schema)


def _compile(expression: str, fmt: str, schema: Schema) -> int:
    try:
        q = compile(expression, schema=schema)
    except LeadqError as e:
        print(render(e.diagnostics, expression, "<expression>"), file=sys.stderr)
        return 1
    print(json.dumps({"q": q}, ensure_ascii=False) if fmt == "json" else q)
    return 0


def _decompile(q: str, schema: Schema) -> int:
    node, diagnostics = decompile_with_diagnostics(q, schema)
    if diagnostics:
        print(render(diagnostics, q, "<q>"), file=sys.stderr)
    if node is None:
        return 1
    print(format_node(node))
    return 0


def _check(files: Sequence[str], fmt: str, schema: Schema) -> int:
    found: list[tuple[str, int, str, Diagnostic]] = []
    for path in files:
        try:
            if path == "-":
                content = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as f:
                    content = f.read()
        except (OSError, UnicodeDecodeError) as e:
            print(f"leadq: cannot read {path}: {e}", file=sys.stderr)
            return 2
        name = "<stdin>" if path == "-" else path
        for number, line in enumerate(content.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            for d in check(line, schema=schema):
                found.append((name, number, line, d))
    if fmt == "json":
        rows = [
            {
                "path": name,
                "line": number,
                "column": d.column,
                "code": d.code,
                "severity": d.severity.value,
                "message": d.message,
                "hint": d.hint,
            }
            for name, number, _, d in found
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for name, number, line, d in found:
            print(render([d], line, name).replace(f"{name}:1:", f"{name}:{number}:", 1))
    return 1 if any(d.severity is Severity.ERROR for *_, d in found) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
