"""Servers that answer otherwise than leadq assumes: the deviations `FakeLiveTex` takes
(``FakeLiveTex(leads, deviations={"ignores-ge", "refuses-post"})``, ``leadq fake-server
--deviation ignores-ge``).

Each is one way the real API could differ from leadq's model of it, so that a test can
check that `leadq probe` names it (docs/probe.md); the fake without deviations answers as
the model says. `Deviations` is what the server asks at each step of an answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs

from ..core.datetimes import moscow
from ..schemas.schema import Schema
from ..schemas.wire import split_terms

#: Every deviation, by name: what the server does instead.
DEVIATIONS: Mapping[str, str] = {
    "refuses-post": "answers POST with HTTP 405; GET works",
    "refuses-get": "answers GET with HTTP 405; POST works",
    "plus-literal": "reads `+` in the query string as a plus, not a space (`%20` is a space)",
    "ignores-fields": "ignores `fields`: every result holds every field",
    "ignores-sort": "ignores `sort`: results always come oldest first",
    "refuses-desc": "refuses a descending `sort` (`created_at:d`, HTTP 400), as the reference attests only `:a`",
    "caps-pages": "serves at most one result per page, whatever `limit` asks (`total` still counts every match)",
    "total-is-page": "`total` counts the results of the page only",
    "utc-datetimes": "writes datetimes in UTC, with a `Z`",
    "spaced-datetimes": "writes datetimes as `2024-01-31 10:00:00`, a space for the `T`",
    "ignores-offset": "ignores `offset`",
    "refuses-comma-lists": "refuses a q value with a comma in it (HTTP 400)",
    "limit-below-max": "refuses `limit=100`: the limit must be less than 100",
    "limit-unbounded": "takes any `limit`, and serves at most 100 results",
    "ignores-ge": "ignores the `>=` terms of q",
    "ignores-le": "ignores the `<=` terms of q",
    "whole-day-dates": "reads a date-only `<=` bound as the day's last second",
    "or-terms": "reads the terms of q as alternatives: a result meets one of them",
    "splits-words": "reads a text value of several words as each word on its own",
    "mangles-non-ascii": "reads each letter beyond ASCII in q as `?`",
    "reads-entry-page": "knows the criterion `entry_page` only, and ignores `enter_page`",
    "shows-text": "shows `text` to every role, in every lead",
    "hides-text": "hides `text` from every role, administrators too",
    "null-text": "hides `text` from managed roles as `null`, not by leaving it out",
    "calendar-weeks": "reads `lastweek` as the last calendar week, Monday to Sunday",
}

_TIME_FIELDS = ("created_at", "updated_at", "completed_at")
_DATE_ONLY = re.compile(r"\d{4}-\d\d-\d\d", re.ASCII)


def _names(names: Iterable[str]) -> frozenset[str]:
    return frozenset(names)


class Refused(Exception):
    """A request the deviating server refuses: HTTP 400 naming the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


#: What a role that deviates sees as, for `shows-text`: an administrator.
_SEES_ALL = "admin"
_MANAGED = ("chief", "chief_partner", "manager", "operator")
_HIDDEN = ("text", "answer_text")


@attrs.frozen
class Deviations:
    """The deviations a server has (names of `DEVIATIONS`).

    Raises:
        ValueError: a name that is no deviation.
    """

    names: frozenset[str] = attrs.field(factory=frozenset, converter=_names)

    @names.validator
    def _known(self, attribute: object, names: frozenset[str]) -> None:
        unknown = sorted(names - set(DEVIATIONS))
        if unknown:
            raise ValueError(f"no deviation {unknown[0]!r}; the deviations are {', '.join(DEVIATIONS)}")

    @classmethod
    def of(cls, names: Iterable[str] | Deviations | None) -> Deviations:
        if isinstance(names, Deviations):
            return names
        if isinstance(names, str):
            raise TypeError("deviations= takes a collection of names, not one str")
        return cls(names if names is not None else ())

    def __contains__(self, name: object) -> bool:
        return name in self.names

    # -- the request ----------------------------------------------------------------------------

    def refuses(self, http_method: str) -> bool:
        return f"refuses-{http_method.lower()}" in self.names

    def query(self, raw: str) -> dict[str, str]:
        """The parameters of a query string, as the server reads them."""
        from urllib.parse import parse_qsl, unquote

        if "plus-literal" not in self.names:
            return dict(parse_qsl(raw, keep_blank_values=True))
        pairs = (part.partition("=") for part in raw.split("&") if part)
        return {unquote(k): unquote(v) for k, _, v in pairs}

    def read(self, params: Mapping[str, str], role: str, max_limit: int | None = 100) -> tuple[dict[str, str], str]:
        """The parameters of a list request, and the caller's role, as the server reads
        them (the model's server reads them as they are).

        Raises:
            Refused: a request the deviating server refuses.
        """
        names, out = self.names, dict(params)
        limit = out.get("limit", "")
        if limit.isascii() and limit.isdigit() and max_limit is not None:
            if "limit-below-max" in names and int(limit) >= max_limit:
                raise Refused("limit", f"Значение должно быть меньше {max_limit}")
            if "limit-unbounded" in names and int(limit) > max_limit:
                out["limit"] = str(max_limit)  # taken, and served up to the maximum
        sort = out.get("sort", "")
        if "refuses-desc" in names and sort.endswith(":d"):
            raise Refused("sort", f"unknown sort {sort!r}")
        for name, parameter in (("ignores-sort", "sort"), ("ignores-offset", "offset"), ("ignores-fields", "fields")):
            if name in names:
                out.pop(parameter, None)
        if "shows-text" in names and role in _MANAGED:
            role = _SEES_ALL
        return out, role

    def alternatives(self, q: str, schema: Schema, now: int | None) -> list[str]:
        """`q` as the server reads it: the q strings a result must meet one of.

        Raises:
            Refused: a q the deviating server refuses.
        """
        names = self.names
        if not names & {
            "refuses-comma-lists", "mangles-non-ascii", "ignores-ge", "ignores-le", "whole-day-dates",
            "or-terms", "splits-words", "reads-entry-page", "calendar-weeks",
        }:  # fmt: skip
            return [q]
        if "mangles-non-ascii" in names:
            q = "".join(c if c.isascii() else "?" for c in q)
        junk, terms = split_terms(q, schema.term_start)
        if junk is not None:
            return [q]  # the server's own reading refuses it
        kept: list[str] = []
        for term in terms:
            name, op, value = term.name, term.op, term.value
            if "refuses-comma-lists" in names and "," in value:
                raise Refused("q", f"`{name}` takes one value, not a list: {value!r}")
            if (op == ">=" and "ignores-ge" in names) or (op == "<=" and "ignores-le" in names):
                continue
            if name == "enter_page" and "reads-entry-page" in names:
                continue
            if op == "<=" and "whole-day-dates" in names and _DATE_ONLY.fullmatch(value):
                value += "T23:59:59"
            if name == "text" and "splits-words" in names and " " in value:
                kept += [f"text={word}" for word in value.split()]
                continue
            if op == "=" and value == "lastweek" and "calendar-weeks" in names and now is not None:
                first, last = _calendar_week(now)
                kept += [f"{name}>={first}", f"{name}<={last}"]
                continue
            kept.append(f"{name}{op}{value}")
        if "or-terms" in names and len(kept) > 1:
            return kept
        return [" ".join(kept)]

    # -- the answer ------------------------------------------------------------------------------

    def answer(
        self, page: list[dict[str, Any]], total: int, params: Mapping[str, str]
    ) -> tuple[list[dict[str, Any]], int]:
        """A page (and its `total`) as the deviating server writes it, from the page (and
        count of matches) the model's server would send for `params`."""
        names = self.names
        if not names:
            return page, total
        if "caps-pages" in names:
            page = page[:1]
        if "total-is-page" in names:
            total = len(page)
        fields = params.get("fields")
        named = set(fields.split(",")) if fields is not None else set(_HIDDEN)
        out = []
        for lead in page:
            lead = dict(lead)
            if "hides-text" in names:
                lead = {k: v for k, v in lead.items() if k not in _HIDDEN}
            if "null-text" in names:
                lead.update({k: None for k in _HIDDEN if k in named and k not in lead})
            for field in _TIME_FIELDS:
                value = lead.get(field)
                if isinstance(value, str) and "utc-datetimes" in names:
                    moment = datetime.fromisoformat(value).replace(tzinfo=moscow()).astimezone(UTC)
                    lead[field] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
                elif isinstance(value, str) and "spaced-datetimes" in names:
                    lead[field] = value.replace("T", " ")
            out.append(lead)
        return out, total


def _calendar_week(now: int) -> tuple[str, str]:
    """The first and last second of the calendar week before the one of `now`."""
    today = date.fromordinal(now // 86400)
    monday = today - timedelta(days=today.weekday() + 7)
    return f"{monday.isoformat()}T00:00:00", f"{(monday + timedelta(days=6)).isoformat()}T23:59:59"


def deviations_markdown() -> str:
    """The deviations as docs/probe.md lists them."""
    rows = "\n".join(f"| `{name}` | {what} |" for name, what in DEVIATIONS.items())
    return f"| deviation | the server |\n|---|---|\n{rows}\n"
