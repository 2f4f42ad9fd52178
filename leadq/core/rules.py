"""The rule registry: every diagnostic code with its severity, title, messages, documentation
and, where a fix is certain, the recipe of its fix.

The code rows (`_CODES`) are written here, the fix recipes in `leadq.core.fixes` (`FIXES`);
the message and hint templates of each finding key stay in the one table of
`leadq.core.messages`, and `RULES` joins the three by code, when first asked for. `CODES`
(public) is read from the rows.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from .messages import MESSAGES, Message

if TYPE_CHECKING:
    from .fixes import Applicability, Recipe

# -- the codes --------------------------------------------------------------------------------


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


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

_CODES: tuple[tuple[str, Severity, str], ...] = (
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
    ("W610", W, "ignore comment names no code"),
    ("W801", W, "a second of more leads than a page changed while read"),
    ("W802", W, "no server clock for the run's cut-off"),
    ("W803", W, "objects moved past a page while paged by offset"),
    ("I701", I, "field spelled with an alias"),
    ("I702", I, "absolute `=` on a datetime read as one second"),
    ("I703", I, "empty filter"),
    ("I801", I, "filter run as several requests"),
    ("I802", I, "pages capped below the limit asked"),
)

#: The page that documents every code, one section each.
DOCS_PAGE = "docs/diagnostics.md"


def anchor(heading: str) -> str:
    """The id the docs site gives a heading (Python-Markdown's `toc` slug)."""
    slug = re.sub(r"[^\w\s-]", "", heading).strip().lower()
    return re.sub(r"[-\s]+", "-", slug)


@attrs.frozen
class Rule:
    """Everything leadq knows about one code.

    Attributes:
        code, severity, title: as in `CODES`.
        messages: each finding key that reports the code, with its message and hint templates.
        fixes: the fix recipe of each of those keys that has one.
        docs: the code's section of the diagnostics reference (``page#anchor``).
    """

    code: str
    severity: Severity
    title: str
    messages: Mapping[str, Message]
    fixes: Mapping[str, Recipe]

    @property
    def heading(self) -> str:
        return f"{self.code} {self.title} ({self.severity.value})"

    @property
    def docs(self) -> str:
        return f"{DOCS_PAGE}#{anchor(self.heading)}"

    @property
    def fixability(self) -> tuple[Applicability, ...]:
        """The applicabilities of the code's fixes (safe first); empty when it has none."""
        from .fixes import Applicability

        found = {r.applicability for r in self.fixes.values()}
        return tuple(a for a in Applicability if a in found)

    @property
    def autofix(self) -> str:
        """The code's fix availability in words, as the reference and `leadq rule` say it."""
        if not self.fixability:
            return "none"
        return " or ".join(a.value for a in self.fixability)


def _rules() -> Mapping[str, Rule]:
    from .fixes import FIXES

    by_code: dict[str, dict[str, Message]] = {code: {} for code, _, _ in _CODES}
    for key, m in MESSAGES.items():  # one pass over the messages, not one per code
        by_code.setdefault(m.code, {})[key] = m
    rules = {}
    for code, severity, title in _CODES:
        messages = by_code[code]
        fixes = {key: FIXES[key] for key in messages if key in FIXES}
        rules[code] = Rule(code, severity, title, MappingProxyType(messages), MappingProxyType(fixes))
    return MappingProxyType(rules)


#: Every diagnostic code leadq can report, with its severity and title (read-only).
CODES: Mapping[str, Code] = MappingProxyType({c: Code(c, severity, title) for c, severity, title in _CODES})

if TYPE_CHECKING:
    #: Every code, by code: the registry (made when first asked for).
    RULES: Mapping[str, Rule]


def selects(selector: str) -> bool:
    """Whether a code or prefix (`W6`) selects some code."""
    return any(code.startswith(selector) for code in CODES)


def closest_selector(selector: str) -> str | None:
    """The code or prefix nearest to one that selects none (one of its length first)."""
    from .suggest import closest

    if len(selector) < 2:
        return None
    prefixes = {code[:n] for code in CODES for n in range(1, len(code) + 1)}
    same_length = [p for p in prefixes if len(p) == len(selector)]
    return closest(selector, same_length) or closest(selector, prefixes)


def unknown_selector(selector: str) -> str | None:
    """What is wrong with a code or prefix that selects no code (with a "did you mean"),
    or None for one that selects some (`--select`, `--ignore`, the configuration)."""
    if selects(selector):
        return None
    said = f"`{selector}` is no code and no prefix of one"
    if len(selector) == 1:
        return f"{said}: codes start with E, W or I"
    guess = closest_selector(selector)
    return f"{said}; did you mean `{guess}`?" if guess else f"{said} (`leadq rule --all` lists the codes)"


def __getattr__(name: str) -> Any:
    if name == "RULES":
        value = globals()["RULES"] = _rules()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
