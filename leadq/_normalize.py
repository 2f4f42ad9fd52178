"""Normalize pass: typed logic → one constraint per criterion, exactly, or diagnostics.

How it stays exact. The atoms that mention one criterion cut its values into *regions*
(ids named in the filter plus "any other id"; the stretches between range bounds; the
consistent truth assignments of `contains` tests). Any condition on that criterion is then
a set of regions, held as the bits of an int, so `not`, `and` and `or` over one criterion
are bit operations with no loss. A whole filter becomes a union of *boxes* (one region set
per criterion); it compiles when that union is a single box, checked by subtracting every
box from the bounding box. No guessing, no special cases per operator.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from typing import TypeAlias

import attrs

from ._ast import Span
from ._check import MAX_VALUE_LENGTH, Atom, Conj, Disj, IdValue, Logic, Member, Neg, Period, Range, Substring
from ._datetimes import FIRST_SECOND, LAST_SECOND
from ._diagnostics import Diagnostic, diagnostic
from ._schema import Criterion, FieldType, Schema

#: A union may hold this many boxes while being simplified; more is "too complex".
MAX_BOXES = 4096
#: Distinct `contains` texts or periods on one field (their truth assignments are enumerated).
MAX_TESTS = 12

Box = dict[int, int]  # criterion index → region mask; a missing criterion is unconstrained


class TooComplex(Exception):
    pass


# -- the constraints a normalized filter is made of -----------------------------------


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
class Text:
    """The criterion contains `text`."""

    criterion: Criterion
    text: str


@attrs.frozen
class PeriodIs:
    criterion: Criterion
    name: str


@attrs.frozen
class Inexpressible:
    """A mix of `contains` tests (or a negated period) that one q term cannot carry."""

    criterion: Criterion
    reason: str


Constraint: TypeAlias = Values | Excluded | Intervals | Text | PeriodIs | Inexpressible


# -- regions of one criterion ------------------------------------------------------------


class _Space:
    """How one criterion's atoms cut its values into regions."""

    full: int

    def mask(self, atom: Atom) -> int:
        raise NotImplementedError

    def constraint(self, mask: int) -> Constraint:
        raise NotImplementedError

    def split(self, mask: int) -> list[int]:
        """Pieces of `mask` whose union is `mask`, each sayable by one q term if possible."""
        return [mask]


class _MemberSpace(_Space):
    _OTHER = object()

    def __init__(self, criterion: Criterion, atoms: Sequence[Member]) -> None:
        self.criterion = criterion
        universe: list[object]
        if criterion.type is FieldType.ENUM:
            universe = list(criterion.values)
        elif criterion.type is FieldType.BOOLEAN:
            universe = [True, False]
        else:  # open-ended: the values named, and one region for all the others
            named = {v for a in atoms for v in a.values}
            universe = [*sorted(named, key=_sort_key), self._OTHER]
        self.universe = universe
        self.bit = {v: 1 << i for i, v in enumerate(universe)}
        self.full = (1 << len(universe)) - 1

    def mask(self, atom: Atom) -> int:
        assert isinstance(atom, Member)
        m = 0
        for v in atom.values:
            m |= self.bit.get(v, 0)
        return m

    def constraint(self, mask: int) -> Constraint:
        chosen = [v for i, v in enumerate(self.universe) if mask >> i & 1]
        if self.universe[-1] is self._OTHER and chosen and chosen[-1] is self._OTHER:
            left_out = [v for i, v in enumerate(self.universe[:-1]) if not mask >> i & 1]
            return Excluded(self.criterion, tuple(_ids(left_out)))
        return Values(self.criterion, tuple(_ids(chosen)))

    def split(self, mask: int) -> list[int]:
        bits = [1 << i for i in range(len(self.universe)) if mask >> i & 1]
        if self.universe[-1] is self._OTHER and mask >> (len(self.universe) - 1) & 1:
            return [mask]  # an exclusion: no finite pieces
        if self.criterion.type is not FieldType.IDLIST:
            return bits  # one enum or string value per term
        pieces: list[int] = []
        length = MAX_VALUE_LENGTH + 1
        for bit in bits:  # ids in ascending order, as many per piece as fit in a q value
            width = len(str(self.universe[bit.bit_length() - 1])) + 1
            if length + width > MAX_VALUE_LENGTH + 1:
                pieces.append(0)
                length = 0
            pieces[-1] |= bit
            length += width
        return pieces


def _ids(values: Iterable[object]) -> list[IdValue]:
    return [v for v in values if isinstance(v, (int, str))]


def _sort_key(v: IdValue) -> tuple[int, int, str]:
    # bools first (True before False), then numbers by value, then strings by code point
    if isinstance(v, bool):
        return (0, 0 if v else 1, "")
    if isinstance(v, int):
        return (1, v, "")
    return (2, 0, v)


class _RangeSpace(_Space):
    def __init__(self, criterion: Criterion, atoms: Sequence[Range]) -> None:
        self.criterion = criterion
        if criterion.type is FieldType.DATETIME:
            self.first: int | None = FIRST_SECOND
            self.last: int | None = LAST_SECOND
        else:
            self.first = self.last = None
        cuts: set[int] = set()
        for a in atoms:
            if a.low is not None:
                cuts.add(a.low)
            if a.high is not None:
                cuts.add(a.high + 1)
        inside = sorted(
            c for c in cuts if (self.first is None or c > self.first) and (self.last is None or c <= self.last)
        )
        self.starts = inside  # region k (k >= 1) starts at inside[k - 1]
        starts: list[int | None] = [self.first, *inside]
        ends: list[int | None] = [*(c - 1 for c in inside), self.last]
        self.regions = list(zip(starts, ends, strict=True))
        self.full = (1 << len(self.regions)) - 1

    def mask(self, atom: Atom) -> int:
        assert isinstance(atom, Range)
        # Every bound is a cut, so the atom covers a run of whole regions: find its ends.
        first = 0 if atom.low is None else bisect.bisect_right(self.starts, atom.low)
        last = len(self.regions) - 1 if atom.high is None else bisect.bisect_right(self.starts, atom.high)
        if atom.low is not None and self.last is not None and atom.low > self.last:
            return 0
        if atom.high is not None and self.first is not None and atom.high < self.first:
            return 0
        if last < first:
            return 0
        return ((1 << (last + 1)) - 1) ^ ((1 << first) - 1)

    def constraint(self, mask: int) -> Constraint:
        merged: list[tuple[int | None, int | None]] = []
        previous = -2
        for i, (start, end) in enumerate(self.regions):
            if mask >> i & 1:
                if previous == i - 1:
                    merged[-1] = (merged[-1][0], end)
                else:
                    merged.append((start, end))
                previous = i
        return Intervals(self.criterion, tuple(merged))

    def split(self, mask: int) -> list[int]:
        runs: list[int] = []
        previous = -2
        for i in range(len(self.regions)):
            if mask >> i & 1:
                if previous == i - 1:
                    runs[-1] |= 1 << i
                else:
                    runs.append(1 << i)
                previous = i
        return runs


class _TestSpace(_Space):
    """Regions are the truth assignments of a field's opaque tests that some value can meet.

    The tests are `contains` texts (a text that contains "ab" also contains "a") or
    relative periods (independent of each other without a clock). Each compiles to one q
    term; a region set that is no single test cannot be said by one q.
    """

    def __init__(self, criterion: Criterion, keys: Sequence[str], implied: Callable[[str, str], bool]) -> None:
        self.criterion = criterion
        self.keys = sorted(set(keys))
        if len(self.keys) > MAX_TESTS:
            raise TooComplex
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
                if self.criterion.type is FieldType.SUBSTRING:
                    return Text(self.criterion, key)
                return PeriodIs(self.criterion, key)
        what = "substring" if self.criterion.type is FieldType.SUBSTRING else "relative period"
        return Inexpressible(
            self.criterion,
            f"a q term holds one {what} and q has no negation; this mix of conditions needs more",
        )

    def split(self, mask: int) -> list[int]:
        if mask in self.key_masks.values():
            return [mask]
        inside = sorted((m for m in set(self.key_masks.values()) if m & ~mask == 0), key=int.bit_count, reverse=True)
        chosen: list[int] = []
        covered = 0
        for m in inside:  # greedy cover by single tests
            if m & ~covered:
                chosen.append(m)
                covered |= m
        return chosen if covered == mask else [mask]


def _contains(text: str, part: str) -> bool:
    return part in text


def _independent(_: str, __: str) -> bool:
    return False


# -- boxes -------------------------------------------------------------------------------


class Normalizer:
    """The region spaces of one filter's atoms, and box algebra over them."""

    def __init__(self, logic: Logic, schema: Schema, text: str) -> None:
        self.schema = schema
        self.text = text
        self.diagnostics: list[Diagnostic] = []
        by_criterion: dict[str, list[Atom]] = {}
        for atom in atoms(logic):
            by_criterion.setdefault(atom.criterion.name, []).append(atom)
        self.atoms = by_criterion
        self.spaces: dict[int, _Space] = {}
        self.index = {name: schema.order[name] for name in by_criterion}
        for name, group in by_criterion.items():
            space = self._space(group)
            if space is not None:
                self.spaces[self.index[name]] = space

    def _space(self, group: list[Atom]) -> _Space | None:
        c = group[0].criterion
        if c.type is FieldType.SUBSTRING:
            return _TestSpace(c, [a.text for a in group if isinstance(a, Substring)], _contains)
        if c.type in (FieldType.NUMERIC, FieldType.DATETIME):
            periods = [a for a in group if isinstance(a, Period)]
            if not periods:
                return _RangeSpace(c, [a for a in group if isinstance(a, Range)])
            others = [a for a in group if not isinstance(a, Period)]
            if others:
                for a in (periods[0], *others):
                    self.diagnostics.append(
                        diagnostic(
                            self.text,
                            "E307",
                            a.span,
                            f"`{_source(self.text, periods[0].span)}` has no fixed value without a clock, "
                            f"so it cannot be combined with `{_source(self.text, others[0].span)}`",
                            f"use either the relative period or fixed dates on `{c.display}`",
                        )
                    )
                return None
            return _TestSpace(c, [a.name for a in periods], _independent)
        return _MemberSpace(c, [a for a in group if isinstance(a, Member)])

    def boxes(self, logic: Logic, negate: bool = False) -> list[Box]:
        """The filter as a union of boxes (after pushing `not` down to the atoms)."""
        if isinstance(logic, Neg):
            return self.boxes(logic.operand, not negate)
        if isinstance(logic, (Conj, Disj)):
            meet = isinstance(logic, Conj) != negate
            if meet:
                # Atoms (and negated atoms) fold straight into one box; only compound
                # operands need the general intersection of unions.
                box: Box = {}
                compound: list[Logic] = []
                for operand in logic.operands:
                    atom, flip = (operand.operand, not negate) if isinstance(operand, Neg) else (operand, negate)
                    if isinstance(atom, (Conj, Disj, Neg)):
                        compound.append(operand)
                        continue
                    i = self.index[atom.criterion.name]
                    space = self.spaces[i]
                    m = space.mask(atom)
                    if flip:
                        m ^= space.full
                    m &= box.get(i, space.full)
                    if not m:
                        return []
                    box[i] = m
                result: list[Box] = [{i: m for i, m in box.items() if m != self.spaces[i].full}]
                for operand in compound:
                    result = self.intersect(result, self.boxes(operand, negate))
                    if not result:
                        break
                return result
            union: list[Box] = []
            for operand in logic.operands:
                union.extend(self.boxes(operand, negate))
                if len(union) > MAX_BOXES:
                    union = simplify(union, self.spaces)
                    if len(union) > MAX_BOXES:
                        raise TooComplex
            return simplify(union, self.spaces)
        i = self.index[logic.criterion.name]
        space = self.spaces[i]
        m = space.mask(logic)
        if negate:
            m ^= space.full
        if m == space.full:
            return [{}]
        return [{i: m}] if m else []

    def intersect(self, left: list[Box], right: list[Box]) -> list[Box]:
        if len(left) * len(right) > MAX_BOXES:
            raise TooComplex
        out: list[Box] = []
        for a in left:
            for b in right:
                c = _meet(a, b)
                if c is not None:
                    out.append(c)
        return simplify(out, self.spaces) if len(out) > 1 else out

    def single(self, boxes: list[Box]) -> Box | None:
        """The one box equal to the union, if the union is a box."""
        if len(boxes) == 1:
            return boxes[0]
        bounding: Box = {}
        for i in set().union(*boxes):
            m = 0
            for b in boxes:
                m |= b.get(i, self.spaces[i].full)
            if m != self.spaces[i].full:
                bounding[i] = m
        if subtract([bounding], boxes, self.spaces):
            return None
        return bounding

    def constraints(self, box: Box) -> tuple[Constraint, ...]:
        return tuple(self.spaces[i].constraint(box[i]) for i in sorted(box))

    def spans(self, criterion: Criterion) -> list[Span]:
        return [a.span for a in self.atoms.get(criterion.name, [])]


def _meet(a: Box, b: Box) -> Box | None:
    c = dict(a)
    for i, m in b.items():
        m = c[i] & m if i in c else m
        if not m:
            return None
        c[i] = m
    return c


def _key(box: Box) -> tuple[tuple[int, int], ...]:
    return tuple(sorted(box.items()))


def simplify(boxes: list[Box], spaces: dict[int, _Space]) -> list[Box]:
    """Merge boxes that differ in one criterion and drop boxes inside others; exact."""
    current = list({_key(b): b for b in boxes}.values())
    changed = True
    while changed and len(current) > 1:
        changed = False
        for i in set().union(*current):
            full = spaces[i].full
            groups: dict[tuple[tuple[int, int], ...], int] = {}
            for b in current:
                rest = _key({j: m for j, m in b.items() if j != i})
                groups[rest] = groups.get(rest, 0) | b.get(i, full)
            if len(groups) < len(current):
                changed = True
                merged = []
                for rest, m in groups.items():
                    box = dict(rest)
                    if m != full:
                        box[i] = m
                    merged.append(box)
                current = merged
                if len(current) == 1:
                    return current
    if 1 < len(current) <= 256:
        current = [a for k, a in enumerate(current) if not any(k != n and _inside(a, b) for n, b in enumerate(current))]
    return current


def _inside(a: Box, b: Box) -> bool:
    """Whether box a lies within box b (equal boxes were merged already)."""
    return all(i in a and a[i] & ~m == 0 for i, m in b.items())


def subtract(pieces: list[Box], boxes: list[Box], spaces: dict[int, _Space]) -> list[Box]:
    """What is left of the union of `pieces` after removing every box (disjoint pieces)."""
    for x in boxes:
        left: list[Box] = []
        for r in pieces:
            if _meet(r, x) is None:
                left.append(r)
                continue
            rest = dict(r)
            for i, m in x.items():
                have = rest.get(i, spaces[i].full)
                outside = have & ~m
                if outside:
                    piece = dict(rest)
                    piece[i] = outside
                    left.append(piece)
                rest[i] = have & m
        pieces = left
        if len(pieces) > MAX_BOXES:
            raise TooComplex
        if not pieces:
            break
    return pieces


def atoms(logic: Logic) -> Iterable[Atom]:
    stack = [logic]
    while stack:
        node = stack.pop()
        if isinstance(node, (Conj, Disj)):
            stack.extend(reversed(node.operands))
        elif isinstance(node, Neg):
            stack.append(node.operand)
        else:
            yield node


def conjuncts(logic: Logic) -> list[Logic]:
    """The top-level `and` operands (nested `and`s flattened)."""
    if isinstance(logic, Conj):
        return [c for o in logic.operands for c in conjuncts(o)]
    return [logic]


def _source(text: str, span: Span) -> str:
    piece = " ".join(text[span.start : span.end].split())
    return piece if len(piece) <= 60 else piece[:57] + "..."


# -- the pass ------------------------------------------------------------------------------


@attrs.frozen
class Normalized:
    """A filter as one conjunction of per-criterion constraints, in schema order."""

    constraints: tuple[Constraint, ...]
    atoms: dict[str, list[Atom]] = attrs.field(eq=False, repr=False)

    def spans(self, criterion: Criterion) -> list[Span]:
        """Where the conditions on `criterion` stand in the text."""
        return [a.span for a in self.atoms.get(criterion.name, [])]


def normalize(logic: Logic, schema: Schema, text: str) -> tuple[Normalized | None, list[Diagnostic]]:
    """One constraint per criterion, or diagnostics saying why there is no such conjunction."""
    try:
        n = Normalizer(logic, schema, text)
        if n.diagnostics:
            return None, n.diagnostics
        boxes = n.boxes(logic)
        if not boxes:
            return None, contradictions(n, logic)
        box = n.single(boxes)
        if box is None:
            return None, _needs_several(n, logic)
    except TooComplex:
        span = Span(0, len(text))
        return None, [
            diagnostic(
                text,
                "E405",
                span,
                "the filter has too many alternatives to normalize",
                "split it into simpler filters",
            )
        ]
    return Normalized(n.constraints(box), n.atoms), []


#: Deletion-based searches (the smallest contradicting set, redundant conditions) cost one
#: evaluation per condition; past this many top-level conditions they are skipped.
MAX_SEARCHED = 64


def contradictions(n: Normalizer, logic: Logic) -> list[Diagnostic]:
    core = conjuncts(logic)
    # Most contradictions sit within one criterion: try those groups first, cheaply.
    for name in n.atoms:
        group = [c for c in core if {a.criterion.name for a in atoms(c)} == {name}]
        if group and not n.boxes(Conj(tuple(group), group[0].span)):
            core = group
            break
    if len(core) > MAX_SEARCHED:
        core = [logic]
    for c in list(core):
        trial = [x for x in core if x is not c]
        if trial and not n.boxes(Conj(tuple(trial), c.span)):
            core = trial
    if len(core) == 1:
        return [
            diagnostic(
                n.text,
                "E401",
                core[0].span,
                "this condition can never be true, so the filter matches no lead",
                "q has no way to ask for nothing; remove the condition",
            )
        ]
    out = []
    for c in core:
        others = " and ".join(f"`{_source(n.text, o.span)}`" for o in core if o is not c)
        out.append(
            diagnostic(
                n.text,
                "E401",
                c.span,
                f"`{_source(n.text, c.span)}` contradicts {others}: the filter matches no lead",
                "remove one of the contradicting conditions",
            )
        )
    return out


def _needs_several(n: Normalizer, logic: Logic) -> list[Diagnostic]:
    culprits = [c for c in conjuncts(logic) if len(n.boxes(c)) > 1] or [logic]
    return [
        diagnostic(
            n.text,
            "E402",
            c.span,
            f"`{_source(n.text, c.span)}` is not one conjunction of q terms: it needs several requests",
            "split the filter into one filter per alternative and merge the results",
        )
        for c in culprits
    ]


def lint(logic: Logic, schema: Schema, text: str) -> list[Diagnostic]:
    """Warnings for conditions that are always true or implied by the others."""
    try:
        n = Normalizer(logic, schema, text)
        if n.diagnostics:
            return []
        out: list[Diagnostic] = []
        kept = conjuncts(logic)
        if len(kept) > MAX_SEARCHED:
            return []
        fields = {id(c): {a.criterion.name for a in atoms(c)} for c in kept}
        for c in reversed(list(kept)):
            if n.boxes(c) == [{}]:
                out.append(diagnostic(text, "W603", c.span, f"`{_source(text, c.span)}` is always true", "remove it"))
                kept = [x for x in kept if x is not c]
                continue
            others = [x for x in kept if x is not c]
            # The others (satisfiable, or there would be an error) can imply c only through
            # a field they share with it: the filter's values form a product over fields.
            if not any(fields[id(c)] & fields[id(x)] for x in others):
                continue
            if not n.boxes(Conj((*others, Neg(c, c.span)), c.span)):
                out.append(
                    diagnostic(
                        text,
                        "W602",
                        c.span,
                        f"`{_source(text, c.span)}` is implied by the other conditions",
                        "remove it; the filter means the same without it",
                    )
                )
                kept = others
        return sorted(out, key=lambda d: d.start)
    except TooComplex:
        return []
