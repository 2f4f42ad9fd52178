"""What `leadq probe` asks with, and what it finds, without I/O: the requests (`Ask`), the
answers (`Answer`), what the answers so far told of the account (`Found`), a question
(`Question`: an assumption, the requests that ask it, and the judge of their answers) and
its outcome (`Verdict`, `Finding`).

The questions themselves are the table of `leadq.client._questions`; `leadq.client._probe`
runs them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from ..core.datetimes import format_seconds, parse_moment
from ..schemas.criterion import Criterion, IdKind
from ..schemas.schema import Schema
from ._errors import said, shorten

#: The most leads any request of the probe asks for (`limit`), but the two that ask
#: whether the method's maximum `limit` is taken: those name one known lead in `q`.
MOST_LEADS = 2
#: The most requests one probe sends (retries and token requests not counted).
BUDGET = 30


class Outcome(enum.Enum):
    """What the account said of one assumption."""

    HOLDS = "holds"
    CONTRADICTED = "contradicted"
    UNKNOWN = "could not tell"


class Stop(enum.Enum):
    """Why a finding stops the probe: nothing more can be asked."""

    #: No list answer came at all: a setting to fix first (exit status 2).
    SETTINGS = "settings"
    #: The answers cannot be read (exit status 1: the finding is a contradiction).
    ANSWERS = "answers"
    #: The API could not be reached, or kept failing (exit status 2).
    CONNECTION = "connection"


@attrs.frozen
class Ask:
    """One request of the probe: its query parameters in order, and the HTTP method
    (None: the one the probe found answered).

    `raw`: send the query string as written here, each space as ``%20`` (the client's
    HTTP library writes a space as ``+``), to tell which of the two the API misreads.
    `maximum`: a request that asks `limit` at the method's maximum, or one above it; its
    `q` names one known lead, so that no more than one can match.
    """

    params: tuple[tuple[str, str], ...]
    method: str | None = None
    raw: bool = False
    maximum: bool = False

    @classmethod
    def of(cls, params: Mapping[str, object], *, method: str | None = None, raw: bool = False) -> Ask:
        return cls(tuple((k, str(v)) for k, v in params.items() if v is not None), method, raw)

    def get(self, name: str) -> str | None:
        return next((v for k, v in self.params if k == name), None)

    @property
    def limit(self) -> int | None:
        value = self.get("limit")
        return int(value) if value is not None and value.isdigit() else None

    def query(self) -> str:
        """The query string as `raw` sends it: every byte but letters, digits and ``-._~``
        percent-encoded (a space is ``%20``)."""
        from urllib.parse import quote

        return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in self.params)


@attrs.frozen
class Answer:
    """What came back for one `Ask`.

    Attributes:
        ask: the request.
        sent: the request as the report shows it (``POST /leads/list?q=ids=5&limit=2``).
        status: the HTTP status (a token request refused: its own status).
        data: the JSON body, when the body is JSON.
        body: the raw body.
        clock: the API's clock (its `Date` header), in Moscow seconds.
    """

    ask: Ask
    sent: str
    status: int
    data: Any
    body: str
    clock: int | None = None

    @property
    def ok(self) -> bool:
        """A 2xx answer whose body is JSON."""
        return 200 <= self.status < 300 and self.data is not None

    @property
    def results(self) -> list[Any] | None:
        """The `results` list of an `ok` answer (None: none, or not a list)."""
        results = self.data.get("results") if self.ok and isinstance(self.data, dict) else None
        return results if isinstance(results, list) else None

    @property
    def total(self) -> int | None:
        total = self.data.get("total") if self.ok and isinstance(self.data, dict) else None
        return total if isinstance(total, int) and not isinstance(total, bool) else None

    def ids(self, id_field: str = "id") -> list[Any]:
        return [r.get(id_field) for r in self.results or () if isinstance(r, dict)]

    @property
    def refused(self) -> bool:
        """Answered with a status of 400 and above (a request the API would not serve)."""
        return self.status >= 400

    def said(self, key: str = "created_at", id_field: str = "id") -> str:
        """What came back, in a few words: the status, `total`, and each result's id and
        paging key (never the rest of a lead: reports get posted)."""
        if not 200 <= self.status < 300:
            words = said(self.body) or shorten(self.body, 160) or "(no body)"
            return f"HTTP {self.status}: {words}"
        if self.data is None:
            return f"HTTP {self.status}, not JSON: {shorten(self.body, 160) or '(no body)'}"
        if not isinstance(self.data, dict) or not isinstance(self.data.get("results"), list):
            return f"HTTP {self.status}, no `results` list: {shorten(self.body, 160)}"
        results = self.data["results"]
        parts = []
        for r in results[:5]:
            if isinstance(r, dict):
                moment = r.get(key)
                parts.append(f"{id_field} {r.get(id_field)!r}" + (f" ({moment})" if moment is not None else ""))
            else:
                parts.append(shorten(repr(r), 40))
        more = f", and {len(results) - 5} more" if len(results) > 5 else ""
        total = f"total {self.data['total']!r}; " if "total" in self.data else "no total; "
        noun = "result" if len(results) == 1 else "results"
        return f"HTTP {self.status}: {total}{len(results)} {noun}" + (f": {', '.join(parts)}{more}" if parts else "")


#: The state of a lead's `text` in the answers read: shown, hidden (asked for, and not
#: there), null (hidden, or a lead without text), or not known (None).
SHOWN, HIDDEN, NULL = "shown", "hidden", "null"


@attrs.define
class Known:
    """A lead (or object) the answers told of: its id, its paging-key value (the raw text,
    and its Moscow second when it reads as a datetime), and what the questions read."""

    id: Any
    written: str | None = None
    second: int | None = None
    text: str | None = None
    text_state: str | None = None
    entry_page: str | None = None
    assignee: Any = None


@attrs.define
class Found:
    """What the answers so far told of the account: what each question's plan reads.

    Attributes:
        schema: the method probed.
        role: the account's role, when given.
        path: the method's path (``/leads/list``).
        configured: the HTTP method the settings name.
        http_method: the HTTP method the probe sends (the configured one, or the other
            when only that one is answered).
        auth: the credentials, in words (``token``, ``password grant``, ``HTTP Basic``).
        fields: the `fields` the probe asks, once `fields` was found honoured.
        leads: every lead an answer held, by id.
        oldest: the ids `sort=<key>:a` brought, in order.
        newest: the ids `sort=<key>:d` brought, in order.
        clock: the API's clock at its latest dated answer (Moscow seconds).
        total: the `total` of the first answer without `q`: every lead of the account.
        outcomes: the outcome of each question asked so far.
        plans: the requests each question asked so far.
    """

    schema: Schema
    role: str | None
    path: str
    configured: str = "POST"
    http_method: str = "POST"
    auth: str = "token"
    fields: str | None = None
    leads: dict[Any, Known] = attrs.field(factory=dict)
    oldest: list[Any] = attrs.field(factory=list)
    newest: list[Any] = attrs.field(factory=list)
    clock: int | None = None
    total: int | None = None
    outcomes: dict[str, Outcome] = attrs.field(factory=dict)
    plans: dict[str, Sequence[Ask]] = attrs.field(factory=dict)

    # -- the method's facts -----------------------------------------------------------------

    @property
    def key(self) -> str:
        """The datetime field results are sorted and bounded by (`created_at`), or ""."""
        return self.schema.paging_key

    @property
    def ids(self) -> Criterion | None:
        """The criterion that names results by their own id (`ids`)."""
        return next((c for c in self.schema.criteria if c.is_idlist and c.lead_field == "id"), None)

    @property
    def text(self) -> Criterion | None:
        """The criterion that searches a piece of the result's text (`text`)."""
        return next(
            (c for c in self.schema.criteria if c.kind_name == "substring" and c.field in self.schema.result_fields),
            None,
        )

    @property
    def nouns(self) -> tuple[str, str]:
        """What the method returns, in words: ``("lead", "leads")``, ``("chat", "chats")``."""
        noun = (self.schema.object_type or "Result").lower()
        if noun.endswith("y") and noun[-2:-1] not in "aeiou":
            return noun, noun[:-1] + "ies"
        return noun, noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")

    @property
    def wanted_fields(self) -> str:
        """The fields the questions read: the id, the paging key, the text, the entry page
        and the employee a result is assigned to (those the method's results have)."""
        names = ["id", self.key, *(c.field for c in (self.text,) if c is not None), "entry_page", "assigned_to"]
        return ",".join(dict.fromkeys(n for n in names if n and n in self.schema.result_fields))

    def params(
        self, *, q: str | None = None, sort: str | None = None, offset: int | None = None, limit: int
    ) -> dict[str, object]:
        """A request's parameters (those None left out), with `fields` once it is found
        honoured."""
        return {"q": q, "sort": sort, "offset": offset, "limit": limit, "fields": self.fields}

    # -- what was found ---------------------------------------------------------------------

    def held(self, *questions: str) -> bool:
        """Whether every one of `questions` was found to hold."""
        return all(self.outcomes.get(q) is Outcome.HOLDS for q in questions)

    def dated(self) -> list[Known]:
        """The leads read whose paging key reads as a datetime, oldest first (ties by id,
        as text)."""
        return sorted((k for k in self.leads.values() if k.second is not None), key=lambda k: (k.second, str(k.id)))

    def learn(self, answer: Answer) -> None:
        """Keep what an answer tells: its leads, and the API's clock."""
        if answer.clock is not None:
            self.clock = answer.clock
        if self.total is None and answer.ask.get("q") is None and answer.total is not None:
            self.total = answer.total
        results = answer.results
        if results is None:
            return
        asked = answer.ask.get("fields")
        text = self.text
        text_field = text.field if text is not None else None
        text_asked = text_field is not None and (asked is None or text_field in asked.split(","))
        for r in results:
            if not isinstance(r, dict) or not _is_id(r.get("id"), self.ids):
                continue
            known = self.leads.setdefault(r["id"], Known(r["id"]))
            moment = r.get(self.key) if self.key else None
            if isinstance(moment, str):
                known.written = moment
                known.second = lead_second(moment)
            if text_field is not None and text_asked:
                value = r.get(text_field)
                if isinstance(value, str):
                    known.text_state, known.text = SHOWN, value
                elif text_field not in r and known.text_state is None:
                    known.text_state = HIDDEN
                elif value is None and known.text_state is None:
                    known.text_state = NULL  # hidden, or a lead without text (a callback)
            page = r.get("entry_page")
            if isinstance(page, str) and page:
                known.entry_page = page
            assigned = r.get("assigned_to")
            if isinstance(assigned, dict) and "id" in assigned:
                known.assignee = assigned["id"]


def _is_id(value: object, ids: Criterion | None) -> bool:
    if ids is not None and ids.id_kind is IdKind.STRING:
        return isinstance(value, str) and bool(value)
    return isinstance(value, int) and not isinstance(value, bool)


def lead_second(text: str) -> int | None:
    """A result's datetime as a Moscow second, in any form leadq reads (None: no datetime)."""
    try:
        return parse_moment(text.strip()).first
    except ValueError:
        return None


def when(second: int) -> str:
    """A Moscow second as q writes it."""
    return format_seconds(second)


@attrs.frozen
class Verdict:
    """A judge's word on one question: the outcome, what was seen (or why it could not
    tell), the hint for a contradiction (None: the question's own), and whether the probe
    must stop."""

    outcome: Outcome
    detail: str
    hint: str | None = None
    stop: Stop | None = None


def holds(detail: str) -> Verdict:
    return Verdict(Outcome.HOLDS, detail)


def contradicted(detail: str, hint: str | None = None, stop: Stop | None = None) -> Verdict:
    return Verdict(Outcome.CONTRADICTED, detail, hint, stop)


def unknown(detail: str, stop: Stop | None = None) -> Verdict:
    return Verdict(Outcome.UNKNOWN, detail, None, stop)


Plan = Callable[[Found], "Sequence[Ask] | str"]
Judge = Callable[[Found, Sequence[Answer]], Verdict]
Applies = Callable[[Found], "str | None"]


def always(found: Found) -> str | None:
    return None


@attrs.frozen
class Question:
    """One assumption of leadq about the API, and how the probe asks the account.

    Attributes:
        id: a short stable name (``http-method``), the anchor of its row in the docs.
        assumption: the assumption, in words.
        asks: what the probe sends to ask it, in words.
        docs: where the assumption is recorded (a docs page and anchor).
        hint: what to do when the account contradicts it.
        plan: the requests that ask it, from what earlier answers found; a str says why
            they cannot be sent (the question is then "could not tell").
        judge: the outcome, from the answers to the plan's requests.
        applies: None, or why the question does not apply to the method.
    """

    id: str
    assumption: str
    asks: str
    docs: str
    hint: str
    plan: Plan
    judge: Judge
    applies: Applies = always


@attrs.frozen
class Finding:
    """One question's outcome, with the requests sent for it and what came back
    (`skipped`: not asked, the probe having stopped before it)."""

    question: Question
    verdict: Verdict
    answers: tuple[Answer, ...] = ()
    skipped: bool = False

    @property
    def outcome(self) -> Outcome:
        return self.verdict.outcome

    @property
    def hint(self) -> str | None:
        if self.outcome is not Outcome.CONTRADICTED:
            return None
        return self.verdict.hint or self.question.hint


def questions_by_id(questions: Iterable[Question]) -> dict[str, Question]:
    return {q.id: q for q in questions}
