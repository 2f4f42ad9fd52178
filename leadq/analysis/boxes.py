"""Box algebra: a filter's typed logic as an exact union of boxes, and the pieces that
requests can say.

A *box* gives one region set per criterion (a criterion it leaves out is unconstrained),
so it is one conjunction of per-criterion conditions. `Algebra` builds each criterion's
region space from the filter's atoms (through the criterion's kind), turns any logic into
a union of boxes, and decides whether a union is one box. `pieces` splits a union into
boxes that one request each can say, which is both what compile asks ("is it one?") and
what plan returns.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable

from ..core.diagnostics import Finding, Problem
from ..core.span import Span
from ..schemas.criterion import Criterion
from ..schemas.kinds import kind_of
from ..schemas.logic import Atom, Conj, Disj, Logic, Neg, atoms
from ..schemas.regions import Constraint, Space, TooManyTests
from ..schemas.schema import Schema

#: A union may hold this many boxes while being simplified; more is "too complex".
MAX_BOXES = 4096
#: More conditions than this on one criterion are pointed at as one stretch of text.
MAX_POINTS = 8

Box = dict[int, int]  # criterion index → region mask; a missing criterion is unconstrained


def too_complex(text: str) -> Problem:
    return Problem("too_complex", Span(0, len(text)))


#: The boxes a filter's algebra may weigh — merging them field by field, subtracting
#: them, comparing them for one inside another (under a second) — before the filter is
#: too complex (E405): the alternatives of `(a or b) and (b or c) and (c or d) ...`
#: double with each clause. The inputs of `benchmarks.linear` take at most 63,000 at 1M
#: characters.
MAX_WORK = 1_000_000


class Budget:
    """What is left of `MAX_WORK` for one filter's box algebra."""

    __slots__ = ("left", "text")

    def __init__(self, text: str) -> None:
        self.left = MAX_WORK
        self.text = text

    def spend(self, work: int) -> None:
        self.left -= work
        if self.left < 0:
            raise too_complex(self.text)


class Algebra:
    """The region spaces of one filter's atoms, and box algebra over them.

    Raises `Problem` when the atoms of a criterion cannot share a space (E307) or are too
    many to enumerate (E405).
    """

    def __init__(self, logic: Logic, schema: Schema, text: str) -> None:
        self.schema = schema
        self.text = text
        self.budget = Budget(text)
        by_criterion: dict[str, list[Atom]] = {}
        for atom in atoms(logic):
            by_criterion.setdefault(atom.criterion.name, []).append(atom)
        self.atoms = by_criterion
        self.index = {name: schema.order[name] for name in by_criterion}
        self.criteria: dict[int, Criterion] = {}
        self.spaces: dict[int, Space] = {}
        findings: list[Finding] = []
        for name, group in by_criterion.items():
            c = group[0].criterion
            i = self.index[name]
            self.criteria[i] = c
            try:
                self.spaces[i] = kind_of(c).space(c, group)
            except Problem as p:
                findings += p.findings
            except TooManyTests:
                raise too_complex(text) from None
        if findings:
            raise Problem.of(findings)

    # -- logic → boxes ---------------------------------------------------------------

    def boxes(self, logic: Logic, negate: bool = False) -> list[Box]:
        """The filter as a union of boxes (after pushing `not` down to the atoms)."""
        if isinstance(logic, Neg):
            return self.boxes(logic.operand, not negate)
        if isinstance(logic, (Conj, Disj)):
            if isinstance(logic, Conj) != negate:
                return self._meet_all(logic.operands, negate)
            union: list[Box] = []
            for operand in logic.operands:
                union.extend(self.boxes(operand, negate))
                if len(union) > MAX_BOXES:
                    union = simplify(union, self.spaces, self.budget)
                    if len(union) > MAX_BOXES:
                        raise too_complex(self.text)
            return simplify(union, self.spaces, self.budget)
        i = self.index[logic.criterion.name]
        space = self.spaces[i]
        m = space.negated_mask(logic) if negate else space.mask(logic)
        if m == space.full:
            return [{}]
        return [{i: m}] if m else []

    def _meet_all(self, operands: tuple[Logic, ...], negate: bool) -> list[Box]:
        # Atoms (and negated atoms) fold straight into one box; only compound operands
        # need the general intersection of unions.
        box: Box = {}
        compound: list[Logic] = []
        for operand in operands:
            atom, flip = (operand.operand, not negate) if isinstance(operand, Neg) else (operand, negate)
            if isinstance(atom, (Conj, Disj, Neg)):
                compound.append(operand)
                continue
            i = self.index[atom.criterion.name]
            space = self.spaces[i]
            m = space.negated_mask(atom) if flip else space.mask(atom)
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

    def intersect(self, left: list[Box], right: list[Box]) -> list[Box]:
        if len(left) * len(right) > MAX_BOXES:
            raise too_complex(self.text)
        out = [c for a in left for b in right if (c := meet(a, b)) is not None]
        return simplify(out, self.spaces, self.budget) if len(out) > 1 else out

    def single(self, boxes: list[Box]) -> Box | None:
        """The one box equal to the union, if the union is a box."""
        if len(boxes) == 1:
            return boxes[0]
        fields = set().union(*boxes)
        bounding: Box = {}
        for i in fields:
            m = 0
            for b in boxes:
                m |= b.get(i, self.spaces[i].full)
            if m != self.spaces[i].full:
                bounding[i] = m
        # the boxes cover their bounding box only if their cells add up to as many: a
        # count first, so that many small boxes (`(site = 1 and duration = 1) or ...`)
        # are not subtracted one by one from a box they cannot fill
        if sum(self._cells(b, fields) for b in boxes) < self._cells(bounding, fields):
            return None
        if subtract([bounding], boxes, self.spaces, self.text, self.budget):
            return None
        return bounding

    def _cells(self, box: Box, fields: set[int]) -> int:
        """How many cells (one region of each field) the box holds, over `fields`."""
        cells = 1
        for i in fields:
            cells *= box.get(i, self.spaces[i].full).bit_count()
        return cells

    # -- boxes → what requests say -------------------------------------------------------

    def constraints(self, box: Box) -> tuple[Constraint, ...]:
        """A box's region sets in words a kind can render, in canonical criterion order."""
        return tuple(self.spaces[i].constraint(box[i]) for i in sorted(box))

    def terms(self, box: Box) -> list[str]:
        """The q terms of one box, in canonical order; a `Problem` (spanned at the
        conditions concerned) for each criterion that one set of terms cannot say."""
        terms: list[str] = []
        findings: list[Finding] = []
        for i in sorted(box):
            c = self.criteria[i]
            try:
                terms += kind_of(c).terms(c, self.spaces[i].constraint(box[i]))
            except Problem as p:
                findings += self.placed(p, c)
        if findings:
            raise Problem.of(findings)
        return terms

    def requests(self, box: Box, most: int) -> list[str]:
        """The q of each request that says one box: one, unless a criterion is taken only
        in parts (a datetime's longest interval), whose windows each make a request. At
        most `most + 1` are made: more than `most` is already too many."""
        options: list[list[list[str]]] = []
        findings: list[Finding] = []
        for i in sorted(box):
            c = self.criteria[i]
            try:
                options.append(kind_of(c).windows(c, self.spaces[i].constraint(box[i]), most))
            except Problem as p:
                findings += self.placed(p, c)
        if findings:
            raise Problem.of(findings)
        combos = itertools.islice(itertools.product(*options), most + 1)
        return [" ".join(t for terms in combo for t in terms) for combo in combos]

    def needed(self, boxes: list[Box]) -> None:
        """Raise `Problem` when some box leaves out a criterion the method needs in every
        request: a required one (E213), or one it takes only as a bounded interval (E408)."""
        findings: list[Finding] = []
        for c in self.schema.needed:
            i = self.schema.order[c.name]
            if any(i not in box for box in boxes) or not boxes:
                whole = Span(0, len(self.text))
                if c.required:
                    example = "= ..." if c.kind_name not in ("substring",) else 'contains "..."'
                    fields: dict[str, object] = {"method": self.schema.method, "field": c.display, "example": example}
                    findings.append(Finding("required_missing", whole, fields))
                else:
                    findings.append(Finding("interval_open", whole, {"field": c.display, "limit": c.max_interval}))
        if findings:
            raise Problem.of(findings)

    def placed(self, p: Problem, c: Criterion) -> list[Finding]:
        """A kind's problem with a criterion, pointed at the conditions on it."""
        spans = self.spans(c) or [Span(0, len(self.text))]
        unique = list(dict.fromkeys(spans))
        if len(unique) > MAX_POINTS:
            unique = [Span(min(s.start for s in unique), max(s.end for s in unique))]
        return [Finding(f.key, s, f.fields) for f in p.findings for s in unique]

    def spans(self, criterion: Criterion) -> list[Span]:
        """Where the conditions on `criterion` stand in the text."""
        return [a.span for a in self.atoms.get(criterion.name, [])]

    def pieces(self, boxes: list[Box], cap: int) -> list[Box]:
        """Few boxes, each sayable by one request, whose union is exactly `boxes`.

        The one box when the union is a box; otherwise the union's boxes, merged per
        field. Each field's region set is split into pieces one term set says (one enum
        value; an id list that fits; one run of a range; one `contains`), and pieces that
        the others cover are dropped. Raises `Problem` when some part of the union no
        request can say (E403, E404). More than 64 times `cap` pieces are returned uncovered.
        """
        whole = self.single(boxes)
        candidates = [whole] if whole is not None else simplify(boxes, self.spaces, self.budget)
        pieces: list[Box] = []
        overlap = len(candidates) > 1  # pieces of one box are disjoint when its splits are
        for box in candidates:
            splits = []
            for i, mask in sorted(box.items()):
                parts = self.spaces[i].split(mask) or [mask]
                overlap = overlap or (len(parts) > 1 and not self.spaces[i].disjoint_split)
                splits.append([(i, m) for m in parts])
            for combo in itertools.product(*splits):
                pieces.append(dict(combo))
                if len(pieces) > 64 * cap:
                    return pieces
        if overlap:
            pieces = self._uncovered(pieces)
        unsayable = sorted({i for piece in pieces for i, m in piece.items() if not self.spaces[i].sayable(m)})
        if unsayable:
            findings: list[Finding] = []
            for i in unsayable:
                c = self.criteria[i]
                piece = next(p for p in pieces if i in p and not self.spaces[i].sayable(p[i]))
                try:
                    kind_of(c).terms(c, self.spaces[i].constraint(piece[i]))
                except Problem as p:
                    findings += self.placed(p, c)
            raise Problem.of(findings)
        return sorted(pieces, key=lambda b: sorted(b.items()))

    def _uncovered(self, pieces: list[Box]) -> list[Box]:
        # Drop pieces that the others already cover, smallest first. Only the pieces that
        # meet one can cover part of it: `_Touching` finds them, in the same order, so the
        # subtraction is the one against every other piece, without a meet per pair.
        pieces.sort(key=self._size)
        touching = _Touching(pieces)
        kept = [True] * len(pieces)
        for k, piece in enumerate(pieces):
            others = [pieces[j] for j in touching.of(k) if kept[j]]
            if (
                others
                and self._may_cover(piece, others)
                and not subtract([piece], others, self.spaces, self.text, self.budget)
            ):
                kept[k] = False
        return [piece for piece, keep in zip(pieces, kept, strict=True) if keep]

    def _may_cover(self, piece: Box, others: list[Box]) -> bool:
        """Whether `others` may cover `piece`: their parts in it hold at least as many cells
        as it does (fewer cannot cover it, and need not be subtracted one by one)."""
        fields = set(piece).union(*others)
        need = self._cells(piece, fields)
        have = 0
        for other in others:
            part = meet(piece, other)
            if part is not None:
                have += self._cells(part, fields)
                if have >= need:
                    return True
        return False

    def _size(self, box: Box) -> int:
        return sum(self.spaces[i].full.bit_count() - m.bit_count() for i, m in box.items())


class _Touching:
    """For each of some pieces, the others that may meet it (a superset, in their order):
    through the piece's narrowest field, those that leave that field free or hold more
    than `WIDE` of its regions, and those that hold one of the piece's regions there."""

    WIDE = 64

    def __init__(self, pieces: list[Box]) -> None:
        self.pieces = pieces
        self.loose: dict[int, list[int]] = {}  # field -> pieces free or wide in it
        self.holding: dict[int, dict[int, list[int]]] = {}  # field -> region bit -> pieces
        fields = set().union(*pieces)
        for k, piece in enumerate(pieces):
            for i in fields:
                m = piece.get(i)
                if m is None or m.bit_count() > self.WIDE:
                    self.loose.setdefault(i, []).append(k)
                    continue
                by_bit = self.holding.setdefault(i, {})
                while m:
                    low = m & -m
                    by_bit.setdefault(low, []).append(k)
                    m ^= low

    def of(self, k: int) -> list[int]:
        piece = self.pieces[k]
        narrow = [(m.bit_count(), i) for i, m in piece.items() if m.bit_count() <= self.WIDE]
        if not narrow:
            return [j for j in range(len(self.pieces)) if j != k]
        i = min(narrow)[1]
        found = set(self.loose.get(i, ()))
        by_bit = self.holding.get(i, {})
        m = piece[i]
        while m:
            low = m & -m
            found.update(by_bit.get(low, ()))
            m ^= low
        found.discard(k)
        return sorted(found)


def apart(a: Box, b: Box) -> bool:
    """Whether no value lies in both boxes (a plain loop: called millions of times)."""
    for i, m in b.items():
        n = a.get(i)
        if n is not None and not n & m:
            return True
    return False


def meet(a: Box, b: Box) -> Box | None:
    c = dict(a)
    for i, m in b.items():
        m = c[i] & m if i in c else m
        if not m:
            return None
        c[i] = m
    return c


def _key(box: Box) -> tuple[tuple[int, int], ...]:
    return tuple(sorted(box.items()))


def simplify(boxes: Iterable[Box], spaces: dict[int, Space], budget: Budget | None = None) -> list[Box]:
    """Merge boxes that differ in one criterion and drop boxes inside others; exact. Each
    box weighed for a field is spent from `budget`."""
    keyed = {_key(b): b for b in boxes}  # each box by its items, sorted by field
    current = list(keyed.values())
    keys = list(keyed)
    changed = True
    while changed and len(current) > 1:
        changed = False
        for i in set().union(*current):
            if budget is not None:
                budget.spend(len(current))
            full = spaces[i].full
            groups: dict[tuple[tuple[int, int], ...], int] = {}
            for key in keys:
                # the box without field i (its items are sorted: found by bisection, cut out)
                at = bisect.bisect_left(key, (i,))
                if at < len(key) and key[at][0] == i:
                    rest, m = key[:at] + key[at + 1 :], key[at][1]
                else:
                    rest, m = key, full
                groups[rest] = groups.get(rest, 0) | m
            if len(groups) < len(current):
                changed = True
                current, keys = [], []
                for rest, m in groups.items():
                    box = dict(rest)
                    if m != full:
                        box[i] = m
                    current.append(box)
                    keys.append(_key(box))
                if len(current) == 1:
                    return current
    if 1 < len(current) <= 256:
        current = _outermost(current, budget)
    return current


def _outermost(boxes: list[Box], budget: Budget | None = None) -> list[Box]:
    """The boxes that lie within no other (no two are equal).

    A box lies within another only when, on each field, its region set is a subset of the
    other's. The boxes are grouped by their set on one field, the pivot, and each box is
    weighed only against the groups whose set holds its own: the boxes of a long `or`
    under `and`s (one site each) then meet a few others, not all. The pivot is the field
    that most boxes hold with the narrowest sets (a narrow set lies in few others)."""
    seen: dict[int, dict[int, int]] = {}
    for b in boxes:
        for i, m in b.items():
            sizes = seen.setdefault(i, {})
            sizes[m] = sizes.get(m, 0) + 1
    total = len(boxes)

    def weight(i: int) -> int:  # a guess at the pairs the pivot `i` leaves to weigh
        sizes = seen[i]
        missing = total - sum(sizes.values())  # boxes without the field hold every set
        return missing * total + sum(k * m.bit_count() for m, k in sizes.items())

    pivot = min(seen, key=weight)
    groups: dict[int, list[int]] = {}
    for n, b in enumerate(boxes):
        groups.setdefault(b.get(pivot, -1), []).append(n)  # -1: the field's whole space
    kept = []
    for k, a in enumerate(boxes):
        mine = a.get(pivot, -1)
        holders = [n for m, members in groups.items() if m == -1 or (mine != -1 and mine & ~m == 0) for n in members]
        if budget is not None:
            budget.spend(len(holders))
        if not any(n != k and _inside(a, boxes[n]) for n in holders):
            kept.append(a)
    return kept


def _inside(a: Box, b: Box) -> bool:
    """Whether box a lies within box b (equal boxes were merged already)."""
    return all(i in a and a[i] & ~m == 0 for i, m in b.items())


def subtract(
    pieces: list[Box], boxes: list[Box], spaces: dict[int, Space], text: str = "", budget: Budget | None = None
) -> list[Box]:
    """What is left of the union of `pieces` after removing every box (disjoint pieces);
    each piece weighed against a box is spent from `budget`."""
    for x in boxes:
        left: list[Box] = []
        if budget is not None:
            budget.spend(len(pieces))
        for r in pieces:
            if apart(r, x):
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
            raise too_complex(text)
        if not pieces:
            break
    return pieces
