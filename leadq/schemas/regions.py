"""Regions of one criterion: how the atoms that mention it cut its values, exactly.

The ids named in a filter plus "any other id"; the stretches between range bounds; the
truth assignments of `contains` tests (or relative periods) that some value can meet. Any
condition on the criterion is then a set of regions, held as the bits of an int, so `not`,
`and` and `or` over one criterion are bit operations with no loss. A field kind
(`leadq.schemas.kinds`) chooses the space; the spaces know nothing of q's syntax.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, TypeAlias

import attrs

from .logic import Atom, IdValue, Member, Period, Range, Substring

if TYPE_CHECKING:
    from .criterion import Criterion

#: Distinct `contains` texts or periods on one field (their truth assignments are enumerated).
MAX_TESTS = 12
#: A split into more pieces than this is cut short: no plan holds so many requests.
MAX_PIECES = 4096


class TooManyTests(Exception):
    """More opaque tests on one field than can be enumerated (reported as E405)."""


# -- what a region set means, for emit, explain and plans --------------------------------


@attrs.frozen
class Values:
    """The criterion's value is one of `values` (ascending)."""

    criterion: Criterion
    values: tuple[IdValue, ...]


@attrs.frozen
class Excluded:
    """The criterion's value is anything but `values`: q has no way to say it."""

    criterion: Criterion
    values: tuple[IdValue, ...]


@attrs.frozen
class Intervals:
    """The criterion's value lies in one of these disjoint, ascending, inclusive ranges."""

    criterion: Criterion
    intervals: tuple[tuple[int | None, int | None], ...]


@attrs.frozen
class Test:
    """The criterion passes the opaque test `key` (contains `key`, or lies in period `key`)."""

    criterion: Criterion
    key: str


@attrs.frozen
class Untestable:
    """A mix of opaque tests that no single test says (a negated `contains`, two texts)."""

    criterion: Criterion


Constraint: TypeAlias = Values | Excluded | Intervals | Test | Untestable


class Space:
    """How one criterion's atoms cut its values into regions."""

    criterion: Criterion
    full: int

    def mask(self, atom: Atom) -> int:
        raise NotImplementedError

    def negated_mask(self, atom: Atom) -> int:
        """The regions where `not atom` may hold (the complement of `mask`, unless the
        atom is unsure of some regions: `Range.sure`)."""
        return self.full ^ self.mask(atom)

    def constraint(self, mask: int) -> Constraint:
        raise NotImplementedError

    #: Whether the pieces `split` returns are disjoint.
    disjoint_split = True

    def split(self, mask: int) -> list[int] | None:
        """Pieces whose union is `mask`, each sayable by one set of q terms; None when
        some part of `mask` is sayable by no set of terms at all."""
        return [mask]

    def sayable(self, mask: int) -> bool:
        """Whether some set of q terms (of one request, or several) says `mask`."""
        return self.split(mask) is not None


def mask_of(indexes: Iterable[int]) -> int:
    """The int whose set bits are `indexes`, in time linear in its length (shifting a 1 to
    each place would be quadratic)."""
    found = list(indexes)
    if len(found) < 64:
        m = 0
        for i in found:
            m |= 1 << i
        return m
    buffer = bytearray(max(found) // 8 + 1)
    for i in found:
        buffer[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buffer, "little")


def set_bits(mask: int) -> list[int]:
    """The indexes of the bits set in `mask`, ascending, in time linear in its length."""
    digits = bin(mask)[:1:-1]
    return [i for i, d in enumerate(digits) if d == "1"]


class MemberSpace(Space):
    """A value from a finite universe (enum, flag) or an open one (ids, strings), where the
    values no atom names form one region."""

    _OTHER = object()

    def __init__(
        self,
        criterion: Criterion,
        atoms: Sequence[Atom],
        universe: Sequence[IdValue] | None,
        sort_key: Callable[[IdValue], tuple[int, int, str]],
        width: Callable[[IdValue], int] | None,
        capacity: int,
    ) -> None:
        self.criterion = criterion
        values: list[object]
        if universe is not None:
            values = list(universe)
        else:
            named: set[IdValue] = {v for a in atoms if isinstance(a, Member) for v in a.values}
            values = [*sorted(named, key=sort_key), self._OTHER]
        self.universe = values
        self.open = universe is None
        self.position = {v: i for i, v in enumerate(values)}
        self.full = (1 << len(values)) - 1
        self.width = width
        self.capacity = capacity

    def mask(self, atom: Atom) -> int:
        assert isinstance(atom, Member)
        position = self.position
        return mask_of(position[v] for v in atom.values if v in position)

    def _excludes(self, mask: int) -> bool:
        return self.open and bool(mask >> (len(self.universe) - 1) & 1)

    def constraint(self, mask: int) -> Constraint:
        if self._excludes(mask):
            left_out = [self.universe[i] for i in set_bits(~mask & (self.full >> 1))]
            return Excluded(self.criterion, tuple(_values(left_out)))
        return Values(self.criterion, tuple(_values(self.universe[i] for i in set_bits(mask))))

    def sayable(self, mask: int) -> bool:
        return not self._excludes(mask)

    def split(self, mask: int) -> list[int] | None:
        if self._excludes(mask):
            return None  # every id but some: no finite list of ids says it
        indexes = set_bits(mask)
        if self.width is None:
            return [1 << i for i in indexes[: MAX_PIECES + 1]]  # one value per term
        # In ascending order, as many values per piece as fit in one q value; each piece is
        # cut out of `mask` whole (no int per bit: that would be quadratic in the length).
        runs: list[tuple[int, int]] = []
        length = self.capacity + 1
        for i in indexes:
            value = self.universe[i]
            assert isinstance(value, (int, str))
            width = self.width(value) + 1
            if length + width > self.capacity + 1:
                runs.append((i, i))
                length = 0
                if len(runs) > MAX_PIECES:
                    break
            runs[-1] = (runs[-1][0], i)
            length += width
        return [mask & ((1 << (last + 1)) - (1 << first)) for first, last in runs]


def _values(values: Iterable[object]) -> list[IdValue]:
    return [v for v in values if isinstance(v, (int, str))]


class RangeSpace(Space):
    """A whole number (or second) between `first` and `last`; atoms' bounds are the cuts."""

    def __init__(self, criterion: Criterion, atoms: Sequence[Atom], first: int, last: int) -> None:
        self.criterion = criterion
        self.first, self.last = first, last
        cuts: set[int] = set()
        for a in atoms:
            if isinstance(a, Range):
                for low, high in (a.low, a.high), a.sure or (None, None):
                    if low is not None and high is not None and low > high:
                        continue  # no value: no cut
                    if low is not None:
                        cuts.add(low)
                    if high is not None:
                        cuts.add(high + 1)
        inside = sorted(c for c in cuts if first < c <= last)
        self.starts = inside  # region k (k >= 1) starts at inside[k - 1]
        starts = [first, *inside]
        ends = [*(c - 1 for c in inside), last]
        self.regions = list(zip(starts, ends, strict=True))
        self.full = (1 << len(self.regions)) - 1

    def negated_mask(self, atom: Atom) -> int:
        assert isinstance(atom, Range)
        return self.full ^ self.mask(atom.negated())

    def mask(self, atom: Atom) -> int:
        assert isinstance(atom, Range)
        if atom.low is not None and atom.high is not None and atom.low > atom.high:
            return 0
        if (atom.low is not None and atom.low > self.last) or (atom.high is not None and atom.high < self.first):
            return 0
        # Every bound is a cut, so the atom covers a run of whole regions: find its ends.
        first = 0 if atom.low is None else bisect.bisect_right(self.starts, atom.low)
        last = len(self.regions) - 1 if atom.high is None else bisect.bisect_right(self.starts, atom.high)
        if last < first:
            return 0
        return ((1 << (last + 1)) - 1) ^ ((1 << first) - 1)

    def constraint(self, mask: int) -> Constraint:
        merged: list[tuple[int | None, int | None]] = []
        for run in self._runs(mask):
            low = self.regions[(run & -run).bit_length() - 1][0]
            high = self.regions[run.bit_length() - 1][1]
            merged.append((None if low == self.first else low, None if high == self.last else high))
        return Intervals(self.criterion, tuple(merged))

    def split(self, mask: int) -> list[int]:
        return self._runs(mask)

    def _runs(self, mask: int) -> list[int]:
        runs: list[int] = []
        while mask:
            low = mask & -mask
            run = mask & ~(mask + low)  # the run of set bits starting at `low`
            runs.append(run)
            mask &= ~run
        return runs


class TestSpace(Space):
    disjoint_split = False  # a cover by single tests may overlap

    """Regions are the truth assignments of a field's opaque tests that some value can meet.

    The tests are `contains` texts (a text that contains "ab" also contains "a") or
    relative periods (independent of each other without a clock). Each says one q term; a
    region set that is no union of single tests cannot be said at all.
    """

    def __init__(self, criterion: Criterion, keys: Iterable[str], implied: Callable[[str, str], bool]) -> None:
        self.criterion = criterion
        self.keys = sorted(set(keys))
        if len(self.keys) > MAX_TESTS:
            raise TooManyTests
        k = len(self.keys)
        # assignment `v` (bit i: test i holds) is possible unless a test that must fail is
        # implied by one that must hold
        implies = [[j for j in range(k) if j != i and implied(self.keys[i], self.keys[j])] for i in range(k)]
        assignments = [v for v in range(1 << k) if all(v >> j & 1 for i in range(k) if v >> i & 1 for j in implies[i])]
        self.full = (1 << len(assignments)) - 1
        self.key_masks = {
            key: sum(1 << r for r, v in enumerate(assignments) if v >> i & 1) for i, key in enumerate(self.keys)
        }

    def mask(self, atom: Atom) -> int:
        assert isinstance(atom, (Substring, Period))
        return self.key_masks[atom.text if isinstance(atom, Substring) else atom.name]

    def constraint(self, mask: int) -> Constraint:
        for key in sorted(self.keys, key=len, reverse=True):
            if self.key_masks[key] == mask:
                return Test(self.criterion, key)
        return Untestable(self.criterion)

    def split(self, mask: int) -> list[int] | None:
        if mask in self.key_masks.values():
            return [mask]
        inside = sorted((m for m in set(self.key_masks.values()) if m & ~mask == 0), key=int.bit_count, reverse=True)
        chosen: list[int] = []
        covered = 0
        for m in inside:  # greedy cover by single tests
            if m & ~covered:
                chosen.append(m)
                covered |= m
        return chosen if covered == mask else None
