"""The method registry: every API list method leadq speaks, by name, as a `Schema`.

`METHODS` (read-only) and `schema(name)` are the one place that lists them; the command
line, the configuration, the language server, the playground and the client read them from
here. Leads.list and Leads.listRouted are written below from their reference
(leads-list.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..core.diagnostics import LeadqError, Report
from ..core.span import Span
from ..core.suggest import closest
from . import kinds  # noqa: F401  (registers the kinds the criteria name)
from .criterion import Criterion, FieldType, IdKind
from .schema import Schema
from .wire import MAX_NUMBER

__all__ = [
    "BASE_URL",
    "LEADS_LIST",
    "LEADS_LIST_ROUTED",
    "METHODS",
    "ROLES",
    "Criterion",
    "FieldType",
    "Schema",
    "resolve",
    "schema",
]


def _ids(name: str, human: str, description: str, words: tuple[str, ...], id_kind: IdKind = IdKind.NUMBER) -> Criterion:
    return Criterion(
        name,
        (human, f"{human}_id"),
        FieldType.IDLIST,
        id_kind=id_kind,
        human=human,
        lead_field=human,
        description=description,
        words=words,
    )


_LEAD_TYPES = ("form", "callback", "chat")
_RESULTS = ("missed", "completed")


def _criteria(*, routed: bool) -> tuple[Criterion, ...]:
    # Descriptions from the method's reference (leads-list.md); completion, hover and the
    # docs show them. The words are what people call a field instead: the reference's
    # Russian (leads-list.seed.txt), and common English names.
    rows = [
        Criterion(
            "ids",
            ("id",),
            FieldType.IDLIST,
            human="id",
            lead_field="id",
            description="The lead's own id.",
            words=("идентификатор", "ид", "айди", "номер", "лид", "lead", "lead_id", "number"),
        ),
        _ids("site_ids", "site", "The site the lead came from.", ("сайт", "website", "domain")),
        _ids(
            "department_ids",
            "department",
            "The department the lead belongs to.",
            ("отдел", "подразделение", "dept", "division", "team"),
        ),
        _ids(
            "created_by_ids",
            "created_by",
            "The employee who created the lead.",
            ("создатель", "создал", "автор", "author", "creator"),
        ),
        _ids(
            "assigned_to_ids",
            "assigned_to",
            "The employee the lead is assigned to.",
            ("ответственный", "закреплен", "назначен", "assignee", "owner", "responsible"),
        ),
        _ids(
            "completed_by_ids",
            "completed_by",
            "The employee who completed the lead.",
            ("обработал", "завершил", "closed_by", "resolved_by"),
        ),
        _ids(
            "visitor_ids",
            "visitor",
            "The visitor who left the lead (visitor ids are strings).",
            ("посетитель", "клиент", "customer", "client"),
            IdKind.STRING,
        ),
        Criterion(
            "type",
            (),
            FieldType.ENUM,
            _LEAD_TYPES,
            description="How the lead was made: `form` (lead form), `callback` (a call-me-back button), "
            "`chat` (created by an employee from a chat).",
            words=("тип", "вид", "kind", "category", "lead_type"),
            value_words=(
                ("form", ("форма", "заявка", "офлайн")),
                ("callback", ("звонок", "перезвонить", "перезвоните", "обратный_звонок", "call", "call_back")),
                ("chat", ("чат", "переписка", "диалог")),
            ),
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
            words=("результат", "статус", "обработка", "status", "state", "outcome"),
            value_words=(
                ("missed", ("пропущен", "необработан", "не_обработан", "новый", "open", "new", "pending", "missing")),
                ("completed", ("обработан", "завершен", "выполнен", "закрыт", "done", "closed", "complete")),
            ),
        ),
        Criterion(
            "duration",
            (),
            FieldType.NUMERIC,
            description="Whole seconds between the visitor's message and the lead's completion.",
            unit="second",
            words=("длительность", "продолжительность", "время_обработки", "length", "response_time"),
        ),
        Criterion(
            "email_exists",
            (),
            FieldType.BOOLEAN,
            lead_field="email",
            presence=True,
            description="An email is given.",
            words=("почта", "емейл", "имейл", "has_email", "with_email"),
        ),
        Criterion(
            "phone_exists",
            (),
            FieldType.BOOLEAN,
            lead_field="phone",
            presence=True,
            description="A phone is given.",
            words=("телефон", "has_phone", "with_phone"),
        ),
    ]
    if not routed:
        rows.append(
            Criterion(
                "is_managed",
                (),
                FieldType.BOOLEAN,
                description="The lead is one of the calling employee's own leads.",
                words=("свои", "мои", "mine", "own", "my"),
            )
        )
    rows += [
        Criterion(
            "search_engine",
            (),
            FieldType.STRING,
            description="The search service the visitor came from (Google, ...).",
            words=("поисковик", "поисковая", "поиск", "engine", "search"),
        ),
        Criterion(
            "ext_referer",
            (),
            FieldType.STRING,
            description="The address the visitor came to the site from.",
            words=("реферер", "источник", "откуда", "referer", "referrer", "ext_referrer", "source"),
        ),
        Criterion(
            "enter_page",
            ("entry_page",),
            FieldType.STRING,
            lead_field="entry_page",
            description="The page where the visit started.",
            words=("входная", "вход", "landing", "landing_page", "start_page"),
        ),
        Criterion(
            "int_referer",
            (),
            FieldType.STRING,
            description="The page on which the lead form was opened.",
            words=("форма", "страница_формы", "int_referrer", "form_page"),
        ),
        Criterion(
            "created_at",
            (),
            FieldType.DATETIME,
            description="When the lead was created (Moscow time).",
            words=("дата", "создан", "создания", "время", "date", "created", "creation_date", "time", "when"),
        ),
        Criterion(
            "text",
            (),
            FieldType.SUBSTRING,
            hidden_from=_MANAGED_ROLES,
            description="The lead's text; `contains` searches a piece of it.",
            words=("текст", "сообщение", "message", "body", "content", "comment"),
        ),
    ]
    return tuple(rows)


# The access table of Leads.list: these roles see other employees' leads without `text`.
_MANAGED_ROLES = ("chief", "chief_partner", "manager", "operator")
_ROLES = ("admin", "admin_partner", *_MANAGED_ROLES)
#: Every role of the API (implementation/Roles.json); each method grants some of them.
ROLES = _ROLES
_SORT_KEYS = ("created_at", "updated_at", "duration", "result")
#: The sort values the reference attests (`order by` takes either direction of each key).
_SORTS = tuple(f"{key}:a" for key in _SORT_KEYS)
#: The levels of the reference's access table (docs/decisions.md: the implementation gives
#: `operator` the level `user`).
_ACCESS = {"admin": "full", "admin_partner": "full", **dict.fromkeys(_MANAGED_ROLES, "managed")}
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


# -- Lead fields beyond q (fetch only) -----------------------------------------------------

_EMPLOYEES = ("assigned_to", "completed_by", "created_by", "locked_by")


def _local(name: str, type: FieldType | str, description: str, hidden_from: tuple[str, ...] = ()) -> Criterion:
    return Criterion(name, (), type, lead_field=name, local=True, description=description, hidden_from=hidden_from)


def _lead_only() -> tuple[Criterion, ...]:
    """The Lead object's fields (leads-list.md) that q has no criterion for; a schema drops
    those its own criteria read (`is_managed` is one in Leads.list, not in
    Leads.listRouted)."""
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
    rows.append(_local("is_managed", FieldType.BOOLEAN, "The lead is one of the calling employee's own leads."))
    for owner in ("site", "department"):
        rows += [
            _local(f"{owner}.is_deleted", FieldType.BOOLEAN, f"The lead's {owner} is deleted."),
            _local(f"{owner}.is_managed", FieldType.BOOLEAN, f"The lead's {owner} is one the caller manages."),
        ]
    for who in _EMPLOYEES:
        for part in ("first_name", "last_name", "email", "phone", "role", "state"):
            rows.append(_local(f"{who}.{part}", "text", f"The {part.replace('_', ' ')} of the `{who}` employee."))
    return tuple(rows)



_LEAD_ONLY = _lead_only()

#: The API's attested base URL (api-http.md; docs/decisions.md).
BASE_URL = "https://web-api.livetex.ru"

#: Leads.list (POST /leads/list).
LEADS_LIST = Schema(
    "Leads.list",
    _criteria(routed=False),
    _ROLES,
    _SORT_KEYS,
    _LEAD_FIELDS,
    endpoint=f"{BASE_URL}/leads/list",
    lead_fields=_LEAD_ONLY,
    default_sort="created_at:a",
    paging_key="created_at",
    sorts=_SORTS,
    access=_ACCESS,
    object_type="Lead",
    description="The leads of the account.",
)
#: Leads.listRouted: the same without is_managed, plus creator_type.
LEADS_LIST_ROUTED = Schema(
    "Leads.listRouted",
    _criteria(routed=True),
    _ROLES,
    _SORT_KEYS,
    _LEAD_FIELDS,
    endpoint=f"{BASE_URL}/leads/listRouted",
    lead_fields=_LEAD_ONLY,
    default_sort="created_at:a",
    paging_key="created_at",
    sorts=_SORTS,
    access=dict.fromkeys(_ROLES, "routed"),
    object_type="Lead",
    description="The leads routed to the calling employee.",
)


# -- every other list method, from the tables generated from the API's schema -----------------

_TEXT_TYPES = frozenset({"string", "email", "phone", "color", "country", "currency", "file", "idlist"})
_OBJECT_KINDS = {"numeric": "numeric", "boolean": "boolean", "datetime": "datetime", "date": "date", "time": "time"}


def _object_kind(type_name: str) -> str | None:
    """The kind a field of this type has when a filter names it (fetch checks it)."""
    return "text" if type_name in _TEXT_TYPES else _OBJECT_KINDS.get(type_name)


def _inner(type_name: str) -> str:
    """`Array<Site>` holds `Site`s."""
    return type_name.split("<")[-1].rstrip(">")


def _generated(name: str, row: Mapping[str, Any], types: Mapping[str, tuple[tuple[str, str, str], ...]]) -> Schema:
    """The schema of one method, from its row of the generated tables (`livetex.py`)."""
    object_type = row["object"]
    fields = {f: t for f, t, _ in types.get(object_type, ())}
    hidden = {role: set(without) for role, _, _, without in row["roles"]}
    criteria = []
    for r in row["criteria"]:
        q_name = r["name"]
        human, lead_field, presence = q_name, q_name, False
        aliases: tuple[str, ...] = ()
        if q_name == "ids":
            human, aliases, lead_field = "id", ("id",), "id"
        elif q_name.endswith("_ids"):
            human = q_name[: -len("_ids")]
            aliases, lead_field = (human, f"{human}_id"), human if human in fields else f"{human}_id"
        elif q_name.endswith("_exists"):
            lead_field, presence = q_name[: -len("_exists")], True
        kind = r["kind"] or "string"
        criteria.append(
            Criterion(
                q_name,
                aliases,
                FieldType.IDLIST if kind == "idlist:string" else FieldType(kind),
                tuple(r.get("values", ())),
                id_kind=IdKind.STRING if kind == "idlist:string" else IdKind.NUMBER,
                human=human,
                lead_field=lead_field,
                presence=presence,
                hidden_from=tuple(role for role, without in hidden.items() if lead_field in without),
                description=r["description"],
                required=bool(r.get("required")),
                max_interval=r.get("max_interval", ""),
                source=r["source"],
                readable=lead_field in fields,
            )
        )
    read = {c.lead_field for c in criteria}
    local: list[Criterion] = []
    for field, type_name in fields.items():
        kind = _object_kind(type_name)
        if kind is not None:
            if field not in read:
                local.append(_local(field, kind, f"The {object_type}'s `{field}`."))
        elif type_name in types:  # a nested object: its id and its plain fields, one level down
            for sub, sub_type in ((f, t) for f, t, _ in types[type_name]):
                if sub == "id" and field in read:
                    continue  # `site.id` is how `site_ids` is spelled on the object
                if sub == "id":  # an id: a Visitor's is a string
                    sub_kind: str | None = "idlist:string" if sub_type == "string" else "idlist"
                else:
                    sub_kind = _object_kind(sub_type)
                if sub_kind is not None:
                    local.append(_local(f"{field}.{sub}", sub_kind, f"The `{sub}` of the {object_type}'s `{field}`."))
    result_fields: dict[str, tuple[str, ...] | None] = {}
    for field, type_name in fields.items():
        inner = _inner(type_name)
        if inner in types:
            result_fields[field] = tuple(f for f, _, _ in types[inner])
        else:
            result_fields[field] = () if inner == "Object" else None
    sort_keys = tuple(dict.fromkeys(s.partition(":")[0] for s in row["sorts"]))
    pages = any(c.name == "created_at" and c.kind_name == "datetime" for c in criteria) and "created_at" in sort_keys
    limit = row["limit"] or (MAX_NUMBER if "limit" in row["parameters"] else 0)
    return Schema(
        name,
        tuple(criteria),
        tuple(role for role, _, _, _ in row["roles"]),
        sort_keys,
        result_fields,
        limit,
        f"{BASE_URL}{row['path']}",
        lead_fields=tuple(local),
        default_sort=row["default_sort"],
        paging_key="created_at" if pages else "",
        sorts=tuple(row["sorts"]),
        access={role: level for role, level, _, _ in row["roles"]},
        parameters=tuple(row["parameters"]),
        object_type=object_type,
        description=row["description"],
    )


class _Methods(Mapping[str, Schema]):
    """The registry as a read-only mapping of method name to schema, in the API's order
    (by resource, then method). Leads.list and Leads.listRouted are written above; every
    other schema is built from the generated tables when it is first asked for, so that a
    program that speaks only Leads.list never loads them."""

    def __init__(self, written: tuple[Schema, ...]) -> None:
        self._written = {s.method: s for s in written}
        self._folded_written = {s.method.lower(): s.method for s in written}
        self._built: dict[str, Schema] = {}
        self._names: tuple[str, ...] | None = None
        self._folded: dict[str, str] = {}

    def _tables(self) -> tuple[str, ...]:
        if self._names is None:
            from .livetex import METHODS as TABLES

            self._names = tuple(TABLES)
            self._folded = {n.lower(): n for n in self._names}
        return self._names

    def __getitem__(self, name: str) -> Schema:
        found = self._written.get(name) or self._built.get(name)
        if found is not None:
            return found
        if name not in self._tables():
            raise KeyError(name)
        from .livetex import METHODS as TABLES
        from .livetex import TYPES

        built = self._built[name] = _generated(name, TABLES[name], TYPES)
        return built

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables())

    def __len__(self) -> int:
        return len(self._tables())

    def __repr__(self) -> str:
        return f"<leadq.METHODS: {len(self)} methods>"

    def find(self, name: str) -> Schema | None:
        """The method `name` names, in any letter case."""
        folded = name.lower()
        written = self._folded_written.get(folded)
        if written is not None:
            return self._written[written]
        self._tables()
        exact = self._folded.get(folded)
        return self[exact] if exact is not None else None


#: Every API list method leadq speaks, by name (read-only).
METHODS: Mapping[str, Schema] = _Methods((LEADS_LIST, LEADS_LIST_ROUTED))


def resolve(value: object) -> Schema:
    """What a `schema=` argument names: a `Schema` itself, or a method by its name.

    Raises:
        LeadqError: a name no method has (E211).
        TypeError: neither a Schema nor a str.
    """
    if isinstance(value, Schema):
        return value
    if isinstance(value, str):
        return schema(value)
    raise TypeError(
        f"schema must be a leadq.Schema or a method name such as 'Leads.list', not {type(value).__name__}"
    )


def schema(name: str) -> Schema:
    """The schema of an API list method, by its name in any letter case (``"chats.list"``).

    Raises:
        LeadqError: no method has that name (E211, naming the closest one).
        TypeError: `name` is not a str.
    """
    if not isinstance(name, str):
        raise TypeError(f"a method name must be a str such as 'Leads.list', not {type(name).__name__}")
    assert isinstance(METHODS, _Methods)
    found = METHODS.find(name)
    if found is not None:
        return found
    report = Report(name)
    guess = closest(name.lower(), [m.lower() for m in METHODS])
    method = next((m for m in METHODS if m.lower() == guess), None)
    where = Span(0, len(name))
    if method is not None:
        report.add("unknown_method_guess", where, name=name, guess=method)
    else:
        report.add("unknown_method", where, name=name, known=", ".join(METHODS))
    raise LeadqError(report.diagnostics, name, path="<method>")
