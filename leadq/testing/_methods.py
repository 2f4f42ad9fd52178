"""What one list method of the fake API takes and refuses, read from its schema: the path
it is served at, the `limit` it takes (its default and its maximum), its sort keys, the
parameters it takes at all, the criteria it needs in every `q` (required ones, and those it
takes only as a bounded interval), and the fields each role does not see.

`refusal` is the method's validator: the answer (a status and a body) for a request it
refuses, None for one it takes. Refusals are HTTP 400 by default, with the body
``{"error": "invalid_params", "field": ..., "message": ...}`` (docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import attrs

from ..core.datetimes import RELATIVE_PERIODS, parse_moment, period_fits, window_end
from ..schemas.methods import LEADS_LIST, LEADS_LIST_ROUTED, METHODS, schema
from ..schemas.schema import Schema
from ..schemas.wire import MAX_NUMBER, split_terms

#: The roles that see other employees' leads without `text` and `answer_text` (leads-list.md).
LEAD_MANAGED = ("chief", "chief_partner", "manager", "operator")
LEAD_HIDDEN = ("text", "answer_text")
#: The page a method serves when `limit` is not given and its validator names no default.
DEFAULT_LIMIT = 50

Answer = tuple[int, dict[str, Any]]


@attrs.frozen
class Method:
    """The facts of one method the fake server answers by.

    Attributes:
        schema: the method's schema.
        default_limit: the page served without `limit` (0: the method takes none).
        hidden: role → the fields of every object that role does not see (Leads.list:
            `text` and `answer_text` of other employees' leads only).
    """

    schema: Schema
    default_limit: int
    hidden: Mapping[str, tuple[str, ...]]

    @property
    def pages(self) -> bool:
        """Whether the method takes `limit` (and `offset`): the Stats methods do not."""
        return "limit" in self.schema.parameters

    @property
    def max_limit(self) -> int | None:
        """The largest `limit` it takes (None: no bound)."""
        return None if self.schema.max_limit >= MAX_NUMBER else self.schema.max_limit


@cache
def method(name: str) -> Method:
    """The facts of the method `name` (a registry name)."""
    s = schema(name)
    if s in (LEADS_LIST, LEADS_LIST_ROUTED):
        return Method(s, DEFAULT_LIMIT, dict.fromkeys(LEAD_MANAGED, LEAD_HIDDEN))
    from ..schemas.livetex import METHODS as TABLES

    row = TABLES[s.method]
    hidden = {role: tuple(without) for role, _, _, without in row["roles"] if without}
    default = (row["limit_default"] or DEFAULT_LIMIT) if "limit" in s.parameters else 0
    return Method(s, default, hidden)


@cache
def routes() -> dict[str, str]:
    """Every method's path (``/chats/list``) → its name."""
    from urllib.parse import urlsplit

    return {urlsplit(METHODS[name].endpoint).path: name for name in METHODS}


def refusal(m: Method, role: str, params: Mapping[str, str], status: int = 400) -> Answer | None:
    """The method's answer to a request it refuses (a role it does not serve, a parameter
    it does not take or cannot read, a `q` without what it needs); None when it takes the
    request. Whether `q` itself reads is the caller's (`read_q`)."""
    s = m.schema
    if s.roles and role not in s.roles:
        return 403, {"error": "forbidden", "message": f"the role {role} may not call {s.method}"}
    for name in ("fields", "sort", "offset", "limit"):
        if name in params and name not in s.parameters:
            return status, _invalid(name, f"{s.method} takes no `{name}`")
    try:
        limit = int(params.get("limit", str(m.default_limit)))
        offset = int(params.get("offset", "0"))
    except ValueError:
        return status, {"error": "invalid_params", "message": "limit and offset must be integers"}
    if m.max_limit is not None and limit > m.max_limit:
        return status, _invalid("limit", f"Значение должно быть меньше {m.max_limit}")
    if m.pages and (limit < 1 or offset < 0):
        top = m.max_limit if m.max_limit is not None else "any number"
        return status, {"error": "invalid_params", "message": f"limit must be 1 to {top} and offset 0 or more"}
    sort = params.get("sort")
    if sort is not None:
        key, _, direction = sort.partition(":")
        if key not in s.sort_keys or direction not in ("a", "d"):
            return status, _invalid("sort", f"unknown sort {sort!r}")
    return _needed(s, params.get("q", ""), status)


def _needed(s: Schema, q: str, status: int) -> Answer | None:
    """A `q` that leaves out a criterion the method needs: a required one, or one it takes
    only as an interval of at most so long, bounded on both sides."""
    if not s.needed:
        return None
    _, terms = split_terms(q, s.term_start)
    for c in s.needed:
        mine = [t for t in terms if t.name == c.name]
        if c.required and not mine:
            return status, _invalid("q", f"{c.name}: обязательное поле (required)")
        if not c.max_interval:
            continue
        periods = [t.value for t in mine if t.op == "=" and t.value in RELATIVE_PERIODS]
        if periods:
            if all(period_fits(p, c.max_interval) for p in periods):
                continue
            return status, _invalid("q", f"{c.name}: the period is longer than {c.max_interval}")
        try:
            lows = [parse_moment(t.value).first for t in mine if t.op in (">=", "=")]
            highs = [parse_moment(t.value).last for t in mine if t.op in ("<=", "=")]
        except ValueError:
            return None  # `read_q` says what is wrong with the value
        if not lows or not highs:
            return status, _invalid("q", f"{c.name}: an interval of at most {c.max_interval}, bounded on both sides")
        if min(highs) > window_end(max(lows), c.max_interval):
            return status, _invalid("q", f"{c.name}: the interval is longer than {c.max_interval}")
    return None


def _invalid(field: str, message: str) -> dict[str, Any]:
    return {"error": "invalid_params", "field": field, "message": message}
