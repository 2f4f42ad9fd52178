"""A criterion of `q`, as data: one row of a method's table.

A row holds the criterion's `q` name, the other spellings a person may write, the name of
its *kind* (how its values are checked, combined, written and read: `leadq.schemas.kinds`),
its enum values, and the facts of the API method about it. Nothing here computes; the
kinds and the passes read the row.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Protocol

import attrs


class FieldType(enum.Enum):
    """The value types of the method references; each names the kind of the same name."""

    IDLIST = "idlist"  # one id per lead; q takes a comma-separated list
    ENUM = "enum"  # one of `values`; q takes one value per term
    NUMERIC = "numeric"  # whole numbers (duration in seconds)
    BOOLEAN = "boolean"
    STRING = "string"  # compared with `=`
    SUBSTRING = "substring"  # `contains`: q holds a substring of the field
    DATETIME = "datetime"
    ENUM_LIST = "enum:list"  # one of `values`; q takes a comma list of them (Chats.list `result`)
    DATE = "date"  # a day, without a time
    TIME = "time"  # a time of day, without a date


class IdKind(enum.Enum):
    NUMBER = "number"
    STRING = "string"


class KindInfo(Protocol):
    """What a criterion row can tell of its kind. The kind itself, with every hook the
    passes call, is `leadq.schemas.kinds.kind_of(criterion)`; a kind object may stand for
    its name where a criterion's type is given."""

    @property
    def name(self) -> str: ...

    @property
    def words(self) -> str: ...

    @property
    def operators(self) -> tuple[str, ...]: ...


class _Registry(dict[str, KindInfo]):
    """Every registered kind by name. `leadq.schemas.kinds` registers its kinds, and sets
    `load`, which makes a shipped kind the first time its name is asked for."""

    load: Callable[[str], KindInfo] | None = None

    def __missing__(self, name: str) -> KindInfo:
        if self.load is None:
            raise KeyError(name)
        return self.load(name)


REGISTRY = _Registry()


def _kind_name(type: FieldType | str | KindInfo, id_kind: IdKind) -> str:
    if isinstance(type, FieldType):
        if type is FieldType.IDLIST and id_kind is IdKind.STRING:
            return "idlist:string"
        return type.value
    if isinstance(type, str):
        return type
    return type.name


@attrs.frozen
class Criterion:
    """One criterion of `q`.

    Attributes:
        name: the name written into `q` (``site_ids``).
        aliases: other names a person may write (``site``, ``site_id``).
        type: the value type: a `FieldType`, or the name of a registered kind.
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
        unit: what a number of a numeric criterion counts (``second`` for `duration`).
        words: other words people use for the criterion (in the reference's Russian, and
            common English ones); an unknown field name that is one of them gets a "did you
            mean".
        value_words: other words for an enum's values: pairs of a value and its words.
        kind_name: the name of the criterion's field kind (operators, values, q
            rendering): `type`'s own, unless given as ``kind=``.
        required: the method refuses a `q` without this criterion (Locations.list
            `title`): a filter must say it in every request.
        max_interval: the longest interval the method takes (``"30 days"``,
            ``"1 month"``): a filter must bound the criterion on both sides, and a
            longer interval is planned as consecutive windows.
        source: which description of the API lists it: ``"both"``, ``"reference"``
            (the server's own validator does not know it: a warning) or
            ``"implementation"``.
        readable: the returned object holds what the criterion tests, so that a
            condition on it can be checked on each object (`evaluate`, a residual).
    """

    name: str
    aliases: tuple[str, ...]
    type: FieldType | str | KindInfo = attrs.field(eq=False)
    values: tuple[str, ...] = ()
    id_kind: IdKind = IdKind.NUMBER
    human: str = ""
    lead_field: str = ""
    presence: bool = False
    hidden_from: tuple[str, ...] = ()
    local: bool = False
    description: str = attrs.field(default="", eq=False)
    unit: str = attrs.field(default="", eq=False, kw_only=True)
    words: tuple[str, ...] = attrs.field(default=(), eq=False, kw_only=True)
    value_words: tuple[tuple[str, tuple[str, ...]], ...] = attrs.field(default=(), eq=False, kw_only=True)
    kind_name: str = attrs.field(default="", kw_only=True, alias="kind")
    required: bool = attrs.field(default=False, kw_only=True)
    max_interval: str = attrs.field(default="", kw_only=True)
    source: str = attrs.field(default="both", kw_only=True, eq=False)
    readable: bool = attrs.field(default=True, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.kind_name:
            object.__setattr__(self, "kind_name", _kind_name(self.type, self.id_kind))

    @property
    def kind(self) -> KindInfo:
        """The criterion's field kind (its name, words and operators; every other hook
        through `leadq.schemas.kinds.kind_of`)."""
        return REGISTRY[self.kind_name]

    @property
    def field(self) -> str:
        """The Lead attribute this criterion reads."""
        return self.lead_field or self.name

    @property
    def display(self) -> str:
        return self.human or self.name

    @property
    def is_idlist(self) -> bool:
        """Ids of a nested object (`site_ids`): spelled `site.id` too, read at `site.id`."""
        return self.kind_name in ("idlist", "idlist:string")
