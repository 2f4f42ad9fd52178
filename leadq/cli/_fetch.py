"""`leadq fetch` and `leadq fake-server`: run a filter through the API, or serve a fake one."""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator
from typing import IO, Any

import leadq
from leadq import LeadqError, Schema, render_diagnostics

_FORMATS = ("jsonl", "csv", "json")


def add_parsers(sub: Any, common: argparse.ArgumentParser, with_params: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "fetch",
        parents=[common, with_params],
        help="fetch the leads a filter matches through the API",
        description="Run a filter through the LiveTex API: send what q can say (one request or a plan), "
        "check the rest on each lead, page by keyset, retry what can be retried, and print the leads. "
        "Any filter works, conditions on Lead fields q has no criterion for (city, site.url, ...) included. "
        "See docs/fetch.md.",
        epilog="example: LIVETEX_TOKEN=... leadq fetch 'result=missed and city = \"Moscow\"' --fields id,name",
    )
    p.add_argument("expression", help="the filter, or - to read it from stdin")
    p.add_argument("--token", help="the API token (default: $LIVETEX_TOKEN)")
    p.add_argument("--username", help="an account for the OAuth2 password grant (default: $LIVETEX_USERNAME)")
    p.add_argument("--password", help="its password (default: $LIVETEX_PASSWORD)")
    p.add_argument(
        "--base-url",
        default=None,
        help="the API's base URL (default: $LIVETEX_BASE_URL, else https://web-api.livetex.ru)",
    )
    p.add_argument("--http-method", choices=("POST", "GET"), default="POST", help="how to send (default: POST)")
    p.add_argument("--role", default=None, help="the account's API role: refuse a residual it cannot see")
    p.add_argument("--fields", help="the Lead fields to print, e.g. id,name,site(url) (default: every field)")
    p.add_argument("--order", help="created_at (default), updated_at, duration or result, optionally `desc`")
    p.add_argument("--max", type=int, default=None, metavar="N", help="print at most N leads")
    p.add_argument("--format", choices=_FORMATS, default="jsonl", help="jsonl (default), csv or json")
    p.add_argument("--dry-run", action="store_true", help="print the requests and the residual; send nothing")
    p.add_argument("--progress", action="store_true", help="show the progress bar even when stderr is no terminal")
    p.add_argument("--no-progress", action="store_true", help="never show the progress bar")
    p.add_argument("--concurrency", type=int, default=4, help="requests at once (default: 4)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for each answer (default: 30)")
    p.add_argument("--retries", type=int, default=5, help="retries of one request (default: 5)")
    p.add_argument("--page-size", type=int, default=100, help=argparse.SUPPRESS)

    p = sub.add_parser(
        "fake-server",
        help="serve a fake LiveTex API on 127.0.0.1, with generated leads",
        description="Run leadq.testing.FakeLiveTex on a generated data set, to try `leadq fetch` and your "
        "own integrations without the real API. Stops on Ctrl-C (or after --lifetime seconds).",
    )
    p.add_argument("--port", type=int, default=8765, help="the port (default: 8765; 0 picks a free one)")
    p.add_argument("--leads", type=int, default=1000, help="how many leads to generate (default: 1000)")
    p.add_argument("--seed", type=int, default=0, help="the seed of the generated data (default: 0)")
    p.add_argument("--token", default="test-token", help="the token it accepts (default: test-token)")
    p.add_argument("--lifetime", type=float, default=None, help="stop after this many seconds")


def dry_run(text: str, values: dict[str, object], schema: Schema, role: str | None, source: str) -> int:
    """`fetch --dry-run` and `explain --fetch`: the requests and the residual; nothing sent."""
    try:
        split = leadq.pushdown(text, values or None, schema=schema, role=role)
    except LeadqError as e:
        print(render_diagnostics(e.diagnostics, text, path=source), file=sys.stderr)
        return 1
    print(split.explain())
    return 0


def fetch(args: argparse.Namespace, schema: Schema, values: dict[str, object], source: str) -> int:
    text = args.expression
    if args.dry_run:
        return dry_run(text, values, schema, args.role, source)
    token = args.token or os.environ.get("LIVETEX_TOKEN")
    username = args.username or os.environ.get("LIVETEX_USERNAME")
    password = args.password or os.environ.get("LIVETEX_PASSWORD")
    if token is None and (username is None or password is None):
        print("leadq: give --token (or LIVETEX_TOKEN), or --username and --password", file=sys.stderr)
        return 2
    settings: dict[str, Any] = {"username": username, "password": password} if token is None else {}
    base_url = args.base_url or os.environ.get("LIVETEX_BASE_URL")
    if base_url:  # else the client's default, the attested https://web-api.livetex.ru
        settings["base_url"] = base_url
    try:
        client = leadq.Client(
            token,
            **settings,
            http_method=args.http_method,
            schema=schema,
            role=args.role,
            timeout=args.timeout,
            retries=args.retries,
            concurrency=args.concurrency,
            page_size=args.page_size,
        )
    except (TypeError, ModuleNotFoundError) as e:
        print(f"leadq: {e}", file=sys.stderr)
        return 2
    show = (args.progress or sys.stderr.isatty()) and not args.no_progress
    with client:
        try:
            leads = client.leads(text, values or None, fields=args.fields, order=args.order, limit=args.max)
            _write(_progress(leads, client, show), args.format, args.fields, sys.stdout)
        except (TypeError, ValueError) as e:
            print(f"leadq: {e}", file=sys.stderr)
            return 2
        except LeadqError as e:
            if show:
                print(file=sys.stderr)
            print(render_diagnostics(e.diagnostics, text, path=source), file=sys.stderr)
            return 1
    return 0


def _progress(leads: Iterable[dict[str, Any]], client: Any, show: bool) -> Iterator[dict[str, Any]]:
    """The leads, with a one-line count of requests and leads on stderr while they come."""
    last = 0.0
    for lead in leads:
        yield lead
        now = time.monotonic()
        if show and now - last > 0.1:
            last = now
            _bar(client)
    if show:
        _bar(client)
        print(file=sys.stderr)


def _bar(client: Any) -> None:
    s = client.stats
    print(
        f"\rrequests {s.requests} · leads {s.leads_returned} (of {s.leads_transferred} transferred)",
        end="",
        file=sys.stderr,
        flush=True,
    )


def _write(leads: Iterable[dict[str, Any]], fmt: str, fields: str | None, out: IO[str]) -> None:
    if fmt == "jsonl":
        for lead in leads:
            out.write(json.dumps(lead, ensure_ascii=False) + "\n")
    elif fmt == "json":
        out.write("[")
        for n, lead in enumerate(leads):
            out.write(("," if n else "") + "\n  " + json.dumps(lead, ensure_ascii=False))
        out.write("\n]\n")
    else:
        columns = _columns(fields)
        writer = csv.writer(out)
        writer.writerow(columns)
        for lead in leads:
            writer.writerow([_cell(lead.get(c)) for c in columns])


def _columns(fields: str | None) -> list[str]:
    if fields is None:
        return list(leadq.LEADS_LIST.result_fields)
    # the top-level names: `id,site(id,url)` has the columns id and site
    return [item.split("(")[0].strip() for item in re.split(r",(?![^()]*\))", fields) if item.strip()]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def fake_server(args: argparse.Namespace) -> int:
    from leadq.testing import FakeLiveTex, generate_leads

    api = FakeLiveTex(
        generate_leads(args.leads, seed=args.seed), tokens={args.token: "admin"}, lifetime=args.lifetime, port=args.port
    )
    try:
        api.start()
    except OSError as e:
        print(f"leadq: cannot listen on 127.0.0.1:{args.port}: {e}", file=sys.stderr)
        return 2
    print(f"serving {args.leads} leads at {api.url} (token: {args.token}); Ctrl-C stops", flush=True)
    print(f"try: leadq fetch --base-url {api.url} --token {args.token} 'result = missed' --max 5", flush=True)
    try:
        while api.running:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        api.stop()
    return 0
