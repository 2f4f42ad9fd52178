"""Generated data sets of leads, shaped as Leads.list returns them."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from ..core.datetimes import moscow

_SITES = ((1, "https://shop.example"), (2, "https://blog.example"), (3, "https://help.example"))
_DEPARTMENTS = ((10, "Sales"), (11, "Support"), (12, "Billing"))
_EMPLOYEES = ((100, "Anna", "Petrova"), (101, "Ivan", "Sidorov"), (102, "Olga", "Smirnova"))
_CITIES = ("Moscow", "Kazan", "Tver", "Omsk", "Saint Petersburg")
_ENGINES = ("Yandex", "Google", "Bing")
_WORDS = ("price", "delivery", "refund", "call me", "discount", "order", "broken", "hello")
#: A word in Russian that every lead of an even id adds to its text, as most real leads are written.
_RUSSIAN = ("доставка", "скидка", "заказ", "возврат", "цена")


def generate_leads(
    count: int, *, seed: int = 0, start: datetime = datetime(2024, 1, 1, 9, 0), end: datetime | None = None
) -> list[dict[str, Any]]:
    """`count` leads with every documented field, ids 1..count, `created_at` ascending in
    Moscow time from `start` (a few share a second, as real leads do), reproducible from
    `seed`. With `end` (Moscow time), the same leads moved in time so that the last is
    created then (and none later): an account that gets leads up to now."""
    rng = random.Random(seed)
    leads = []
    moment = start
    for n in range(1, count + 1):
        if rng.random() > 0.15:  # some leads arrive in the same second as the one before
            moment += timedelta(seconds=rng.choice((1, 7, 60, 3600, 86400)))
        leads.append(make_lead(n, moment, rng))
    if end is not None and leads:
        last = end.astimezone(moscow()).replace(tzinfo=None) if end.tzinfo is not None else end
        shift = last.replace(microsecond=0) - moment
        for lead in leads:
            for field in ("created_at", "updated_at", "completed_at"):
                if lead[field] is not None:
                    lead[field] = _moscow(datetime.fromisoformat(lead[field]) + shift)
    return leads


def make_lead(lead_id: int, created: datetime, rng: random.Random) -> dict[str, Any]:
    """One lead created at `created` (Moscow time)."""
    site = rng.choice(_SITES)
    department = rng.choice(_DEPARTMENTS)
    completed = rng.random() < 0.5
    email = f"user{lead_id}@example.com" if rng.random() < 0.7 else None
    phone = f"+7900{lead_id:07d}" if email is None or rng.random() < 0.4 else None
    employee = rng.choice(_EMPLOYEES)
    # the evaluators take `duration` as always given (docs/semantics.md): 0 until completed
    duration = rng.choice((0, 30, 60, 61, 300, 3600)) if completed else 0
    done_at = created + timedelta(seconds=duration)
    lead = {
        "id": lead_id,
        "name": rng.choice(("Anna", "Boris", "Vera", "Gleb", None)),
        "email": email,
        "phone": phone,
        "type": rng.choice(("form", "callback", "chat")),
        "text": " ".join(rng.sample(_WORDS, 2)) + (f" {_RUSSIAN[lead_id // 2 % 5]}" if lead_id % 2 == 0 else ""),
        "result": "completed" if completed else "missed",
        "answer_text": "thank you" if completed else None,
        "duration": duration,
        "site": {"id": site[0], "url": site[1], "is_deleted": False, "is_managed": True},
        "department": {"id": department[0], "title": department[1], "is_deleted": False, "is_managed": True},
        "country": "Russia",
        "city": rng.choice(_CITIES),
        "ext_referer": rng.choice(("https://google.com", "https://ya.ru", None)),
        "entry_page": f"{site[1]}/",
        "int_referer": f"{site[1]}/contacts",
        "search_engine": rng.choice(_ENGINES),
        "search_query": rng.choice(("buy", "help", None)),
        "visit_count": rng.randint(1, 9),
        "page_count": rng.randint(1, 30),
        "is_locked": rng.random() < 0.1,
        "locked_by": None,
        "assigned_to": _employee(employee),
        "completed_by": _employee(employee) if completed else None,
        "completed_at": _moscow(done_at) if completed else None,
        "created_by": None if rng.random() < 0.8 else _employee(rng.choice(_EMPLOYEES)),
        "is_managed": rng.random() < 0.5,
        "visitor": {"id": f"v{rng.randint(1, 50)}"},
        "created_at": _moscow(created),
        "updated_at": _moscow(done_at if completed else created),
    }
    # Leads.listRouted's `creator_type` (its implementation's name): who made the lead
    lead["creator_type"] = "visitor" if lead["created_by"] is None else "employee"
    return lead


def _employee(e: tuple[int, str, str]) -> dict[str, Any]:
    return {"id": e[0], "first_name": e[1], "last_name": e[2], "role": "operator"}


def _moscow(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S")
