"""`leadq fetch` and `leadq fake-server`: run a filter through the API, or serve a fake one."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import leadq
from leadq import LeadqError, Schema, render_diagnostics
from leadq.schemas.paging import Paging, nouns

from ._config import Config, whole
from ._connection import FLAG_NAMES, UsageError, add_flags, client_settings, is_stdin, stderr_warn
from ._screen import Interrupts, Screen

_FORMATS = ("jsonl", "csv", "json")


def add_parsers(sub: Any, common: argparse.ArgumentParser, with_params: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "fetch",
        parents=[common, with_params],
        help="fetch the leads (or a --method's objects) a filter matches through the API",
        description="Run a filter through the LiveTex API: send what q can say (one request or a plan), "
        "check the rest on each object, page as the method allows (by keyset on created_at, else by offset, "
        "else in one request), check every page, retry what can be retried, and print the objects. Any filter "
        "works, conditions on fields q has no criterion for (city, site.url, ...) included. Leads.list unless "
        "--method names another. See docs/fetch.md.",
        epilog="example: LIVETEX_TOKEN=... leadq fetch 'result=missed and city = \"Moscow\"' --fields id,name; "
        "leadq fetch --method chats.list 'result = missed and site = 1'. "
        "Exit status: 0 ok, 1 a filter or API error, 2 usage, 130 interrupted.",
    )
    p.add_argument("expression", help="the filter, or - to read it from stdin")
    p.add_argument("--role", default=None, help="the account's API role: refuse a residual it cannot see")
    p.add_argument(
        "--fields", help="the fields of the method's objects to print, e.g. id,name,site(url) (default: every field)"
    )
    p.add_argument(
        "--order",
        help="a sort key of the method, optionally `desc` (Leads.list: created_at, the default, updated_at, "
        "duration or result)",
    )
    p.add_argument("--max", type=whole(0), default=None, metavar="N", help="print at most N objects")
    p.add_argument(
        "--max-requests",
        type=whole(1),
        default=None,
        metavar="N",
        help="the most requests a filter is split into (default: 16); 1 sends one request and checks the rest "
        "here, for the full guarantee",
    )
    p.add_argument("--format", choices=_FORMATS, default="jsonl", help="jsonl (default), csv or json")
    p.add_argument(
        "--since-state",
        metavar="FILE",
        help="incremental export: fetch only the objects created after the cut-off FILE holds (all, when FILE "
        "does not exist yet), then write this run's cut-off to FILE; for a method paged by keyset on created_at",
    )
    p.add_argument("--dry-run", action="store_true", help="print the requests and the residual; send nothing")
    p.add_argument("--progress", action="store_true", help="show the progress line even when stderr is no terminal")
    p.add_argument("--no-progress", action="store_true", help="never show the progress line")
    p.add_argument("--page-size", type=whole(1), default=None, help=argparse.SUPPRESS)
    add_flags(p)

    p = sub.add_parser(
        "fake-server",
        help="serve a fake LiveTex API on 127.0.0.1, with generated leads and objects of every method",
        description="Run leadq.testing.FakeLiveTex on a generated data set — leads, and the objects of every "
        "other list method at its path — to try `leadq fetch` and your own integrations without the real API. "
        "Stops on Ctrl-C (or after --lifetime seconds).",
    )
    p.add_argument("--port", type=whole(0), default=8765, help="the port (default: 8765; 0 picks a free one)")
    p.add_argument("--leads", type=whole(0), default=1000, help="how many leads to generate (default: 1000)")
    p.add_argument(
        "--objects",
        type=whole(0),
        default=100,
        metavar="N",
        help="how many objects to generate for each other method (default: 100)",
    )
    p.add_argument("--seed", type=int, default=0, help="the seed of the generated data (default: 0)")
    p.add_argument("--token", default="test-token", help="the token it accepts, for an admin (default: test-token)")
    p.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="NAME:PASSWORD[:ROLE]",
        help="an account for the password grant and HTTP Basic authentication (role: admin unless given); repeat "
        "for more",
    )
    p.add_argument(
        "--token-lifetime",
        type=whole(1),
        default=3600,
        metavar="SECONDS",
        help="expires_in of the tokens the password grant gives (default: 3600)",
    )
    p.add_argument("--lifetime", type=float, default=None, help="stop after this many seconds")
    p.add_argument(
        "--recent",
        action="store_true",
        help="the generated leads end a minute ago, as an account that gets leads (default: they start on "
        "2024-01-01), so that relative periods such as lastweek find some",
    )
    from leadq.testing._deviations import DEVIATIONS

    p.add_argument(
        "--deviation",
        action="append",
        default=[],
        choices=tuple(DEVIATIONS),
        metavar="NAME",
        help="answer otherwise than leadq assumes the API does, as `leadq probe` should notice; repeat for more "
        f"({', '.join(DEVIATIONS)}; docs/probe.md)",
    )


def dry_run(text: str, values: dict[str, object], schema: Schema, role: str | None, source: str) -> int:
    """`fetch --dry-run` and `explain --fetch`: the requests and the residual; nothing sent."""
    try:
        split = leadq.pushdown(text, values or None, schema=schema, role=role)
    except LeadqError as e:
        print(render_diagnostics(e.diagnostics, text, path=source), file=sys.stderr)
        return 1
    print(split.explain())
    return 0


def fetch(args: argparse.Namespace, schema: Schema, values: dict[str, object], source: str, config: Config) -> int:
    text = args.expression
    try:
        role = _checked("--role", args.role or config.role, lambda r: _role(r, schema))
        if args.dry_run:
            return dry_run(text, values, schema, role, source)
        if source == "<stdin>" and is_stdin(args):
            raise UsageError("the filter and a secret cannot both come from standard input (-)")
        if args.fields is not None:
            _checked("--fields", args.fields, lambda f: _fields(f, schema))
        if args.order is not None:
            _order(args.order, schema)
        after = None
        if args.since_state is not None:
            one, _ = nouns(schema)
            if not Paging.of(schema).keyset:
                raise UsageError(
                    f"--since-state needs a method paged by keyset on created_at; {schema.method} is paged "
                    f"{Paging.of(schema).describe}, and its runs have no cut-off"
                )
            if args.max is not None:
                raise UsageError(f"--since-state reads every new {one}: --max would leave some out")
            after = _read_state(Path(args.since_state), schema, text)
            _no_window(text, values, schema)
        settings = client_settings(args, config, os.environ, sys.stdin, stderr_warn)
    except UsageError as e:
        print(e if e.shown else f"leadq: {e}", file=sys.stderr)
        return 2
    try:
        if args.max_requests is not None:
            settings["max_requests"] = args.max_requests
        client = leadq.Client(**settings, schema=schema, role=role, page_size=args.page_size)
    except (TypeError, ModuleNotFoundError) as e:
        print(f"leadq: {e}", file=sys.stderr)
        return 2
    leads = client.leads(text, values or None, fields=args.fields, order=args.order, limit=args.max, after=after)
    show = (args.progress or sys.stderr.isatty()) and not args.no_progress
    failure: LeadqError | None = None
    with client, Interrupts() as interrupts:
        with Screen(sys.stdout, sys.stderr, lambda: leads.stats, show=show) as screen:
            try:
                _write(leads, args.format, _columns(args.fields, schema), screen, interrupts)
            except LeadqError as e:
                failure = e
            except (TypeError, ValueError) as e:
                print(f"leadq: {e}", file=sys.stderr)
                return 2
            finally:
                leads.close()
        notes = leads._diagnostics(FLAG_NAMES)
        if notes:
            print(render_diagnostics(notes, text, path=source), file=sys.stderr)
        if failure is not None:
            from leadq.client._errors import ApiError, renamed

            shown = renamed(failure, FLAG_NAMES) if isinstance(failure, ApiError) else failure
            print(render_diagnostics(shown.diagnostics, text, path=source), file=sys.stderr)
            return 1
    if args.since_state is not None and leads.cutoff is not None:
        cutoff = leads.cutoff.replace(tzinfo=None)
        _write_state(Path(args.since_state), schema, text, max(cutoff, after) if after is not None else cutoff)
    return 0


def _checked(flag: str, value: Any, check: Any) -> Any:
    """`check(value)`, with a diagnostic it raises shown against the flag's value."""
    if value is None:
        return None
    try:
        return check(value)
    except LeadqError as e:
        raise UsageError(render_diagnostics(e.diagnostics, str(value), path=flag), shown=True) from None


def _role(role: str, schema: Schema) -> str | None:
    from leadq.schemas.schema import checked_role

    return checked_role(role, schema)


def _fields(fields: str, schema: Schema) -> str:
    from leadq.client._run import check_fields

    if not fields.strip():
        raise UsageError("--fields names no field: name some, such as id,name")
    return check_fields(fields, schema)


def _order(order: str, schema: Schema) -> None:
    keys = schema.sort_keys or ((schema.paging_key,) if schema.paging_key else ())
    if not keys:
        raise UsageError(f"--order: {schema.method} takes no order, its objects come in the API's own order")
    words = order.replace(":", " ").split()
    if (
        not words
        or words[0] not in keys
        or len(words) > 2
        or (len(words) == 2 and words[1].lower() not in ("asc", "desc"))
    ):
        raise UsageError(f"--order takes {', '.join(keys)}, optionally followed by desc, not {order!r}")


def _no_window(text: str, values: dict[str, object], schema: Schema) -> None:
    """--since-state reads every new object: a filter's `limit` or `offset` would skip some."""
    try:
        tail = leadq.pushdown(text, values or None, schema=schema).params
    except LeadqError:
        return  # the run itself reports the filter's errors
    one, _ = nouns(schema)
    for name in ("limit", "offset"):
        if name in tail:
            raise UsageError(f"--since-state reads every new {one}: the filter's `{name}` would leave some out")


# -- incremental exports --------------------------------------------------------------------

_STATE = "leadq fetch --since-state"


def _read_state(path: Path, schema: Schema, text: str) -> datetime | None:
    """The cut-off of the last run an incremental export made (None: the first run)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot read --since-state {path}: {e}") from None
    try:
        data = json.loads(raw)
        cutoff = datetime.strptime(data["cutoff"], "%Y-%m-%dT%H:%M:%S")
        method, written = data["method"], data["filter"]
    except (ValueError, KeyError, TypeError):
        raise UsageError(f"--since-state {path} is no state {_STATE} wrote: remove it to start again") from None
    if method != schema.method or written != text:
        raise UsageError(
            f"--since-state {path} chains the exports of {method} {written!r}; this run is {schema.method} "
            f"{text!r}: give each filter a state file of its own"
        )
    return cutoff


def _write_state(path: Path, schema: Schema, text: str, cutoff: datetime) -> None:
    """The new cut-off, written whole or not at all (a file beside it, then renamed)."""
    data = {
        "written_by": _STATE,
        "method": schema.method,
        "filter": text,
        "cutoff": cutoff.strftime("%Y-%m-%dT%H:%M:%S"),
        "cutoff_zone": "Europe/Moscow",
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


# -- output -----------------------------------------------------------------------------------


def _write(
    leads: Iterable[dict[str, Any]], fmt: str, columns: list[str] | None, screen: Screen, interrupts: Interrupts
) -> None:
    """The objects as `fmt`, each line written whole; JSON is closed whatever stops the run.
    CSV's columns: `columns`, else (an object type the reference does not describe) the
    first object's fields."""
    if fmt == "jsonl":
        for lead in leads:
            line = json.dumps(lead, ensure_ascii=False) + "\n"
            with interrupts.writing():
                screen.data(line)
    elif fmt == "json":
        with interrupts.writing():
            screen.data("[")
        try:
            for n, lead in enumerate(leads):
                item = ("," if n else "") + "\n  " + json.dumps(lead, ensure_ascii=False)
                with interrupts.writing():
                    screen.data(item)
        finally:
            with interrupts.writing():
                screen.data("\n]\n")
    else:
        header = columns is not None
        if header:
            with interrupts.writing():
                screen.data(_row(columns or []))
        for lead in leads:
            if not header:
                columns, header = list(lead), True
                with interrupts.writing():
                    screen.data(_row(columns))
            row = _row([_cell(lead.get(c)) for c in columns or []])
            with interrupts.writing():
                screen.data(row)


def _row(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


def _columns(fields: str | None, schema: Schema) -> list[str] | None:
    if fields is None:
        return list(schema.result_fields) or None
    from leadq.client._run import parse_fields

    # the top-level names: `id,site(id,url)` has the columns id and site
    return list(parse_fields(fields))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- the fake server ----------------------------------------------------------------------------


def fake_server(args: argparse.Namespace) -> int:
    from leadq.testing import FakeLiveTex, generate_leads

    try:
        users = dict(_user(u) for u in args.user)
    except UsageError as e:
        print(e if e.shown else f"leadq: {e}", file=sys.stderr)
        return 2
    end = None
    if args.recent:
        from datetime import datetime, timedelta

        from leadq.core.datetimes import moscow

        end = datetime.now(moscow()) - timedelta(minutes=1)
    api = FakeLiveTex(
        generate_leads(args.leads, seed=args.seed, end=end),
        generated=args.objects,
        seed=args.seed,
        tokens={args.token: "admin"},
        users=users,
        token_lifetime=args.token_lifetime,
        lifetime=args.lifetime,
        port=args.port,
        deviations=args.deviation,
    )
    try:
        api.start()
    except OSError as e:
        print(f"leadq: cannot listen on 127.0.0.1:{args.port}: {e}", file=sys.stderr)
        return 2
    accounts = f"; users: {', '.join(name for name, _ in users)}" if users else ""
    deviating = f"; deviating: {', '.join(sorted(set(args.deviation)))}" if args.deviation else ""
    print(
        f"serving {args.leads} leads at {api.url} (and {args.objects} objects of every other method; "
        f"token: {args.token}{accounts}{deviating}); Ctrl-C stops",
        flush=True,
    )
    print(f"try: LIVETEX_TOKEN={args.token} leadq fetch --base-url {api.url} 'result = missed' --max 5", flush=True)
    print(
        f"  or: LIVETEX_TOKEN={args.token} leadq fetch --base-url {api.url} --method chats.list 'site = 1' --max 5",
        flush=True,
    )
    try:
        while api.running:
            time.sleep(0.2)
    finally:
        api.stop()
    return 0


def _user(text: str) -> tuple[tuple[str, str], str]:
    from leadq import LEADS_LIST
    from leadq.schemas.schema import checked_role

    name, _, rest = text.partition(":")
    password, _, role = rest.partition(":")
    if not name or not password:
        raise UsageError(f"--user takes NAME:PASSWORD or NAME:PASSWORD:ROLE, not {text!r}")
    role = role or "admin"
    _checked("--user", role, lambda r: checked_role(r, LEADS_LIST))
    return (name, password), role
