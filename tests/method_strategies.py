"""Hypothesis strategies for running filters through any list method: filters over a
method's criteria and the fields of its objects, with values its generated data sets hold
(`leadq.testing.generate_objects`), and the view of a schema that reads every criterion
from the objects as the fake server stores them (hidden values included)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st

import leadq
from leadq.schemas.kinds.base import read_field
from leadq.schemas.paging import Paging
from leadq.testing import served

NOW = datetime(2025, 1, 1, 12, 0)
#: A window wider than the longest interval a method takes (30 days, a month): several requests.
_WINDOW_START = datetime(2023, 12, 20)
_WORDS = ("price", "delivery", "refund", "call", "order", "hello", "e", "title 1")


def readable(schema: leadq.Schema) -> leadq.Schema:
    """`schema` with every criterion read from the object: what the fake server's stored
    objects hold, the values of criteria the documented object does not hold included."""
    return attrs.evolve(schema, criteria=tuple(attrs.evolve(c, readable=True) for c in schema.criteria))


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _raw(c: leadq.Criterion, obj: dict[str, Any]) -> Any:
    value = read_field(c, obj)
    if c.is_idlist and isinstance(value, dict):
        return value.get("id")
    return value


@st.composite
def _condition(draw: st.DrawFn, c: leadq.Criterion, objs: list[dict[str, Any]]) -> str | None:
    name = c.name if c.local else c.display
    values = [v for v in (_raw(c, o) for o in objs) if v is not None and not isinstance(v, (dict, list))]
    kind = c.kind_name
    if kind in ("enum", "enum:list") and c.values:
        values = list(c.values)
    if kind == "boolean":
        return draw(st.sampled_from([name, f"not {name}", f"{name} = false"]))
    if kind == "substring":
        return f"{name} contains {_literal(draw(st.sampled_from(_WORDS)))}"
    if not values:
        return None
    v = draw(st.sampled_from(values))
    if kind in ("idlist", "idlist:string", "enum", "enum:list", "string"):
        shape = draw(st.sampled_from(["=", "!=", "in", "not in"]))
        if shape in ("in", "not in"):
            more = draw(st.lists(st.sampled_from(values), min_size=1, max_size=3))
            return f"{name} {shape} ({', '.join(dict.fromkeys(_literal(x) for x in [v, *more]))})"
        return f"{name} {shape} {_literal(v)}"
    if kind == "text":
        if isinstance(v, str) and draw(st.booleans()):
            return f"{name} contains {_literal(v[: draw(st.integers(1, max(1, len(v))))])}"
        return f"{name} {draw(st.sampled_from(['=', '!=']))} {_literal(v)}"
    if kind in ("numeric", "datetime", "date"):
        op = draw(st.sampled_from(["=", "<", "<=", ">", ">=", "between"]))
        written = _literal(v) if kind == "numeric" else str(v)
        if op == "between":
            w = draw(st.sampled_from(values))
            low, high = sorted([v, w])
            both = (low, high) if kind == "numeric" else (str(low), str(high))
            return f"{name} between {both[0]} and {both[1]}"
        return f"{name} {op} {written}"
    if kind == "time":
        return f"{name} >= {_literal(str(v)[:5])}"
    return None


def _combine(draw: st.DrawFn, parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0] if draw(st.integers(0, 4)) else f"not ({parts[0]})"
    joined = f" {draw(st.sampled_from(['and', 'and', 'or']))} ".join(f"({p})" for p in parts)
    return joined


@st.composite
def method_filters(draw: st.DrawFn, schema: leadq.Schema, objs: list[dict[str, Any]]) -> str:
    """A filter over the method's criteria and its objects' fields (many `compile`
    refuses), which says what the method needs in every request: its required criteria,
    and a window (often longer than the method takes) on an interval criterion."""
    every = [c for c in schema.with_lead_fields().criteria if not c.max_interval and not c.required]
    criteria = [c for c in every if not c.local]
    local = [c for c in every if c.local]
    # conditions on q's criteria more often than on the (many more) fields beyond q
    choices = [st.sampled_from(x) for x in (criteria, criteria, local) if x]
    fields = st.one_of(*choices) if choices else st.nothing()
    parts = []
    for c in draw(st.lists(fields, min_size=1, max_size=3)) if choices else []:
        found = draw(_condition(c, objs))
        if found is not None:
            parts.append(found)
    needed = []
    for c in schema.needed:
        if c.required:
            needed.append(f"{c.display} contains {_literal(draw(st.sampled_from(_WORDS)))}")
        else:
            start = _WINDOW_START + timedelta(days=draw(st.integers(0, 20)))
            end = start + timedelta(days=draw(st.integers(0, 80)), hours=draw(st.integers(0, 23)))
            needed.append(f"{c.display} between {start:%Y-%m-%d} and {end:%Y-%m-%dT%H:%M:%S}")
    body = _combine(draw, parts) if parts else ""
    return " and ".join([*needed, *([f"({body})"] if body and needed else [body] if body else [])]) or ""


def identity(schema: leadq.Schema, obj: dict[str, Any]) -> Any:
    """What tells two returned objects apart: the id, else the whole object as served."""
    if Paging.of(schema).id_field:
        return obj["id"]
    return json.dumps(served(schema, obj), sort_keys=True, ensure_ascii=False)
