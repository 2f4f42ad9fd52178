"""`leadq probe`: ask a real account whether leadq's assumptions about the API hold
(docs/probe.md). The questions, their requests and judges are the client's
(`leadq.client._questions`); this prints them as they are answered, or the JSON report."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import leadq
from leadq import Schema

from ._config import Config
from ._connection import UsageError, add_flags, client_settings, stderr_warn

#: ANSI colours of the outcomes on a terminal.
_COLORS = {"holds": "32", "contradicted": "1;31", "could not tell": "33"}


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "probe",
        parents=[common],
        help="ask a real account whether leadq's assumptions about the API hold",
        description="Ask the account, with leads it already has, one question per assumption leadq makes "
        "about the LiveTex API (where and how to send, the answer's shape, limit, sort, offset, q's bounds, "
        "lists, terms and values, roles, relative periods), and say of each: holds, contradicted (with the "
        "requests sent, what came back and a hint), or could not tell (and why). Read-only: at most 30 "
        "requests, each asking at most 2 leads (but the two that try the maximum limit on one lead). "
        "See docs/probe.md.",
        epilog="example: LIVETEX_TOKEN=... leadq probe --format json > probe.json. Exit status: 0 every question "
        "that could be answered holds, 1 one is contradicted, 2 usage or connection problems (no list answer "
        "at all), 130 interrupted.",
    )
    p.add_argument(
        "--role",
        default=None,
        help="the account's API role (admin, operator, ...): whether it sees `text` is one of the questions",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="text (default), or json for a report")
    add_flags(p, concurrency=False)


def probe(args: argparse.Namespace, schema: Schema, config: Config, *, color: bool) -> int:
    from leadq.client._probe import ProbeRun, header, render_finding, render_skipped, summary

    from ._fetch import _checked, _role

    try:
        role = _checked("--role", args.role or config.role, lambda r: _role(r, schema))
        settings = client_settings(args, config, os.environ, sys.stdin, stderr_warn)
    except UsageError as e:
        print(e if e.shown else f"leadq: {e}", file=sys.stderr)
        return 2
    try:
        run = ProbeRun(settings, schema, role=role)
    except (TypeError, ModuleNotFoundError) as e:
        print(f"leadq: {e}", file=sys.stderr)
        return 2
    text = args.format == "text"

    def paint(word: str, outcome: object) -> str:
        return f"\x1b[{_COLORS[word]}m{word}\x1b[0m" if color else word

    with run:
        if text:
            print(header(run.report), flush=True)
        for finding in run:
            if text and not finding.skipped:
                print(render_finding(finding, paint=paint), flush=True)
    report = run.report
    skipped = [f for f in report.findings if f.skipped]
    if text and skipped:
        print(render_skipped(skipped, paint=paint))
    if report.error is not None:
        from leadq.client._errors import renamed

        from ._connection import FLAG_NAMES

        d = renamed(report.error, FLAG_NAMES).diagnostics[0]
        print(f"leadq: {d.code} {d.message}" + (f"\n  hint: {d.hint}" if d.hint else ""), file=sys.stderr)
    if text:
        print(summary(report))
    else:
        print(json.dumps(report.to_json(leadq.__version__), ensure_ascii=False, indent=2))
    return report.exit_status
