"""Generated data sets for every list method: objects shaped by the method's documented
type (`leadq.schemas.livetex.TYPES`), with values its criteria can select.

Each object holds the fields of its type — ids, enums from the criteria's values,
datetimes in Moscow time without an offset, nested objects one level deep — and, under the
Lead-field name of each criterion the documented object does not hold (`Criterion.readable`
is false: Chats.list `message_text`, Locations.list `title`), a hidden value the fake server
filters by and never serves (`served`). Leads.list and Leads.listRouted are
`generate_leads`'s.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from ..schemas.criterion import Criterion, IdKind
from ..schemas.methods import resolve
from ..schemas.paging import Paging
from ..schemas.schema import Schema
from ._data import generate_leads

#: The ids nested objects take, by their type (a filter on `site = 2` finds some).
_POOLS: dict[str, tuple[Any, ...]] = {
    "Site": (1, 2, 3),
    "Department": (10, 11, 12),
    "Employee": (100, 101, 102),
    "Visitor": ("v1", "v2", "v3", "v4"),
}
_POOL = (1, 2, 3)
_WORDS = ("price", "delivery", "refund", "call me", "discount", "order", "broken", "hello")
_NAMED: dict[str, tuple[str, ...]] = {
    "first_name": ("Anna", "Ivan", "Olga", "Boris"),
    "last_name": ("Petrova", "Sidorov", "Smirnova", "Ivanov"),
    "url": ("https://shop.example", "https://blog.example", "https://help.example"),
    "city": ("Moscow", "Kazan", "Tver"),
    "country": ("Russia", "Kazakhstan"),
    "search_engine": ("Yandex", "Google", "Bing"),
    "ext_referer": ("https://google.com", "https://ya.ru"),
    "int_referer": ("https://shop.example/contacts", "https://blog.example/"),
    "entry_page": ("https://shop.example/", "https://help.example/"),
    "role": ("admin", "manager", "operator"),
    "code": ("admin", "chief", "manager", "operator"),
    "currency": ("RUB", "USD"),
}
_NUMBERS = (0, 30, 60, 61, 300, 3600)
_STEPS = (1, 7, 60, 3600, 86400)


def is_generated(schema: Schema) -> bool:
    """Whether `schema`'s objects are made here (every method but Leads.list and
    Leads.listRouted, whose leads `generate_leads` makes)."""
    return schema.object_type != "Lead"


def documented(schema: Schema) -> frozenset[str]:
    """The fields the API serves of `schema`'s objects: its type's fields; ``id`` alone
    when the method's object type is not documented."""
    return frozenset(schema.result_fields) or frozenset({"id"})


def served(schema: Schema, obj: Mapping[str, Any]) -> dict[str, Any]:
    """The object as the API serves it: its documented fields, none of the hidden values
    kept for criteria the documented object does not hold."""
    if not is_generated(schema):
        return dict(obj)
    shown = documented(schema)
    return {k: v for k, v in obj.items() if k in shown}


def generate_objects(
    method: Schema | str,
    count: int,
    *,
    seed: int = 0,
    start: datetime = datetime(2024, 1, 1, 9, 0),
) -> list[dict[str, Any]]:
    """`count` objects as `method` returns them (ids 1..count), created ascending in
    Moscow time from `start` (a few in the same second, as real ones are), reproducible
    from `seed`; with a hidden value for each criterion the documented object does not
    hold, which `served` strips. For Leads.list, `generate_leads`.

    Raises:
        LeadqError: `method` names no method (E211).
    """
    schema = resolve(method)
    if not is_generated(schema):
        return generate_leads(count, seed=seed, start=start)
    rng = random.Random(f"{schema.method}:{seed}")
    out = []
    moment = start
    for n in range(1, count + 1):
        if rng.random() > 0.15:  # some share a second with the one before
            moment += timedelta(seconds=rng.choice(_STEPS))
        out.append(make_object(schema, n, moment, rng))
    return out


def make_object(method: Schema | str, object_id: int, created: datetime, rng: random.Random) -> dict[str, Any]:
    """One object of `method`, created at `created` (Moscow time)."""
    schema = resolve(method)
    if not is_generated(schema):
        from ._data import make_lead

        return make_lead(object_id, created, rng)
    from ..schemas.livetex import TYPES

    by_field = {c.field: c for c in schema.criteria}
    obj: dict[str, Any] = {"id": object_id}
    # an id is a string only where the method's ids are (its `ids` criterion says first:
    # Complaint's type says string, the validator takes numbers)
    string_id = Paging.of(schema).id_kind is IdKind.STRING
    for field, type_name, _ in TYPES.get(schema.object_type, ()):
        if field == "id":
            obj["id"] = f"{schema.object_type.lower()}-{object_id}" if string_id else object_id
            continue
        c = by_field.get(field)
        obj[field] = (
            _criterion_value(c, type_name, created, rng)
            if c is not None
            else _value(field, type_name, created, rng, depth=0)
        )
    for c in schema.criteria:
        if not c.readable and c.field != "id" and "." not in c.field:
            obj[c.field] = _criterion_value(c, "", created, rng)
    return obj


def _criterion_value(c: Criterion, type_name: str, created: datetime, rng: random.Random) -> Any:
    """A value the criterion reads and can select: from its enum, a pool of ids, ..."""
    kind = c.kind_name
    if c.field == "id":
        return None  # the object's own id, set by the caller
    if kind in ("idlist", "idlist:string"):
        nested = _inner(type_name)
        from ..schemas.livetex import TYPES

        if nested in TYPES:  # `site_ids` reads the `id` of the nested Site
            return _value(c.field, type_name, created, rng, depth=0)
        pool: tuple[Any, ...] = _pool(c.field)
        if kind == "idlist:string":
            pool = tuple(f"{c.field}-{p}" for p in pool)
        return rng.choice(pool)
    if kind in ("enum", "enum:list") and c.values:
        return rng.choice(c.values)
    if kind == "numeric":
        return rng.choice(_NUMBERS)
    if kind == "boolean":
        if c.presence:
            return rng.choice((None, "present"))
        return rng.random() < 0.5
    if kind == "datetime":
        return _moscow(created) if c.field in ("created_at", "date") else _moscow(created + timedelta(hours=1))
    if kind == "date":
        return created.strftime("%Y-%m-%d")
    if kind == "time":
        return created.strftime("%H:%M:%S")
    if kind == "substring":
        return " ".join(rng.sample(_WORDS, 2))
    return rng.choice(_NAMED.get(c.field, tuple(f"{c.field} {k}" for k in (1, 2, 3))))


def _pool(field: str) -> tuple[Any, ...]:
    owner = field.removesuffix("_id").removesuffix("_ids")
    for type_name, pool in _POOLS.items():
        if owner.lower().endswith(type_name.lower()):
            return pool
    return _POOL


def _inner(type_name: str) -> str:
    return type_name.split("<")[-1].rstrip(">")


def _value(field: str, type_name: str, created: datetime, rng: random.Random, *, depth: int) -> Any:
    """A value of a field the criteria do not read, by its type."""
    from ..schemas.livetex import TYPES

    base = "boolean" if type_name == "Boolean" else type_name
    if base.startswith("Array<"):
        inner = _inner(base)
        if depth or inner not in TYPES:
            return [] if inner == "Object" else [rng.randint(1, 9)] if inner == "numeric" else []
        return [_value(field, inner, created, rng, depth=depth + 1) for _ in range(rng.randint(0, 2))]
    if base in TYPES:
        if depth:
            return None  # nested objects one level deep
        pool = _POOLS.get(base, _POOL)
        nested: dict[str, Any] = {}
        for sub, sub_type, _ in TYPES[base]:
            if sub == "id":
                nested["id"] = rng.choice(pool)
            else:
                nested[sub] = _value(sub, sub_type, created, rng, depth=depth + 1)
        return nested
    if base == "Object":
        return {}
    if base == "numeric":
        return rng.choice(_NUMBERS) if field in ("duration", "answer_time", "queue_time") else rng.randint(0, 50)
    if base == "boolean":
        return rng.random() < 0.5
    if base == "datetime":
        if field == "created_at":
            return _moscow(created)
        if field == "updated_at":
            return _moscow(created + timedelta(seconds=rng.choice((0, 60, 3600))))
        return _moscow(created + timedelta(days=1)) if rng.random() < 0.7 else None
    if base == "date":
        return created.strftime("%Y-%m-%d")
    if base == "email":
        return f"user{rng.randint(1, 99)}@example.com"
    if base == "phone":
        return f"+7900{rng.randint(0, 9_999_999):07d}"
    if base == "color":
        return f"#{rng.randrange(0x1000000):06x}"
    if base == "file":
        return f"https://files.example/{field}/{rng.randint(1, 99)}.pdf"
    if field in _NAMED:
        return rng.choice(_NAMED[field])
    if field in ("text", "message", "comment", "description", "subject"):
        return " ".join(rng.sample(_WORDS, 2))
    return f"{field} {rng.randint(1, 3)}"


def _moscow(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")
