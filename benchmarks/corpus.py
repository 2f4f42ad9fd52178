"""A deterministic corpus of realistic filters, rendered in leadq, Lucene and OData syntax.

Each filter is 1 to 12 conditions over all the fields of Leads.list, with nested `or` and
`not`, id lists of 1 to 50 ids, dates and strings. Only filters that leadq compiles are
kept, so that `compile` is measured on its successful path.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import leadq

Rendered = tuple[str, str, str]  # leadq, Lucene, OData

_IDS = ["site", "department", "created_by", "assigned_to", "completed_by"]
_TEXTS = ["доставка", "refund please", "заказ №5", "call me back", "price", "Москва"]
_STRINGS = [("search_engine", "Google"), ("search_engine", "Яндекс"), ("enter_page", "/landing"),
            ("ext_referer", "https://example.com/?a=1"), ("int_referer", "/contacts")]  # fmt: skip


def _ids(r: random.Random) -> Rendered:
    field = r.choice(_IDS)
    ids = sorted(r.sample(range(1, 5000), r.randint(1, 50)))
    shown = ", ".join(map(str, ids))
    if len(ids) == 1:
        return f"{field} = {ids[0]}", f"{field}_ids:{ids[0]}", f"{field}_id eq {ids[0]}"
    lucene = " OR ".join(map(str, ids))
    return f"{field} in ({shown})", f"{field}_ids:({lucene})", f"{field}_id in ({shown})"


def _ids_or(r: random.Random) -> Rendered:
    field = r.choice(_IDS)
    a, b = r.sample(range(1, 5000), 2)
    return (
        f"({field} = {a} or {field} = {b})",
        f"({field}_ids:{a} OR {field}_ids:{b})",
        f"({field}_id eq {a} or {field}_id eq {b})",
    )


def _enum(r: random.Random) -> Rendered:
    field, values = r.choice([("type", ["form", "callback", "chat"]), ("result", ["missed", "completed"])])
    value = r.choice(values)
    if field == "result" and r.random() < 0.3:
        return f"not {field} = {value}", f"NOT {field}:{value}", f"not ({field} eq '{value}')"
    return f"{field} = {value}", f"{field}:{value}", f"{field} eq '{value}'"


def _boolean(r: random.Random) -> Rendered:
    field = r.choice(["email_exists", "phone_exists", "is_managed"])
    if r.random() < 0.5:
        return field, f"{field}:true", f"{field} eq true"
    return f"not {field}", f"NOT {field}:true", f"not {field}"


def _duration(r: random.Random) -> Rendered:
    low = r.randint(0, 600)
    high = low + r.randint(1, 600)
    shape = r.randrange(3)
    if shape == 0:
        return f"duration > {low}", f"duration:{{{low} TO *]", f"duration gt {low}"
    if shape == 1:
        return (
            f"duration between {low} and {high}",
            f"duration:[{low} TO {high}]",
            f"duration ge {low} and duration le {high}",
        )
    return f"not duration > {high}", f"NOT duration:{{{high} TO *]", f"not (duration gt {high})"


def _created(r: random.Random) -> Rendered:
    day = f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
    shape = r.randrange(3)
    if shape == 0:
        return f"created_at >= {day}", f"created_at:[{day} TO *]", f"created_at ge {day}"
    if shape == 1:
        return f"created_at = {day}", f"created_at:{day}", f"created_at eq {day}"
    time = f"{day}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:00Z"
    lucene_time = time.replace(":", "\\:")  # Lucene escapes the colons of a term
    return f"created_at < {time}", f"created_at:[* TO {lucene_time}}}", f"created_at lt {time}"


def _text(r: random.Random) -> Rendered:
    value = r.choice(_TEXTS)
    return f'text contains "{value}"', f'text:"{value}"', f"contains(text, '{value}')"


def _string(r: random.Random) -> Rendered:
    field, value = r.choice(_STRINGS)
    return f'{field} = "{value}"', f'{field}:"{value}"', f"{field} eq '{value}'"


_MAKERS: list[Callable[[random.Random], Rendered]] = [
    _ids, _ids, _ids_or, _enum, _boolean, _duration, _created, _text, _string,
]  # fmt: skip


def corpus(size: int, seed: int = 20261125) -> list[Rendered]:
    """`size` distinct filters that compile, the same ones for the same seed."""
    r = random.Random(seed)
    return _collect(size, lambda: [r.choice(_MAKERS)(r) for _ in range(r.randint(1, 12))], longest=10**9)


def _collect(size: int, draw: Callable[[], list[Rendered]], longest: int) -> list[Rendered]:
    """`size` distinct filters joined from the parts `draw` makes, that leadq compiles."""
    out: dict[str, Rendered] = {}
    while len(out) < size:
        parts = draw()
        text = " and ".join(p[0] for p in parts)
        if text in out or len(text) > longest:
            continue
        try:
            leadq.compile(text)
        except leadq.LeadqError:
            continue
        out[text] = (text, " AND ".join(p[1] for p in parts), " and ".join(p[2] for p in parts))
    return list(out.values())


def _short_ids(r: random.Random) -> Rendered:
    field = r.choice(_IDS)
    ids = sorted(r.sample(range(1, 500), r.randint(1, 3)))
    if len(ids) == 1:
        return f"{field} = {ids[0]}", f"{field}_ids:{ids[0]}", f"{field}_id eq {ids[0]}"
    shown = ", ".join(map(str, ids))
    return f"{field} in ({shown})", f"{field}_ids:({' OR '.join(map(str, ids))})", f"{field}_id in ({shown})"


_SHORT: list[Callable[[random.Random], Rendered]] = [_short_ids, _enum, _boolean, _duration, _created, _text, _string]


def short_corpus(size: int, seed: int = 20261126) -> list[Rendered]:
    """`size` distinct short, typical filters: 2 to 6 conditions on distinct fields, about
    100 characters, that compile."""
    r = random.Random(seed)
    return _collect(size, lambda: [m(r) for m in r.sample(_SHORT, r.randint(2, 6))], longest=160)
