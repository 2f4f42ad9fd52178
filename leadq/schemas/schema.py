"""The schema of one API list method: its criteria in canonical `q` order, and the facts
of the method that filters and requests are checked against.

Another list method of the API is another `Schema` (a table of `Criterion` rows), not
new logic; `leadq.schemas.methods` holds the shipped ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs

from ..core.diagnostics import LeadqError, Report
from ..core.span import Span
from ..core.suggest import by_words, closest
from .criterion import Criterion
from .wire import IMPLEMENTATION_NAMES, OPERATORS


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
        lead_fields: the fields of the returned object that q has no criterion for
            (`local` criteria): `pushdown` and `evaluate` check them on each result.
        default_sort: the `sort` the API applies when none is given (``created_at:d``);
            empty when the reference does not say.
        paging_key: the datetime field a client pages by (keyset: ``created_at>=`` the
            last one read, ties broken by ``id``); empty when the method has none to page
            by, so a client pages by offset.
        sorts: the `sort` values the reference attests (``created_at:d``); `order by`
            takes every key of `sort_keys` in either direction.
        access: each role's level of access (``full``, ``managed``, ``user``, ``routed``).
        parameters: the request parameters the method takes (``q``, ``fields``,
            ``sort``, ``offset``, ``limit``).
        object_type: the type of the objects the method returns (``Lead``, ``Chat``).
        description: what the method does, from its reference.
    """

    method: str
    criteria: tuple[Criterion, ...]
    roles: tuple[str, ...] = ()
    sort_keys: tuple[str, ...] = ()
    result_fields: dict[str, tuple[str, ...] | None] = attrs.field(factory=dict, eq=False, repr=False)
    max_limit: int = 100
    endpoint: str = ""
    lead_fields: tuple[Criterion, ...] = attrs.field(default=(), eq=False, repr=False)
    default_sort: str = attrs.field(default="", kw_only=True)
    paging_key: str = attrs.field(default="", kw_only=True)
    sorts: tuple[str, ...] = attrs.field(default=(), kw_only=True, eq=False, repr=False)
    access: Mapping[str, str] = attrs.field(factory=dict, kw_only=True, eq=False, repr=False)
    parameters: tuple[str, ...] = attrs.field(
        default=("q", "fields", "sort", "offset", "limit"), kw_only=True, eq=False, repr=False
    )
    object_type: str = attrs.field(default="", kw_only=True, eq=False, repr=False)
    description: str = attrs.field(default="", kw_only=True, eq=False, repr=False)
    _more_names: Mapping[str, Criterion] = attrs.field(factory=dict, eq=False, repr=False, alias="more_names")
    by_name: dict[str, Criterion] = attrs.field(init=False, eq=False, repr=False)
    by_q_name: dict[str, Criterion] = attrs.field(init=False, eq=False, repr=False)
    order: dict[str, int] = attrs.field(init=False, eq=False, repr=False)
    plain_names: frozenset[str] = attrs.field(init=False, eq=False, repr=False)
    _patterns: dict[str, re.Pattern[str]] = attrs.field(init=False, eq=False, repr=False, factory=dict)
    _fetch: list[Schema] = attrs.field(init=False, eq=False, repr=False, factory=list)
    #: The criteria every request must say: required ones, and those the method takes only
    #: as a bounded interval (read by every compile: made once).
    needed: tuple[Criterion, ...] = attrs.field(init=False, eq=False, repr=False)
    #: Every name a criterion answers to (`by_name`'s), for "did you mean" (made once).
    names: tuple[str, ...] = attrs.field(init=False, eq=False, repr=False)
    #: The yes/no criterion that tells whether a Lead field is given, by the field
    #: (`email`: `email_exists`), as shown.
    presence: dict[str, str] = attrs.field(init=False, eq=False, repr=False)

    @needed.default
    def _needed(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.required or c.max_interval)

    @by_name.default
    def _by_name(self) -> dict[str, Criterion]:
        return {**{n: c for c in self.criteria for n in (c.name, *c.aliases)}, **self._more_names}

    @names.default
    def _names(self) -> tuple[str, ...]:
        return tuple(self.by_name)

    @presence.default
    def _presence(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for c in self.criteria:
            if c.presence:
                found.setdefault(c.field, c.display)
        return found

    @by_q_name.default
    def _by_q_name(self) -> dict[str, Criterion]:
        return {c.name: c for c in self.criteria}

    @plain_names.default
    def _plain_names(self) -> frozenset[str]:
        """The spellings that are no alias: the q name, the human name, `<human>_id`, and
        the dotted name of a nested object's id (`site.id`, in `with_lead_fields()`)."""
        dotted = (a for c in self.criteria for a in c.aliases if "." in a)
        plain = (n for c in self.criteria for n in (c.name, c.display, f"{c.display}_id"))
        return frozenset((*plain, *dotted, *self._more_names))

    @order.default
    def _order(self) -> dict[str, int]:
        return {c.name: i for i, c in enumerate(self.criteria)}


    @property
    def term_names(self) -> tuple[str, ...]:
        """Every name a server may read as the start of a term: the criteria's, and the
        names only the API's implementation validates (`leadq.schemas.wire`)."""
        return tuple(dict.fromkeys([*(c.name for c in self.criteria), *IMPLEMENTATION_NAMES]))

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
        names = "|".join(sorted((re.escape(n) for n in self.term_names), key=len, reverse=True))
        if key == "start":
            operators = "|".join(sorted(OPERATORS, key=len, reverse=True))  # `>=` before `>`
            source = rf"(?:^|(?<=\s))({names})({operators})"
        else:
            source = rf"\s(?:{names})[=<>]"
        pattern = self._patterns[key] = re.compile(source)
        return pattern

    def __repr__(self) -> str:
        return f"<Schema {self.method}: {len(self.criteria)} criteria>"

    def lookup(self, name: str) -> Criterion | None:
        """The criterion a person's field name refers to, if any."""
        return self.by_name.get(name)

    def by_word(self, name: str) -> Criterion | None:
        """The criterion a person most likely means by `name`, one of the other words for
        it (`Criterion.words`: the reference's Russian, common English), allowing for
        endings (`результаты`, `даты`); None when no word fits, or two fit equally."""
        found = by_words(name, ((w, c.name) for c in self.criteria for w in c.words))
        return self.by_q_name[found] if found is not None else None

    def with_lead_fields(self) -> Schema:
        """This schema plus the fields of the returned object q has no criterion for
        (`local` criteria), and the dotted spellings of the ids q has (``site.id``): what
        `pushdown` reads. The criteria of q are the same objects in both."""
        if not self._fetch:
            dotted = {f"{c.lead_field}.id": c for c in self.criteria if c.is_idlist and c.lead_field not in ("", "id")}
            known = {n for c in self.criteria for n in (c.name, *c.aliases)}
            local = tuple(c for c in self.lead_fields if c.name not in known)
            self._fetch.append(
                Schema(
                    self.method,
                    (*self.criteria, *local),
                    self.roles,
                    self.sort_keys,
                    self.result_fields,
                    self.max_limit,
                    self.endpoint,
                    more_names={**dotted, **self._more_names},
                    default_sort=self.default_sort,
                    paging_key=self.paging_key,
                    sorts=self.sorts,
                    access=self.access,
                    parameters=self.parameters,
                    object_type=self.object_type,
                    description=self.description,
                )
            )
        return self._fetch[0]

    def lead_field(self, name: str) -> Criterion | None:
        """The local criterion `name` would be in `with_lead_fields()` (None when `name`
        is a criterion of q, or no Lead field at all)."""
        if name in self.by_name:
            return None
        c = self.with_lead_fields().lookup(name)
        return c if c is not None and c.local else None


def checked_role(role: object, schema: Schema) -> str | None:
    """`role` when it is None or a role `schema` knows: what every `role=` of the library
    (and the command line's `--role`, and the language server's setting) is checked with,
    so that a misspelt role never silently turns a protection off (W606 and E313 read the
    role to warn).

    The roles a schema knows are its `roles`, or, when it lists none, those its criteria
    are hidden from.

    Raises:
        LeadqError: a role the schema does not know (E212, the hint naming the nearest):
            the argument, not the text, is wrong, as with an unknown method (E211).
        TypeError: `role` is not a str.
    """
    if role is None:
        return None
    if not isinstance(role, str):
        raise TypeError(f"role must be a str such as 'operator', not {type(role).__name__}")
    known = schema.roles or tuple(
        dict.fromkeys(r for c in (*schema.criteria, *schema.lead_fields) for r in c.hidden_from)
    )
    if role in known:
        return role
    report = Report(role)
    where = Span(0, len(role))
    guess = closest(role, known)
    if guess is not None:
        report.add("unknown_role_guess", where, name=role[:60], method=schema.method, guess=guess)
    else:
        report.add("unknown_role", where, name=role[:60], method=schema.method, known=", ".join(known) or "none")
    raise LeadqError(report.diagnostics, role, path="<role>")
