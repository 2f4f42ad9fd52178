"""The field kinds, one module each, and the registry that names them.

A criterion names its kind (`Criterion.kind_name`); `kind_of` finds it. A kind registered with
`register` (a test may add one) works in every pass.
"""

from __future__ import annotations

from ..criterion import REGISTRY, Criterion
from .base import Context, Kind
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

KINDS: dict[str, Kind] = {}


def register(kind: Kind, name: str | None = None) -> Kind:
    """Make `kind` available under `name` (default: its class's `name`)."""
    KINDS[name or kind.name] = REGISTRY[name or kind.name] = kind
    return kind


register(IdListKind())
register(StringIdListKind(), "idlist:string")
register(EnumKind())
register(NumericKind())
register(BooleanKind())
register(StringKind())
register(SubstringKind())
register(DatetimeKind())
register(TextKind())
register(EnumListKind())
register(DateKind())
register(TimeKind())




def kind_of(c: Criterion) -> Kind:
    """The kind of criterion `c`."""
    return KINDS[c.kind_name]


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
