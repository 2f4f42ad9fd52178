"""How a client pages through one list method, read from its schema (docs/fetch.md,
"Paging, and what a run guarantees").

Four ways, from the most to the least a run can promise:

- **keyset**, ascending: the method has a paging key (`created_at`: a datetime criterion
  of q that the returned object holds, and a sort key) whose ascending sort the reference
  attests, and objects with an id: each page asks for `created_at >=` the last second
  read (Leads.list, Chats.list);
- **keyset, descending**: only the descending sort on the key is attested (Calls.list
  `created_at:d`): each page asks for `created_at <=` the last second read;
- **offset**: no key to page by (Employees.list, or an object without an id): pages by
  `offset`, sorted by the attested sort least moved by changes — `created_at` or `id`
  ascending (new objects come last), then descending, then the method's default sort;
- **single**: the method takes no `limit` (the Stats methods): one request answers all.
"""

from __future__ import annotations

import re

import attrs

from .criterion import IdKind
from .schema import Schema
from .wire import MAX_NUMBER

#: The largest page a client asks for when the method sets no maximum (or a larger one).
PAGE_CEILING = 1000
#: The sorts an offset run prefers, most stable first: new objects come after those read.
_STABLE = ("created_at:a", "id:a", "created_at:d", "id:d")


@attrs.frozen
class Paging:
    """How a run pages through a method, read from its schema (`Paging.of`).

    Attributes:
        way: ``"keyset"``, ``"offset"`` or ``"single"`` (one request, no paging).
        key: keyset: the datetime field pages are sorted and bounded by; else ``""``.
        descending: keyset: the pages go from the newest down (only ``key:d`` is
            attested).
        sort: the `sort` each request sends (``""``: none, the method's own order).
        id_field: the field that tells two objects apart (``""``: the objects have no
            id, and nothing can tell a repeated one).
        id_kind: whether ids are numbers or strings.
        max_limit: the largest page the API serves (0: the method takes no `limit`).
    """

    way: str
    key: str
    descending: bool
    sort: str
    id_field: str
    id_kind: IdKind
    max_limit: int

    @property
    def keyset(self) -> bool:
        return self.way == "keyset"

    @property
    def page_size(self) -> int:
        """The page a client asks for by default: the method's maximum, at most
        `PAGE_CEILING` (0: no `limit`)."""
        return min(self.max_limit, PAGE_CEILING)

    @property
    def describe(self) -> str:
        """The way in words, for the reference pages and messages."""
        if self.way == "keyset":
            direction = "descending, from the newest" if self.descending else "ascending"
            return f"by keyset on `{self.key}` ({direction}), ties broken by `{self.id_field}`"
        if self.way == "offset":
            return f"by `offset`, sorted by `{self.sort}`" if self.sort else "by `offset`, in the method's own order"
        return "in one request (the method takes no `limit`)"

    @classmethod
    def of(cls, schema: Schema) -> Paging:
        """How a client pages through `schema`'s method."""
        id_field = "id" if "id" in schema.result_fields else ""
        kind = _id_kind(schema)
        if "limit" not in schema.parameters:
            return cls("single", "", False, "", id_field, kind, 0)
        limit = schema.max_limit if schema.max_limit > 0 else MAX_NUMBER
        key = schema.paging_key
        c = schema.by_q_name.get(key) if key else None
        if c is not None and c.readable and id_field and "offset" in schema.parameters:
            if not schema.sorts or f"{key}:a" in schema.sorts:
                return cls("keyset", key, False, f"{key}:a", id_field, kind, limit)
            if f"{key}:d" in schema.sorts:
                return cls("keyset", key, True, f"{key}:d", id_field, kind, limit)
        if "offset" not in schema.parameters:
            return cls("single", "", False, "", id_field, kind, 0)
        return cls("offset", "", False, _offset_sort(schema), id_field, kind, limit)


def _offset_sort(schema: Schema) -> str:
    if "sort" not in schema.parameters or not schema.sorts:
        return ""
    for sort in _STABLE:
        if sort in schema.sorts:
            return sort
    return schema.default_sort if schema.default_sort in schema.sorts else schema.sorts[0]


def _id_kind(schema: Schema) -> IdKind:
    """Whether the method's objects have numbers or strings for ids."""
    ids = next((c for c in schema.criteria if c.is_idlist and c.field == "id"), None)
    if ids is not None:
        return ids.id_kind
    local = next((c for c in schema.lead_fields if c.field == "id"), None)
    return IdKind.STRING if local is not None and local.kind_name == "text" else IdKind.NUMBER


def nouns(schema: Schema) -> tuple[str, str]:
    """What the method returns, in words, one and many: ``("lead", "leads")``, ``("chat",
    "chats")``, ``("VAT invoice", "VAT invoices")``; ``("object", "objects")`` when its
    reference names no type."""
    if not schema.object_type:
        return "object", "objects"
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+", schema.object_type)
    one = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)
    if one.endswith("y") and not one.endswith(("ay", "ey", "oy", "uy")):
        many = one[:-1] + "ies"
    elif one.endswith(("s", "x", "ch", "sh")):
        many = one + "es"
    else:
        many = one + "s"
    return one, many
