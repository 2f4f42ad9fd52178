"""The field kinds, one module each, and the registry that names them.

A criterion names its kind (`Criterion.kind_name`); `kind_of` finds it. A kind registered with
`register` (a test may add one) works in every pass. The shipped kinds load when a criterion
first asks for one, so that a filter on ids never loads the datetime kind.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ..criterion import REGISTRY, Criterion
from .base import Context, Kind

if TYPE_CHECKING:
    from .boolean import BooleanKind
    from .date import DateKind
    from .datetime import DatetimeKind
    from .enum import EnumKind
    from .enum_list import EnumListKind
    from .idlist import IdListKind
    from .member import MemberKind
    from .numeric import NumericKind
    from .range import RangeKind
    from .string import StringKind
    from .string_idlist import StringIdListKind
    from .substring import SubstringKind
    from .text import TextKind
    from .time import TimeKind

#: Each shipped kind's name, module and class.
_SHIPPED = {
    "idlist": ("idlist", "IdListKind"),
    "idlist:string": ("string_idlist", "StringIdListKind"),
    "enum": ("enum", "EnumKind"),
    "enum:list": ("enum_list", "EnumListKind"),
    "numeric": ("numeric", "NumericKind"),
    "boolean": ("boolean", "BooleanKind"),
    "string": ("string", "StringKind"),
    "substring": ("substring", "SubstringKind"),
    "datetime": ("datetime", "DatetimeKind"),
    "text": ("text", "TextKind"),
    "date": ("date", "DateKind"),
    "time": ("time", "TimeKind"),
}
_CLASSES = {cls: module for module, cls in _SHIPPED.values()} | {"MemberKind": "member", "RangeKind": "range"}


class _Kinds(dict[str, Kind]):
    """The registry: a shipped kind is made the first time its name is asked for."""

    def __missing__(self, name: str) -> Kind:
        if name not in _SHIPPED:
            raise KeyError(name)
        module, cls = _SHIPPED[name]
        kind = getattr(importlib.import_module(f".{module}", __name__), cls)()
        return register(kind, name)

    def __contains__(self, name: object) -> bool:
        # a shipped kind is in the registry before it is made: `in` must not depend on
        # what asked for kinds earlier
        return name in _SHIPPED or super().__contains__(name)


KINDS: dict[str, Kind] = _Kinds()


def register(kind: Kind, name: str | None = None) -> Kind:
    """Make `kind` available under `name` (default: its class's `name`)."""
    KINDS[name or kind.name] = REGISTRY[name or kind.name] = kind
    return kind


def kind_of(c: Criterion) -> Kind:
    """The kind of criterion `c`."""
    return KINDS[c.kind_name]


def _load(name: str) -> Kind:
    return KINDS[name]


REGISTRY.load = _load  # a criterion's `kind` finds a shipped kind through the registry


def __getattr__(name: str) -> Any:
    module = _CLASSES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "KINDS",
    "BooleanKind",
    "Context",
    "DateKind",
    "DatetimeKind",
    "EnumKind",
    "EnumListKind",
    "IdListKind",
    "Kind",
    "MemberKind",
    "NumericKind",
    "RangeKind",
    "StringIdListKind",
    "StringKind",
    "SubstringKind",
    "TextKind",
    "TimeKind",
    "kind_of",
    "register",
]
