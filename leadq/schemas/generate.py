"""Generate leadq/schemas/livetex.py from the API's schema, as data: every list method with `q`.

    python -m leadq.schemas.generate            # write leadq/schemas/livetex.py
    python -m leadq.schemas.generate --check    # exit 1 when the file and the evidence differ

The evidence is a copy of the public API schema (tests/data/livetex-api-schema; its README
says where it comes from): the reference as data (`Resources/`, `Types/`) and the server's
own parameter validators (`implementation/Methods/*.json`, `implementation/Roles.json`). A
method is here when its validator has a `q` table. Each criterion follows the validator
(its name and kind); the reference adds descriptions, sort keys, roles and the returned
object; where the two disagree, the difference is kept as data (docs/decisions.md,
"Every list method"). The evidence is read by this tool and the tests, never by the
package: the package imports only the generated module.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EVIDENCE = ROOT / "tests" / "data" / "livetex-api-schema"
OUTPUT = Path(__file__).resolve().parent / "livetex.py"

#: Enumerations written in a validator's pattern: `#^(a|b)$#` or `/^(a|b)$/`.
_PATTERN = re.compile(r"^[#/]\^\((?P<values>[^()]*)\)\$[#/]$")
#: One criterion's line in a reference's description of `q`: `name - type, words;` (a dash
#: of any width).
_LINE = re.compile(r"^(?P<name>[a-z][a-z0-9_]*)\s*(?:(?:\u2013|-|\u2014)\s*(?P<rest>.*?))?\s*[;,.]?\s*$")
_TYPES = ("idlist", "string", "boolean", "datetime", "date", "time", "enum", "numeric", "integer")
#: A string criterion the reference calls a search in text (a substring, a key word) takes
#: `contains`; the others are compared whole.
_SEARCH = re.compile(r"подстрок|ключев\w* слов|поиск по текст", re.I)
_SORT = re.compile(r"\b([a-z_]+):([ad])\b")


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _words(text: str) -> str:
    return " ".join(text.split())


def reference_q(description: str) -> dict[str, tuple[str, str]]:
    """The criteria a reference's description of `q` lists: name → (type, description)."""
    found: dict[str, tuple[str, str]] = {}
    last = None
    listing = False
    for raw in description.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.lower().startswith("доступные поля"):
            listing = True
            continue
        if not listing:
            continue
        m = _LINE.match(line)
        if m and (m.group("rest") is not None or line.rstrip(";,.") == m.group("name")):
            rest = (m.group("rest") or "").rstrip(";,. ")
            type_, _, words = rest.partition(",")
            if type_.strip() not in _TYPES:
                type_, words = "", rest
            last = m.group("name")
            found[last] = (type_.strip(), _words(words).rstrip(";,. "))
        elif last is not None:
            type_, words = found[last]
            found[last] = (type_, _words(f"{words}. {line}").strip(". ").rstrip(";,"))
    return found


def sorts(description: str) -> tuple[tuple[str, ...], str]:
    """The sort values a reference attests (`key:a`, `key:d`), and the default one."""
    values: list[str] = []
    default = ""
    for line in description.splitlines():
        for key, direction in _SORT.findall(line):
            value = f"{key}:{direction}"
            if value not in values:
                values.append(value)
            if "по умолчанию" in line and not default:
                default = value
    if not values:  # `Возможные поля сортировки: a, b` names keys without directions
        m = re.search(r"поля сортировки:\s*(.*)", description, re.S)
        if m:
            values = [k.strip(" ,.;\n") + ":" for k in re.split(r"[,\n]", m.group(1)) if k.strip(" ,.;\n")]
    return tuple(values), default


def _kind(rules: list[list[Any]]) -> dict[str, Any]:
    """The kind (and its facts) an implementation validator gives a criterion."""
    out: dict[str, Any] = {}
    for rule in rules:
        name, options = rule[0], (rule[1] if len(rule) > 1 else None)
        if name == "required":
            out["required"] = True
        elif name.lower() == "idlist":
            options = options or {}
            pattern = _PATTERN.match(options.get("pattern", ""))
            if pattern:
                out["kind"], out["values"] = "enum:list", tuple(pattern.group("values").split("|"))
            elif options.get("type") == "string":
                out["kind"] = "idlist:string"
            else:
                out["kind"] = "idlist"
        elif name == "match":
            pattern = _PATTERN.match((options or {}).get("pattern", ""))
            assert pattern, options
            out["kind"], out["values"] = "enum", tuple(pattern.group("values").split("|"))
        elif name == "enum":
            out["kind"], out["values"] = "enum", tuple(options or ())
        elif name == "string":
            out["kind"] = "string"
        elif name == "integer":
            out["kind"] = "numeric"
        elif name in ("boolean", "date", "time"):
            out["kind"] = name
        elif name == "datetime":
            out["kind"] = "datetime"
            if options and "max" in options:
                out["max_interval"] = options["max"]
        else:  # pragma: no cover - a validator the evidence does not use
            raise ValueError(f"unknown validator {rule!r}")
    return out


_FROM_TYPE = {"idlist": "idlist", "string": "string", "boolean": "boolean", "datetime": "datetime",
              "date": "date", "time": "time", "numeric": "numeric", "integer": "numeric", "enum": "enum"}  # fmt: skip


def _type_name(t: dict[str, Any] | None) -> str:
    if t is None:  # the reference leaves a few fields untyped
        return "string"
    if t["kind"] == "Generic":
        return f"{t['name']}<{_type_name(t['type_parameter'])}>"
    return str(t["name"])


def types(evidence: Path) -> dict[str, tuple[tuple[str, str, str], ...]]:
    """Every complex type of the reference: its fields (name, type, description)."""
    out = {}
    for path in sorted((evidence / "Types").glob("*.json")):
        data = _load(path)
        if data.get("kind") != "ComplexDataType":
            continue
        fields = sorted(
            (f["name"], _type_name(f["type"]), _words(f.get("description", "")).split(". ")[0].rstrip("."))
            for f in data.get("fields") or ()
        )
        out[data["name"]] = tuple(fields)
    return out


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _roles(
    evidence: Path, resource: str, method: str, reference: list[dict[str, Any]]
) -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """(role, level, note, fields it does not see): the level from the implementation's
    roles, the note (and, for a method the implementation does not list, the level) from
    the reference."""
    notes = {p["role"]: (p["access"], _words(p.get("description", ""))) for p in reference}
    out = []
    for role, data in _load(evidence / "implementation" / "Roles.json").items():
        granted = data["permissions"].get(resource)
        level = ""
        if granted == ["*"]:
            level = "full"
        elif isinstance(granted, dict) and method in granted:
            level = granted[method].get("level", "")
        if not level and role in notes:
            level = notes[role][0]
        if level and level != "none":
            note = notes.get(role, ("", ""))[1]
            out.append((role, level, note, _without(note)))
    return tuple(out)


def _without(note: str) -> tuple[str, ...]:
    """The fields a role's note says it does not see ("all chats, but without messages and
    events", in Russian)."""
    m = re.search(r"без\s+(?:пол\w+\s+)?([a-z_]+(?:(?:\s*,\s*|\s+и\s+)[a-z_]+)*)", note)
    return tuple(re.split(r"\s*,\s*|\s+и\s+", m.group(1))) if m else ()


def methods(evidence: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    all_types = types(evidence)
    for path in sorted((evidence / "implementation" / "Methods").glob("*.json")):
        resource = path.stem
        reference_path = evidence / "Resources" / path.name
        reference = {m["name"]: m for m in _load(reference_path)["methods"]} if reference_path.exists() else {}
        for method, spec in _load(path).items():
            q = spec.get("fields_validation", {}).get("q")
            if q is None:
                continue
            ref = reference.get(method, {})
            ref_fields = {f["name"]: f for f in ref.get("fields", ())}
            listed = reference_q(ref_fields["q"]["description"]) if "q" in ref_fields else {}
            result = ref.get("result_type") or {}
            while result.get("kind") == "Generic":
                result = result["type_parameter"]
            obj = result.get("name", "") if result.get("name") in all_types else ""
            object_fields = {name: type_ for name, type_, _ in all_types.get(obj, ())}
            criteria = []
            for name, rules in q.items():
                row: dict[str, Any] = {"name": name, **_kind(rules)}
                type_, words = listed.get(name, ("", ""))
                row["description"] = words
                row["source"] = "both" if name in listed else "implementation"
                if row["kind"] == "string" and _SEARCH.search(words):
                    row["kind"] = "substring"
                criteria.append(row)
            for name, (type_, words) in listed.items():
                if name in q:
                    continue
                kind = _FROM_TYPE.get(type_) or _FROM_TYPE.get(object_fields.get(name, ""), "string")
                if kind == "string" and _SEARCH.search(words):
                    kind = "substring"
                criteria.append({"name": name, "kind": kind, "description": words, "source": "reference"})

            limit = next((r[1]["max"] for r in spec["fields"].get("limit", ()) if len(r) > 1 and r[1]), None)
            sort_values, default_sort = sorts(ref_fields["sort"]["description"]) if "sort" in ref_fields else ((), "")
            limit_words = ref_fields.get("limit", {}).get("description", "")
            limit_default = int(m.group(1)) if (m := re.search(r"(\d+)", limit_words)) else None
            yield f"{resource}.{method}", {
                "path": f"/{_lower_camel(resource)}/{method}",
                "parameters": tuple(spec["fields"]),
                "object": obj,
                "limit": limit,
                "limit_default": limit_default,
                "sorts": sort_values,
                "default_sort": default_sort,
                "roles": _roles(evidence, resource, method, ref.get("permissions", [])),
                "description": _words(ref.get("description", "")),
                "criteria": tuple(criteria),
            }


def generate(evidence: Path = EVIDENCE) -> str:
    """The source of leadq/schemas/livetex.py."""
    found = dict(methods(evidence))
    used = {m["object"] for m in found.values() if m["object"]}
    all_types = types(evidence)
    # the objects the methods return, and the objects their fields hold
    wanted: set[str] = set()
    pending = list(used)
    while pending:
        name = pending.pop()
        if name in wanted or name not in all_types:
            continue
        wanted.add(name)
        for _, type_, _ in all_types[name]:
            inner = type_.split("<")[-1].rstrip(">")
            if inner in all_types:
                pending.append(inner)
    lines = [
        "# Generated from tests/data/livetex-api-schema by `python -m leadq.schemas.generate`: do not edit.",
        "# Every list method of the LiveTex API whose validator has a `q` table, and the objects",
        "# they return (the reference's Types). tests/test_methods.py fails when this file and the",
        "# evidence disagree.",
        "# fmt: off",
        "from typing import Any",
        "",
        "METHODS: dict[str, dict[str, Any]] = {",
    ]
    for name, spec in found.items():
        lines.append(f"    {name!r}: {{")
        for key, value in spec.items():
            if key == "criteria":
                lines.append("        'criteria': (")
                for row in value:
                    lines.append(f"            {row!r},")
                lines.append("        ),")
            else:
                lines.append(f"        {key!r}: {value!r},")
        lines.append("    },")
    lines.append("}")
    lines.append("")
    lines.append("TYPES: dict[str, tuple[tuple[str, str, str], ...]] = {")
    for name in sorted(wanted):
        lines.append(f"    {name!r}: (")
        for field in all_types[name]:
            lines.append(f"        {field!r},")
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m leadq.schemas.generate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when they differ")
    parser.add_argument("--evidence", type=Path, default=EVIDENCE, help="the copy of the API schema to read")
    args = parser.parse_args(argv)
    source = generate(args.evidence)
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != source:
            print(f"{OUTPUT} differs from the evidence: run python -m leadq.schemas.generate", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(source, encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
