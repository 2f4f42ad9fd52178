"""Diagnostics: every problem with an input is data, never a stray exception.

Each code is stable and listed in `CODES` with its severity and a one-line title; the docs
and the tests are checked against that table.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

import attrs

from .span import NO_SPAN, Span


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@attrs.frozen
class Code:
    """A diagnostic code: its severity and a one-line title."""

    code: str
    severity: Severity
    title: str


def _table(*rows: tuple[str, Severity, str]) -> Mapping[str, Code]:
    return MappingProxyType({code: Code(code, severity, title) for code, severity, title in rows})


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

#: Every diagnostic code leadq can report, with its severity and title (read-only).
CODES: Mapping[str, Code] = _table(
    # syntax
    ("E101", E, "unexpected character"),
    ("E102", E, "unexpected token"),
    ("E103", E, "unexpected end of input"),
    ("E104", E, "unterminated string"),
    ("E105", E, "invalid escape in a string"),
    ("E106", E, "expression nested too deeply"),
    ("E107", E, "input too long"),
    # names and operators
    ("E201", E, "unknown field"),
    ("E202", E, "operator not allowed for this field"),
    ("E203", E, "field is not a boolean"),
    ("E208", E, "unknown sort key"),
    ("E209", E, "limit or offset out of range"),
    ("E210", E, "unknown result field"),
    ("E211", E, "unknown API method"),
    ("E212", E, "unknown API role"),
    ("E213", E, "required criterion missing"),
    # values
    ("E301", E, "value of the wrong type"),
    ("E302", E, "not an allowed value"),
    ("E303", E, "fractional number where whole seconds are needed"),
    ("E304", E, "invalid date or time"),
    ("E305", E, "value cannot be written into q"),
    ("E306", E, "value too long"),
    ("E307", E, "relative period combined with another condition on the field"),
    ("E308", E, "relative period evaluated without a clock"),
    ("E309", E, "lead value of the wrong type"),
    ("E310", E, "parameter without a value"),
    ("E311", E, "parameter of the wrong type"),
    ("E312", E, "parameter not used"),
    ("E313", E, "field checked on fetched leads that the role cannot see"),
    ("E314", E, "criterion that cannot be checked on a returned object"),
    # meaning
    ("E401", E, "filter can never match"),
    ("E402", E, "filter needs more than one request"),
    ("E403", E, "exclusion with nothing to subtract from"),
    ("E404", E, "condition cannot be expressed in q"),
    ("E405", E, "filter too complex"),
    ("E406", E, "plan needs more requests than allowed"),
    ("E407", E, "interval longer than the method takes"),
    ("E408", E, "interval the method needs bounded"),
    # reading q strings (decompile)
    ("E501", E, "unknown criterion in q"),
    ("E502", E, "malformed q term"),
    # running a filter through the API (fetch)
    ("E801", E, "the API refused the request"),
    ("E802", E, "the API did not answer in time"),
    ("E803", E, "the API's answer cannot be used"),
    ("E804", E, "the API cannot be reached"),
    # warnings and notes
    # a bug in leadq, reported as data rather than raised
    ("E900", E, "internal error"),
    # a file of saved filters that the command line cannot read
    ("E902", E, "file cannot be read"),
    ("W601", W, "value contains a space"),
    ("W602", W, "redundant condition"),
    ("W603", W, "condition is always true"),
    ("W604", W, "duplicate value in a list"),
    ("W605", W, "relative period in a stored filter"),
    ("W606", W, "condition on a field the role cannot see"),
    ("W607", W, "datetime bound in a repeated Moscow hour"),
    ("W608", W, "same meaning as an earlier saved filter"),
    ("W609", W, "criterion only the reference lists"),
    ("W801", W, "a second of more leads than a page changed while read"),
    ("W802", W, "no server clock for the run's cut-off"),
    ("W803", W, "objects moved past a page while paged by offset"),
    ("I701", I, "field spelled with an alias"),
    ("I702", I, "absolute `=` on a datetime read as a range"),
    ("I703", I, "empty filter"),
    ("I801", I, "filter run as several requests"),
    ("I802", I, "pages capped below the limit asked"),
)


@attrs.frozen
class Diagnostic:
    """One problem found in an input.

    Attributes:
        code: stable identifier, e.g. ``"E201"`` (see the diagnostics reference).
        severity: ``"error"``, ``"warning"`` or ``"info"``.
        message: what is wrong, for a person.
        start, end: 0-based, half-open character offsets of the text concerned.
        line, column: 1-based position of ``start``.
        hint: how to fix it, when there is something useful to say.
    """

    code: str
    severity: Severity
    message: str
    start: int
    end: int
    line: int
    column: int
    hint: str | None = None


@attrs.frozen
class Finding:
    """A diagnostic before it is placed in a text: a message key, a span and the fields
    that fill the message's template (`leadq.core.messages`)."""

    key: str
    span: Span
    fields: dict[str, object] = attrs.field(factory=dict)


class Problem(Exception):
    """The one internal exception: findings on their way to a `Report`.

    A pass that cannot go on raises it; the pass that called it hands it to its report.
    """

    def __init__(self, key: str = "", span: Span = NO_SPAN, /, **fields: object) -> None:
        self.findings: list[Finding] = [Finding(key, span, fields)] if key else []
        super().__init__(key)

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Problem:
        p = cls()
        p.findings = list(findings)
        return p


class Report:
    """The collector every pass reports to: findings become diagnostics of one text.

    Line starts are counted once per text, so that placing many diagnostics stays linear.
    """

    def __init__(self, text: str, *, cli: bool = False) -> None:
        self.text = text
        self.cli = cli  # messages in the command line's words
        self.diagnostics: list[Diagnostic] = []
        self._line_starts: list[int] | None = None

    def add(self, key: str, span: Span, /, **fields: object) -> None:
        self.diagnostics.append(self.make(Finding(key, span, fields)))

    def problem(self, p: Problem) -> None:
        self.diagnostics.extend(self.make(f) for f in p.findings)

    def make(self, f: Finding) -> Diagnostic:
        from .messages import render_message

        code, message, hint = render_message(f.key, f.fields, self.text, cli=self.cli)
        line, column = self.place(f.span.start)
        return Diagnostic(code, CODES[code].severity, message, f.span.start, f.span.end, line, column, hint)

    def place(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of `offset`."""
        offset = max(0, min(offset, len(self.text)))
        if self._line_starts is None:  # counted once per text: asking `"\n" in text` per
            starts = [0]  # diagnostic would be quadratic over a long one-line input
            find = self.text.find
            at = find("\n")
            while at >= 0:
                starts.append(at + 1)
                at = find("\n", at + 1)
            self._line_starts = starts
        if len(self._line_starts) == 1:
            return 1, offset + 1
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    @property
    def failed(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


def render_diagnostics(diagnostics: Sequence[Diagnostic], text: str, *, path: str = "<filter>") -> str:
    """Diagnostics as the command line prints them, like a compiler's errors.

    One block per diagnostic: ``path:line:col: CODE message``, the line of `text` it is
    on (a window of it, when the line is long), a caret under the span, and the hint.
    ``str(LeadqError)`` is the same text.
    """
    lines = text.split("\n")
    blocks = []
    for d in diagnostics:
        source = lines[d.line - 1].removesuffix("\r") if 0 < d.line <= len(lines) else ""  # CRLF lines too
        blocks.append(_block(d, path, source, d.end - d.start))
    return "\n".join(blocks)


def _block(d: Diagnostic, path: str, source: str, width: int) -> str:
    out = [f"{path}:{d.line}:{d.column}: {d.code} {d.message}"]
    first = d.column - 1  # index of the span's start within the line
    width = max(1, min(width, len(source) - first))
    left = max(0, first - _WINDOW // 2) if len(source) > _WINDOW else 0
    prefix = "..." if left else ""
    suffix = "..." if left + _WINDOW < len(source) else ""
    shown = _printable(source[left : left + _WINDOW])
    out.append(f"    {prefix}{shown}{suffix}")
    # the caret sits under the span as a terminal shows the line: a wide character (CJK,
    # most emoji) takes two columns, a combining one none
    before = shown[: max(0, first - left)]
    under = shown[max(0, first - left) : max(0, first - left) + min(width, max(1, _WINDOW - (first - left)))]
    out.append("    " + " " * (len(prefix) + display_width(before)) + "^" * max(1, display_width(under)))
    if d.hint:
        out.append(f"    hint: {d.hint}")
    return "\n".join(out)


_WINDOW = 100


def _printable(line: str) -> str:
    # One character for one, so that the caret's place follows from the characters; a
    # tab is shown as one space.
    return "".join(c if c.isprintable() or _zero_width(c) else " " if c == "\t" else "\N{REPLACEMENT CHARACTER}"
                   for c in line)  # fmt: skip


def display_width(text: str) -> int:
    """The columns `text` takes in a terminal: two for a wide or full-width character,
    none for a combining mark or a joiner, one for the rest."""
    if text.isascii():
        return len(text)
    import unicodedata

    width = 0
    joined = False  # after a zero-width joiner, the next character is drawn into the same glyph
    for c in text:
        if joined or _zero_width(c) or unicodedata.combining(c) or "\U0001f3fb" <= c <= "\U0001f3ff":
            joined = c == "\u200d"
            continue
        width += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return width


def _zero_width(c: str) -> bool:
    # joiners and variation selectors (emoji sequences), zero-width spaces
    return c in "\u200b\u200c\u200d\u2060\ufeff" or "\ufe00" <= c <= "\ufe0f"


class LeadqError(Exception):
    """Raised by `compile` (and `parse`, `decompile`) when an input has errors.

    ``diagnostics`` holds every problem found, errors first.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic], text: str = "") -> None:
        self.diagnostics: list[Diagnostic] = sorted(
            diagnostics, key=lambda d: (d.severity is not Severity.ERROR, d.start)
        )
        self.text = text
        super().__init__(self.diagnostics)

    def __str__(self) -> str:
        # rendered on demand: a caller that only reads .diagnostics pays nothing for it
        return render_diagnostics(self.diagnostics, self.text)
