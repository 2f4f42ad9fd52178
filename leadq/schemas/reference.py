"""The reference of each method, in Markdown: what the docs site, `leadq method NAME` and the
language reference show, written from the schemas alone.

    python -m leadq.schemas.reference            # write docs/methods/
    python -m leadq.schemas.reference --check    # exit 1 when docs/methods/ is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .criterion import Criterion
from .kinds import kind_of
from .methods import LEADS_LIST, METHODS
from .paging import Paging
from .schema import Schema

DOCS = Path(__file__).resolve().parents[2] / "docs" / "methods"


def _type(c: Criterion) -> str:
    if c.is_idlist:
        return f"{c.id_kind.value} ids"
    return "enum, a list in one term" if c.kind_name == "enum:list" else c.kind_name


def fields_table(schema: Schema = LEADS_LIST) -> str:
    """The schema's criteria as a Markdown table, for the language reference."""
    rows = [
        "| write | also accepted | q name | type | values | operators | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in schema.criteria:
        others = [n for n in (c.name, *c.aliases) if n != c.display]
        values = ", ".join(f"`{v}`" for v in c.values)
        rows.append(
            f"| `{c.display}` | {', '.join(f'`{n}`' for n in others)} | `{c.name}` | {_type(c)} | {values} "
            f"| {kind_of(c).operators_doc} | {_meaning(c)} |"
        )
    return "\n".join(rows)


def _meaning(c: Criterion) -> str:
    notes = []
    if c.required:
        notes.append("**required** in every request (E213)")
    if c.max_interval:
        notes.append(f"an interval of at most **{c.max_interval}**, bounded (E407, E408)")
    if c.source == "reference":
        notes.append("listed by the reference only (W609)")
    elif c.source == "implementation":
        notes.append("known to the server's validator only")
    if not c.readable:
        notes.append("not held by the returned object (E314)")
    words = c.description.replace("|", "\\|")
    return "; ".join([words, *notes] if words else notes)


def page(schema: Schema) -> str:
    """The reference page of one method."""
    lines = [f"# {schema.method}", ""]
    if schema.description:
        lines += [schema.description, ""]
    facts = [f"`POST {schema.endpoint}`"]
    if schema.object_type:
        facts.append(f"returns `{schema.object_type}` objects")
    if "limit" in schema.parameters:
        facts.append(f"`limit` at most {schema.max_limit:,}" if schema.max_limit < 2**63 - 1 else "`limit` unbounded")
    else:
        facts.append("no `limit`")
    lines += [" · ".join(facts), ""]
    lines.append(f"Parameters: {', '.join(f'`{p}`' for p in schema.parameters)}.")
    if schema.sort_keys:
        attested = ", ".join(f"`{v}`" for v in schema.sorts)
        default = f"; default `{schema.default_sort}`" if schema.default_sort else ""
        keys = ", ".join(f"`{k}`" for k in schema.sort_keys)
        lines.append(f"`order by` takes {keys} (attested: {attested}{default}).")
    lines.append(f"A client pages {Paging.of(schema).describe} (docs/fetch.md).")
    lines += ["", "## Criteria", "", fields_table(schema), ""]
    if schema.access:
        lines += ["## Roles", "", "| role | access |", "|---|---|"]
        lines += [f"| `{role}` | {level} |" for role, level in schema.access.items()]
        hidden = sorted({(c.display, r) for c in schema.criteria for r in c.hidden_from})
        if hidden:
            lines += ["", "Not seen in other employees' objects (W606, E313): "]
            lines[-1] += "; ".join(f"`{field}` by `{role}`" for field, role in hidden) + "."
        lines.append("")
    local = [c for c in schema.with_lead_fields().criteria if c.local]
    if local:
        lines += [
            "## Fields beyond q",
            "",
            "`leadq fetch` and `leadq.pushdown` check these on each returned object:",
            ", ".join(f"`{c.name}` ({c.kind.name})" for c in local) + ".",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def index() -> str:
    """The list of methods, grouped by resource, linking each page."""
    lines = [
        "# Methods",
        "",
        "Every list method of the LiveTex API whose server validates a `q` criterion table, "
        "generated from the API's own schema (docs/decisions.md, \"Every list method\"). "
        "Give one with `--method NAME` on the command line, `schema=\"NAME\"` in Python, or "
        "`method = \"NAME\"` in the configuration; `leadq methods` lists them and `leadq method "
        "NAME` prints a page.",
        "",
    ]
    resource = None
    for name in METHODS:
        schema = METHODS[name]
        here = name.split(".")[0]
        if here != resource:
            resource = here
            lines += ["", f"## {resource}", ""]
        summary = f"{len(schema.criteria)} {'criterion' if len(schema.criteria) == 1 else 'criteria'}"
        if schema.object_type:
            summary += f", returns `{schema.object_type}`"
        lines.append(f"- [{name}]({name}.md): {summary}")
    return "\n".join(lines).rstrip("\n") + "\n"


def pages() -> dict[str, str]:
    """Every page of docs/methods/, by file name."""
    return {"index.md": index(), **{f"{name}.md": page(METHODS[name]) for name in METHODS}}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m leadq.schemas.reference", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when the pages differ")
    args = parser.parse_args(argv)
    wanted = pages()
    if args.check:
        stale = [n for n, text in wanted.items() if not (DOCS / n).exists() or (DOCS / n).read_text("utf-8") != text]
        extra = sorted(p.name for p in DOCS.glob("*.md") if p.name not in wanted) if DOCS.exists() else []
        for name in [*stale, *extra]:
            print(f"docs/methods/{name} is out of date: run python -m leadq.schemas.reference", file=sys.stderr)
        return 1 if stale or extra else 0
    DOCS.mkdir(parents=True, exist_ok=True)
    for name, text in wanted.items():
        (DOCS / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(wanted)} pages to {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
