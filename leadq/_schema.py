"""The criteria a LiveTex list method accepts in `q`, as data.

A row per criterion: its `q` name, the other spellings a person may write, its type, its
enum values, and (by its position in the table) its place in a canonical `q`. Another list
method of the API is another table, not new logic.
"""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from ._kinds import Kind


class FieldType(enum.Enum):
    IDLIST = "idlist"  # one id per lead; q takes a comma-separated list
    ENUM = "enum"  # one of `values`; q takes one value per term
    NUMERIC = "numeric"  # whole numbers (duration in seconds)
    BOOLEAN = "boolean"
    STRING = "string"  # compared with `=`
    SUBSTRING = "substring"  # `contains`: q holds a substring of the field
    DATETIME = "datetime"


class IdKind(enum.Enum):
    NUMBER = "number"
    STRING = "string"


@attrs.frozen
class Criterion:
    """One criterion of `q`.

    Attributes:
        name: the name written into `q` (``site_ids``).
        aliases: other names a person may write (``site``, ``site_id``).
        type: the value type.
        values: the allowed values of an enum.
        id_kind: for idlists, whether ids are numbers or strings.
        human: the name `format` and `decompile` print.
        lead_field: the Lead object's attribute the criterion tests (``site`` for
            ``site_ids``, whose value is a Site with an ``id``); the name by default.
        presence: a boolean criterion that tests whether `lead_field` is given
            (``email_exists``) rather than reading a boolean.
        hidden_from: roles that do not see this field of other employees' leads.
        local: q has no criterion for the field: only `pushdown` (and `leadq fetch`)
            accept it, and check it on each lead fetched (`lead_field` may then be a
            dotted path into a nested object, ``site.url``).
        description: what the criterion means, from the method's reference.
        kind: the criterion's field kind (operators, values, q rendering), from `type`.
    """

    name: str
    aliases: tuple[str, ...]
    type: FieldType | Kind
    values: tuple[str, ...] = ()
    id_kind: IdKind = IdKind.NUMBER
    human: str = ""
    lead_field: str = ""
    presence: bool = False
    hidden_from: tuple[str, ...] = ()
    local: bool = False
    description: str = attrs.field(default="", eq=False)
    kind: Kind = attrs.field(init=False, eq=False, repr=False)

    @kind.default
    def _kind(self) -> Kind:
        from ._kinds import KINDS, Kind

        if isinstance(self.type, Kind):
            return self.type
        if self.type is FieldType.IDLIST and self.id_kind is IdKind.STRING:
            return KINDS["idlist:string"]
        return KINDS[self.type.value]

    @property
    def field(self) -> str:
        """The Lead attribute this criterion reads."""
        return self.lead_field or self.name

    @property
    def display(self) -> str:
        return self.human or self.name


@attrs.frozen(repr=False)
class Schema:
    """The criteria of one API list method, in canonical `q` order.

    Attributes:
        method: the API method's name.
        criteria: the criteria of `q`, in canonical order.
        roles: the API roles that may call the method.
        sort_keys: what `order by` may name (sent as `sort=<key>:a` or `:d`).
        result_fields: what `fields` may name: each field of the result, with the
            fields of a nested object (``site(id,url)``), ``None`` for a plain value, or
            ``()`` for an object whose fields the docs do not list.
        max_limit: the largest `limit` the server accepts.
        endpoint: the method's URL, when the docs give it.
    """

    method: str
    criteria: tuple[Criterion, ...]
    roles: tuple[str, ...] = ()
    sort_keys: tuple[str, ...] = ()
    result_fields: dict[str, tuple[str, ...] | None] = attrs.field(factory=dict, eq=False, repr=False)
    max_limit: int = 100
    endpoint: str = ""
    by_name: dict[str, Criterion] = attrs.field(init=False, eq=False, repr=False)
    by_q_name: dict[str, Criterion] = attrs.field(init=False, eq=False, repr=False)
    order: dict[str, int] = attrs.field(init=False, eq=False, repr=False)
    plain_names: frozenset[str] = attrs.field(init=False, eq=False, repr=False)
    _patterns: dict[str, re.Pattern[str]] = attrs.field(init=False, eq=False, repr=False, factory=dict)
    _fetch: list[Schema] = attrs.field(init=False, eq=False, repr=False, factory=list)

    @by_name.default
    def _by_name(self) -> dict[str, Criterion]:
        return {n: c for c in self.criteria for n in (c.name, *c.aliases)}

    @by_q_name.default
    def _by_q_name(self) -> dict[str, Criterion]:
        return {c.name: c for c in self.criteria}

    @plain_names.default
    def _plain_names(self) -> frozenset[str]:
        """The spellings that are no alias: the q name, the human name, `<human>_id`, and
        the dotted name of a nested object's id (`site.id`, in `with_lead_fields()`)."""
        dotted = (a for c in self.criteria for a in c.aliases if "." in a)
        return frozenset((*(n for c in self.criteria for n in (c.name, c.display, f"{c.display}_id")), *dotted))

    @order.default
    def _order(self) -> dict[str, int]:
        return {c.name: i for i, c in enumerate(self.criteria)}

    @property
    def term_start(self) -> re.Pattern[str]:
        """Where a server starts reading a new term: `<name><op>` at the start of q or
        after whitespace (q-format.md). Group 1 is the name, group 2 the operator."""
        return self._patterns.get("start") or self._pattern("start")

    @property
    def term_break(self) -> re.Pattern[str]:
        """Whitespace followed by `<name><op>`: what a value must never contain."""
        return self._patterns.get("break") or self._pattern("break")

    def _pattern(self, key: str) -> re.Pattern[str]:
        # compiled on first use (the check pass asks once per value), and kept: the
        # schema is immutable
        from ._qformat import term_break_pattern, term_start_pattern

        source = term_start_pattern if key == "start" else term_break_pattern
        pattern = self._patterns[key] = re.compile(source(self))
        return pattern

    def __repr__(self) -> str:
        return f"<Schema {self.method}: {len(self.criteria)} criteria>"

    def lookup(self, name: str) -> Criterion | None:
        """The criterion a person's field name refers to, if any."""
        return self.by_name.get(name)

    def with_lead_fields(self) -> Schema:
        """This schema plus the Lead fields q has no criterion for (`local` criteria), and
        the dotted spellings of the ids q has (``site.id``): what `pushdown` reads."""
        if not self._fetch:
            self._fetch.append(_with_lead_fields(self))
        return self._fetch[0]

    def lead_field(self, name: str) -> Criterion | None:
        """The local criterion `name` would be in `with_lead_fields()` (None when `name`
        is a criterion of q, or no Lead field at all)."""
        if name in self.by_name:
            return None
        c = self.with_lead_fields().lookup(name)
        return c if c is not None and c.local else None


def _ids(name: str, human: str, description: str, id_kind: IdKind = IdKind.NUMBER) -> Criterion:
    return Criterion(
        name,
        (human, f"{human}_id"),
        FieldType.IDLIST,
        id_kind=id_kind,
        human=human,
        lead_field=human,
        description=description,
    )


_LEAD_TYPES = ("form", "callback", "chat")
_RESULTS = ("missed", "completed")


def _criteria(*, routed: bool) -> tuple[Criterion, ...]:
    # Descriptions from the method's reference (leads-list.md); completion, hover and the
    # docs show them.
    rows = [
        Criterion("ids", ("id",), FieldType.IDLIST, human="id", lead_field="id", description="The lead's own id."),
        _ids("site_ids", "site", "The site the lead came from."),
        _ids("department_ids", "department", "The department the lead belongs to."),
        _ids("created_by_ids", "created_by", "The employee who created the lead."),
        _ids("assigned_to_ids", "assigned_to", "The employee the lead is assigned to."),
        _ids("completed_by_ids", "completed_by", "The employee who completed the lead."),
        _ids("visitor_ids", "visitor", "The visitor who left the lead (visitor ids are strings).", IdKind.STRING),
        Criterion(
            "type",
            (),
            FieldType.ENUM,
            _LEAD_TYPES,
            description="How the lead was made: `form` (lead form), `callback` (a call-me-back button), "
            "`chat` (created by an employee from a chat).",
        ),
    ]
    if routed:
        # The implementation schema of Leads.listRouted has creator_type where the docs
        # have type; both are accepted (docs/decisions.md).
        rows.append(
            Criterion(
                "creator_type",
                (),
                FieldType.ENUM,
                ("visitor", "employee"),
                description="Who created the lead (Leads.listRouted's implementation name).",
            )
        )
    rows += [
        Criterion(
            "result",
            (),
            FieldType.ENUM,
            _RESULTS,
            description="`missed` (not processed yet) or `completed` (processed).",
        ),
        Criterion(
            "duration",
            (),
            FieldType.NUMERIC,
            description="Whole seconds between the visitor's message and the lead's completion.",
        ),
        Criterion(
            "email_exists", (), FieldType.BOOLEAN, lead_field="email", presence=True, description="An email is given."
        ),
        Criterion(
            "phone_exists", (), FieldType.BOOLEAN, lead_field="phone", presence=True, description="A phone is given."
        ),
    ]
    if not routed:
        rows.append(
            Criterion(
                "is_managed", (), FieldType.BOOLEAN, description="The lead is one of the calling employee's own leads."
            )
        )
    rows += [
        Criterion(
            "search_engine", (), FieldType.STRING, description="The search service the visitor came from (Google, ...)."
        ),
        Criterion("ext_referer", (), FieldType.STRING, description="The address the visitor came to the site from."),
        Criterion(
            "enter_page",
            ("entry_page",),
            FieldType.STRING,
            lead_field="entry_page",
            description="The page where the visit started.",
        ),
        Criterion("int_referer", (), FieldType.STRING, description="The page on which the lead form was opened."),
        Criterion("created_at", (), FieldType.DATETIME, description="When the lead was created (Moscow time)."),
        Criterion(
            "text",
            (),
            FieldType.SUBSTRING,
            hidden_from=_MANAGED_ROLES,
            description="The lead's text; `contains` searches a piece of it.",
        ),
    ]
    return tuple(rows)


# The access table of Leads.list: these roles see other employees' leads without `text`.
_MANAGED_ROLES = ("chief", "chief_partner", "manager", "operator")
_ROLES = ("admin", "admin_partner", *_MANAGED_ROLES)
_SORT_KEYS = ("created_at", "updated_at", "duration", "result")
_EMPLOYEE = (
    "id", "first_name", "last_name", "email", "phone", "role", "state",
    "is_active", "is_deleted", "is_managed", "created_at", "updated_at",
)  # fmt: skip
_OWNED = ("id", "created_at", "updated_at", "is_deleted", "is_managed")
_LEAD_FIELDS: dict[str, tuple[str, ...] | None] = {
    **dict.fromkeys(
        ("id", "name", "email", "phone", "type", "text", "result", "answer_text", "duration", "country", "city",
         "ext_referer", "entry_page", "int_referer", "search_engine", "search_query", "visit_count", "page_count",
         "is_locked", "completed_at", "is_managed", "created_at", "updated_at"),
    ),
    "site": ("url", *_OWNED),
    "department": ("title", *_OWNED),
    "conversation": (),
    "locked_by": _EMPLOYEE,
    "assigned_to": _EMPLOYEE,
    "completed_by": _EMPLOYEE,
    "created_by": _EMPLOYEE,
}  # fmt: skip


#: The API's attested base URL (api-http.md; docs/decisions.md).
BASE_URL = "https://web-api.livetex.ru"

#: Leads.list (POST /leads/list).
LEADS_LIST = Schema(
    "Leads.list", _criteria(routed=False), _ROLES, _SORT_KEYS, _LEAD_FIELDS, endpoint=f"{BASE_URL}/leads/list"
)
#: Leads.listRouted: the same without is_managed, plus creator_type.
LEADS_LIST_ROUTED = Schema(
    "Leads.listRouted",
    _criteria(routed=True),
    _ROLES,
    _SORT_KEYS,
    _LEAD_FIELDS,
    endpoint=f"{BASE_URL}/leads/listRouted",
)


# -- Lead fields beyond q (fetch only) -----------------------------------------------------

_EMPLOYEES = ("assigned_to", "completed_by", "created_by", "locked_by")


def _local(name: str, type: FieldType | str, description: str, **kw: object) -> Criterion:
    from ._kinds import KINDS

    kind = KINDS[type] if isinstance(type, str) else KINDS[type.value]
    return Criterion(name, (), kind, lead_field=name, local=True, description=description, **kw)  # type: ignore[arg-type]


def _lead_only(schema: Schema) -> list[Criterion]:
    """The Lead object's fields (leads-list.md) that no criterion of `schema` reads."""
    rows = [
        _local("name", "text", "The visitor's name."),
        _local("email", "text", "The visitor's email."),
        _local("phone", "text", "The visitor's phone."),
        _local("country", "text", "The visitor's country."),
        _local("city", "text", "The visitor's city."),
        _local("search_query", "text", "What the visitor searched for."),
        _local("answer_text", "text", "The employee's answer.", hidden_from=_MANAGED_ROLES),
        _local("visit_count", FieldType.NUMERIC, "How many visits the visitor made."),
        _local("page_count", FieldType.NUMERIC, "How many pages the visitor saw."),
        _local("is_locked", FieldType.BOOLEAN, "The lead is locked by an employee."),
        _local("completed_at", FieldType.DATETIME, "When the lead was completed (Moscow time)."),
        _local("updated_at", FieldType.DATETIME, "When the lead was last changed (Moscow time)."),
        _local("site.url", "text", "The address of the lead's site."),
        _local("department.title", "text", "The name of the lead's department."),
        _local("locked_by.id", FieldType.IDLIST, "The employee who locked the lead."),
    ]
    if schema.lookup("is_managed") is None:
        rows.append(_local("is_managed", FieldType.BOOLEAN, "The lead is one of the calling employee's own leads."))
    for owner in ("site", "department"):
        rows += [
            _local(f"{owner}.is_deleted", FieldType.BOOLEAN, f"The lead's {owner} is deleted."),
            _local(f"{owner}.is_managed", FieldType.BOOLEAN, f"The lead's {owner} is one the caller manages."),
        ]
    for who in _EMPLOYEES:
        for part in ("first_name", "last_name", "email", "phone", "role", "state"):
            rows.append(_local(f"{who}.{part}", "text", f"The {part.replace('_', ' ')} of the `{who}` employee."))
    return [r for r in rows if r.name not in schema.by_name]


def _with_lead_fields(schema: Schema) -> Schema:
    criteria = []
    for c in schema.criteria:
        # `site.id` is how a person reading the Lead object names what `site_ids` tests
        dotted = f"{c.lead_field}.id" if c.type is FieldType.IDLIST and c.lead_field not in ("", "id") else None
        criteria.append(attrs.evolve(c, aliases=(*c.aliases, dotted)) if dotted else c)
    return Schema(
        schema.method,
        (*criteria, *_lead_only(schema)),
        schema.roles,
        schema.sort_keys,
        schema.result_fields,
        schema.max_limit,
        schema.endpoint,
    )


def fields_table(schema: Schema = LEADS_LIST) -> str:
    """The schema's criteria as a Markdown table, for the language reference."""
    rows = [
        "| write | also accepted | q name | type | values | operators | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in schema.criteria:
        others = [n for n in (c.name, *c.aliases) if n != c.display]
        kind = c.kind.name if c.kind.name != "idlist" else f"{c.id_kind.value} ids"
        values = ", ".join(f"`{v}`" for v in c.values)
        rows.append(
            f"| `{c.display}` | {', '.join(f'`{n}`' for n in others)} | `{c.name}` | {kind} | {values} "
            f"| {c.kind.operators_doc} | {c.description} |"
        )
    return "\n".join(rows)
