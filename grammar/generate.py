"""Generate leadq/language/tables.py from grammar/leadq.lark: Lark's LALR analysis, done ahead of time.

    python grammar/generate.py          # write leadq/language/tables.py
    python grammar/generate.py --check  # exit 1 when the file and the grammar disagree

Run it after every change to the grammar (tests/test_packaging.py fails until you do).
Needs Lark, which is a runtime dependency of leadq anyway; nothing else.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRAMMAR = ROOT / "grammar" / "leadq.lark"
TABLES = ROOT / "leadq" / "language" / "tables.py"


def generate_tables(grammar: str) -> str:
    """The source of `leadq/language/tables.py` for the grammar text `grammar`."""
    from lark import Lark
    from lark.parsers.lalr_analysis import Shift

    lark = Lark(grammar, parser="lalr", lexer="basic")
    lexer = lark.parser.lexer
    terminals = [(str(t.name), t.pattern.to_regexp()) for t in lexer.terminals]  # in Lark's match order
    table = lark.parser.parser.parser.parse_table
    rules = list(dict.fromkeys(r for row in table.states.values() for kind, r in row.values() if kind is not Shift))
    rules.sort(key=lambda r: (r.origin.name, [s.name for s in r.expansion]))
    number = {r: i for i, r in enumerate(rules)}
    # Lark numbers states in no fixed order; number them by a walk from the start state
    # so that the generated file is the same on every run.
    start, end = table.start_states["start"], table.end_states["start"]
    order = [start]
    seen = {start}
    for state in order:
        for _, (kind, arg) in sorted(table.states[state].items(), key=lambda item: str(item[0])):
            if kind is Shift and arg not in seen:
                seen.add(arg)
                order.append(arg)
    order += sorted(set(table.states) - seen) + ([end] if end not in seen and end not in table.states else [])
    renumber = {state: i for i, state in enumerate(order)}
    lines = [
        "# Generated from grammar/leadq.lark by `python grammar/generate.py`: do not edit.",
        "# LALR tables computed by Lark; leadq.language.parse drives them. tests/test_packaging.py",
        "# fails when this file and the grammar disagree.",
        "# fmt: off",
        "",
        f"TERMINALS = {terminals!r}",
        f"IGNORE = frozenset({sorted(str(t) for t in lark.ignore_tokens)!r})",
        f"START = {renumber[start]!r}",
        f"END = {renumber[end]!r}",
        "# (origin, plan: k keep / d drop / s splice per symbol, callback, expand one child)",
        "RULES = [",
    ]
    for r in rules:
        plan = "".join(
            "d" if getattr(s, "filter_out", False) else "s" if not s.is_term and s.name.startswith("_") else "k"
            for s in r.expansion
        )
        origin = str(r.origin.name)
        callback = "" if origin.startswith("_") else str(r.alias or origin)
        expand1 = bool(r.options.expand1) and not r.alias  # as Lark: an alias always builds
        lines.append(f"    ({origin!r}, {plan!r}, {callback!r}, {expand1!r}),")
    lines.append("]")
    lines.append("# state -> {symbol: shift to state (>= 0) or reduce rule (-1 - index)}")
    lines.append("STATES = {")
    for state in order:
        if state not in table.states:
            continue
        row = {
            str(symbol): (renumber[arg] if kind is Shift else -1 - number[arg])
            for symbol, (kind, arg) in table.states[state].items()
        }
        lines.append(f"    {renumber[state]}: {dict(sorted(row.items()))!r},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    source = generate_tables(GRAMMAR.read_text(encoding="utf-8"))
    if argv[1:] == ["--check"]:
        if TABLES.read_text(encoding="utf-8") != source:
            print(f"{TABLES} is out of date: run python grammar/generate.py", file=sys.stderr)
            return 1
        return 0
    if argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    TABLES.write_text(source, encoding="utf-8")
    print(f"wrote {TABLES}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
