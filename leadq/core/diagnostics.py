"""Diagnostics: every problem with an input is data, never a stray exception.

Each code is stable and listed in `CODES` with its severity and a one-line title (read
from the rule registry, `leadq.core.rules`); the docs and the tests are checked against it.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

from .rules import CODES as CODES
from .rules import Code as Code
from .rules import Severity as Severity
from .span import NO_SPAN, Span

if TYPE_CHECKING:
    from .fixes import Fix


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
        fixes: the changes that resolve it, as edits of the same text (`Fix`); a safe
            fix keeps the filter's meaning, an unsafe one is a guess.
    """

    code: str
    severity: Severity
    message: str
    start: int
    end: int
    line: int
    column: int
    hint: str | None = None
    fixes: tuple[Fix, ...] = ()


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


#: The message and fix makers, loaded by the first diagnostic (a filter without findings
#: never loads them); kept here so that each diagnostic after it does not import again.
_makers: tuple[Callable[..., tuple[str, str, str | None]], Callable[..., tuple[Fix, ...]]] | None = None


def _load_makers() -> tuple[Callable[..., tuple[str, str, str | None]], Callable[..., tuple[Fix, ...]]]:
    global _makers
    from .fixes import fixes_of
    from .messages import render_message

    _makers = render_message, fixes_of
    return _makers


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
        render, fixes_of = _makers or _load_makers()
        code, message, hint = render(f.key, f.fields, self.text, cli=self.cli)
        line, column = self.place(f.span.start)
        fixes = fixes_of(f.key, f.span, f.fields, self.text)
        return Diagnostic(code, CODES[code].severity, message, f.span.start, f.span.end, line, column, hint, fixes)

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
        for d in self.diagnostics:  # noqa: SIM110  # a loop: quicker than any() of a generator, asked of every filter
            if d.severity is Severity.ERROR:
                return True
        return False


def render_diagnostics(
    diagnostics: Sequence[Diagnostic], text: str, *, path: str = "<filter>", unsafe_fixes: bool = False
) -> str:
    """Diagnostics as the command line prints them, like a compiler's errors.

    One block per diagnostic: ``path:line:col: CODE message``, the line of `text` it is
    on (a window of it, when the line is long), a caret under the span, and the hint.
    ``[*]`` after the code marks a diagnostic with a safe fix (with `unsafe_fixes`, with
    any fix), as `leadq check --fix` would make it. ``str(LeadqError)`` is the same text.

    Raises:
        TypeError: `text` is not a str.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be the str the diagnostics are about, not {type(text).__name__}")
    lines = text.split("\n")
    blocks = []
    for d in diagnostics:
        source = lines[d.line - 1].removesuffix("\r") if 0 < d.line <= len(lines) else ""  # CRLF lines too
        blocks.append(_block(d, path, source, d.end - d.start, fixable(d, unsafe_fixes)))
    return "\n".join(blocks)


def fixable(d: Diagnostic, unsafe: bool = False) -> bool:
    """Whether `d` has a fix that `leadq check --fix` makes (with `unsafe`: `--unsafe-fixes`)."""
    from .fixes import Applicability

    return any(unsafe or f.applicability is Applicability.SAFE for f in d.fixes)


def _block(d: Diagnostic, path: str, source: str, width: int, mark: bool = False) -> str:
    out = [f"{path}:{d.line}:{d.column}: {d.code} {'[*] ' if mark else ''}{d.message}"]
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

    ``diagnostics`` holds every problem found, errors first; ``text`` is what they are
    about, and ``path`` what ``str()`` calls it (``<filter>``; ``<method>`` for a method's
    name, ``<role>`` for a role).
    """

    def __init__(self, diagnostics: Sequence[Diagnostic], text: str = "", *, path: str = "<filter>") -> None:
        self.diagnostics: list[Diagnostic] = sorted(
            diagnostics, key=lambda d: (d.severity is not Severity.ERROR, d.start)
        )
        self.text = text
        self.path = path
        super().__init__(self.diagnostics)

    def __str__(self) -> str:
        # rendered on demand: a caller that only reads .diagnostics pays nothing for it
        return render_diagnostics(self.diagnostics, self.text, path=self.path)
