"""`leadq probe`: ask a real account, question after question, whether leadq's assumptions
about the API hold (docs/probe.md).

`Prober` runs the table of `leadq.client._questions` without I/O: each question plans its
requests from what earlier answers found, the requests not asked before are sent (at most
`BUDGET` of them, each asking at most `MOST_LEADS` leads), and the question's judge reads
the answers. `ProbeRun` sends them through a `Client`'s engine — the same credentials,
retries, timeouts, TLS and Ctrl-C as `leadq fetch` — only ever to the method's list path,
by GET or POST. `Report` is what the command prints, as text or JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from ..core.datetimes import moscow_seconds
from ..schemas.methods import BASE_URL
from ..schemas.schema import Schema
from ._asking import BUDGET, MOST_LEADS, Answer, Ask, Finding, Found, Outcome, Question, Stop, unknown
from ._errors import ApiError
from ._questions import QUESTIONS

#: The version of the JSON report's shape.
REPORT_VERSION = 1
#: Where the questions are explained (docs/probe.md), as the reports name it.
DOCS = "docs/probe.md"


_TEXT = {"type": "string"}
_MAYBE_TEXT = {"type": ["string", "null"]}
_COUNT = {"type": "integer", "minimum": 0}
#: The JSON Schema of the report `--format json` prints (`Report.to_json`).
REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "leadq probe report",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "report": {"const": "leadq probe"},
        "format": {"const": REPORT_VERSION},
        "leadq": _TEXT,
        "method": _TEXT,
        "base_url": _TEXT,
        "path": _TEXT,
        "http_method": {
            "type": "object",
            "additionalProperties": False,
            "required": ["configured", "used"],
            "properties": {"configured": {"enum": ["GET", "POST"]}, "used": {"enum": ["GET", "POST"]}},
        },
        "auth": _TEXT,
        "role": _MAYBE_TEXT,
        "requests": {
            "type": "object",
            "additionalProperties": False,
            "required": ["asked", "sent", "budget"],
            "properties": {"asked": _COUNT, "sent": _COUNT, "budget": _COUNT},
        },
        "stopped": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["kind", "why"],
                    "properties": {"kind": {"enum": [s.value for s in Stop]}, "why": _TEXT},
                },
            ]
        },
        "counts": {
            "type": "object",
            "additionalProperties": False,
            "required": [o.value for o in Outcome],
            "properties": {o.value: _COUNT for o in Outcome},
        },
        "exit_status": {"enum": [0, 1, 2]},
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "id": _TEXT,
                    "assumption": _TEXT,
                    "outcome": {"enum": [o.value for o in Outcome]},
                    "detail": _TEXT,
                    "hint": _MAYBE_TEXT,
                    "docs": _TEXT,
                    "recorded_in": _TEXT,
                    "asked": {"type": "boolean"},
                    "exchanges": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["sent", "status", "came_back"],
                            "properties": {"sent": _TEXT, "status": {"type": "integer"}, "came_back": _TEXT},
                        },
                    },
                },
            },
        },
    },
}


def _every_key_required(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with every property of every object required (null where it may be absent)."""
    for value in schema.values():
        if isinstance(value, dict):
            _every_key_required(value)
    if "properties" in schema and schema.get("type") == "object":
        schema["required"] = list(schema["properties"])
    return schema


_every_key_required(REPORT_SCHEMA)


class Unreachable(Exception):
    """The API could not be reached, or kept failing: the probe stops (exit status 2)."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(error.diagnostics[0].message)
        self.error = error


def method_path(schema: Schema) -> str:
    """The path of a method: its endpoint's, else ``/<resource>/<method>`` (api-http.md)."""
    if schema.endpoint.startswith(BASE_URL + "/"):
        return schema.endpoint[len(BASE_URL) :]
    resource, _, method = schema.method.partition(".")
    return f"/{resource.lower()}/{method}"


@attrs.define
class Report:
    """What a probe found.

    Attributes:
        found: what the answers told of the account (the method, the HTTP method used).
        base_url: the base URL asked.
        findings: each question's outcome, in the order asked.
        asked: the requests the probe sent (each once: an answer serves every question
            that plans the same request).
        sent: the HTTP requests that took, retries and token requests included.
        budget: the most requests the probe may send.
        stop: why the probe stopped early, if it did; `stopped` says it in words.
        error: the error that stopped it, when the API could not be reached.
    """

    found: Found
    base_url: str
    findings: list[Finding] = attrs.field(factory=list)
    asked: int = 0
    sent: int = 0
    budget: int = BUDGET
    stop: Stop | None = None
    stopped: str | None = None
    error: ApiError | None = None

    def count(self, outcome: Outcome) -> int:
        return sum(f.outcome is outcome for f in self.findings)

    @property
    def exit_status(self) -> int:
        """2 when no list answer could be had (a setting to fix, or the connection); 1
        when an assumption is contradicted; else 0."""
        if self.stop in (Stop.SETTINGS, Stop.CONNECTION):
            return 2
        return 1 if self.count(Outcome.CONTRADICTED) else 0

    def to_json(self, version: str) -> dict[str, Any]:
        found = self.found
        return {
            "report": "leadq probe",
            "format": REPORT_VERSION,
            "leadq": version,
            "method": found.schema.method,
            "base_url": self.base_url,
            "path": found.path,
            "http_method": {"configured": found.configured, "used": found.http_method},
            "auth": found.auth,
            "role": found.role,
            "requests": {"asked": self.asked, "sent": self.sent, "budget": self.budget},
            "stopped": None if self.stop is None else {"kind": self.stop.value, "why": self.stopped},
            "counts": {o.value: self.count(o) for o in Outcome},
            "exit_status": self.exit_status,
            "findings": [finding_json(f) for f in self.findings],
        }


def finding_json(f: Finding) -> dict[str, Any]:
    q = f.question
    return {
        "id": q.id,
        "assumption": q.assumption,
        "outcome": f.outcome.value,
        "detail": f.verdict.detail,
        "hint": f.hint,
        "docs": f"{DOCS}#{q.id}",
        "recorded_in": f"docs/{q.docs}",
        "asked": not f.skipped,
        "exchanges": [{"sent": a.sent, "status": a.status, "came_back": a.said()} for a in f.answers],
    }


class Prober:
    """Runs `questions` in order: each question's new requests go through `send` (at
    most `budget` of them in all); a question whose plan cannot be sent, or whose method
    lacks what it asks, could not tell.

    Raises (from iteration):
        RuntimeError: a question planned a request that asks more than `MOST_LEADS`
            leads (other than the maximum `limit` on one id), or none: a bug of the table.
    """

    def __init__(
        self,
        found: Found,
        send: Callable[[Ask], Answer],
        *,
        base_url: str,
        questions: Sequence[Question] = QUESTIONS,
        budget: int = BUDGET,
        sent: Callable[[], int] | None = None,
    ) -> None:
        self.found = found
        self.send = send
        self.questions = questions
        self.report = Report(found, base_url, budget=budget)
        self._sent = sent
        self._answers: dict[Ask, Answer] = {}

    def __iter__(self) -> Iterator[Finding]:
        for question in self.questions:
            if self.report.stop is not None:
                finding = Finding(question, unknown(f"the probe stopped: {self.report.stopped}"), skipped=True)
            else:
                finding = self._ask(question)
            self.report.findings.append(finding)
            if self._sent is not None:
                self.report.sent = self._sent()
            yield finding

    def _resolved(self, ask: Ask) -> Ask:
        return ask if ask.method is not None else attrs.evolve(ask, method=self.found.http_method)

    def _ask(self, question: Question) -> Finding:
        found, report = self.found, self.report
        why = question.applies(found)
        if why is not None:
            return Finding(question, unknown(why))
        plan = question.plan(found)
        if isinstance(plan, str):
            return Finding(question, unknown(plan if found.nouns[0] == "lead" else _objects(plan, found.nouns)))
        asks = [self._resolved(a) for a in plan]
        found.plans[question.id] = tuple(asks)
        fresh = [a for a in dict.fromkeys(asks) if a not in self._answers]
        for ask in fresh:
            self._guard(ask)
        if report.asked + len(fresh) > report.budget:
            return Finding(question, unknown(f"its requests would pass the probe's {report.budget}"))
        answers: list[Answer] = []
        for ask in asks:
            if ask not in self._answers:
                try:
                    answer = self.send(ask)
                except Unreachable as e:
                    report.stop, report.stopped, report.error = Stop.CONNECTION, str(e), e.error
                    return Finding(question, unknown(f"the probe stopped: {e}"), tuple(answers))
                report.asked += 1
                self._answers[ask] = answer
                found.learn(answer)
            answers.append(self._answers[ask])
        verdict = question.judge(found, answers)
        if found.nouns[0] != "lead":  # the judges speak of leads, the objects of Leads.list
            verdict = attrs.evolve(verdict, detail=_objects(verdict.detail, found.nouns))
        found.outcomes[question.id] = verdict.outcome
        if verdict.stop is not None:
            report.stop, report.stopped = verdict.stop, f"{question.id}: {verdict.detail}"
        return Finding(question, verdict, tuple(answers))

    def _guard(self, ask: Ask) -> None:
        """Every request asks at most `MOST_LEADS` leads; the two that ask the maximum
        `limit` name one lead in `q`. Only GET and POST, only the method's list path."""
        limit = ask.limit
        ids = self.found.ids
        q = ask.get("q") or ""
        one = ids is not None and q.startswith(f"{ids.name}=") and not any(c in q for c in ", ")
        if limit is None or (limit > MOST_LEADS and not (ask.maximum and one)) or ask.method not in ("GET", "POST"):
            raise RuntimeError(f"leadq probe: a question planned a request it may not send: {ask}")


def _objects(text: str, nouns: tuple[str, str]) -> str:
    """`text` speaking of the method's objects where it says leads."""
    import re

    one, many = nouns
    return re.sub(r"\blead(s?)\b", lambda m: many if m.group(1) else one, text)


def credentials_words(auth: str) -> str:
    return {"token": "token", "password": "password grant's token", "basic": "HTTP Basic credentials"}.get(auth, auth)


class ProbeRun:
    """A probe through a `Client` made of `settings` (the keyword arguments of
    `leadq.Client`): iterate it for the findings, as they come; then read `report`.

    Raises:
        TypeError: a setting of the wrong type (as `Client` raises).
        LeadqError: `role` is no role of the method (E212).
    """

    def __init__(
        self,
        settings: Mapping[str, Any],
        schema: Schema,
        *,
        role: str | None = None,
        budget: int = BUDGET,
        questions: Sequence[Question] = QUESTIONS,
    ) -> None:
        from ..schemas.schema import checked_role
        from ._run import Stats

        try:
            from ._sync import Client
        except ModuleNotFoundError as e:
            if e.name != "httpx":
                raise
            from ..core.extras import install_hint

            raise ModuleNotFoundError(f"leadq probe needs httpx: {install_hint('client')}", name="httpx") from None

        role = checked_role(role, schema)
        # The client's engine, credentials and tries; the probe names the path itself, so
        # any method of the registry can be probed (the client's own schema is for paging).
        self.client = Client(**{k: v for k, v in settings.items() if k not in ("schema", "role")})
        self.stats = Stats()
        found = Found(
            schema,
            role,
            method_path(schema),
            configured=self.client.http_method,
            http_method=self.client.http_method,
            auth=credentials_words(self.client.credentials.auth),
        )
        self.prober = Prober(
            found,
            self._send,
            base_url=self.client.base_url,
            questions=questions,
            budget=budget,
            sent=lambda: self.stats.requests,
        )

    @property
    def report(self) -> Report:
        return self.prober.report

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.prober)

    def __enter__(self) -> ProbeRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def _send(self, ask: Ask) -> Answer:
        from ._http import server_time

        found = self.prober.found
        method = ask.method or found.http_method
        shown = "&".join(f"{k}={v}" for k, v in ask.params)
        describe = f"{method} {found.path}?{shown}" + (" (each space sent as %20)" if ask.raw else "")
        target, params = (f"{found.path}?{ask.query()}", None) if ask.raw else (found.path, dict(ask.params))
        client = self.client
        statuses: list[int] = []
        try:
            data, headers, body = client._loop.call(
                client._engine.send(
                    method, target, describe, ask.get("q") or "", self.stats, params=params, statuses=statuses
                )
            )
        except ApiError as e:
            code = e.diagnostics[0].code
            if e.status is None or code in ("E802", "E804"):
                raise Unreachable(e) from None
            sent = str(e._fields.get("request", describe))
            return Answer(ask, sent, e.status, None if code == "E803" else _json(e.body), e.body)
        when = server_time(headers)
        clock = moscow_seconds(when) if when is not None else None
        return Answer(ask, describe, statuses[-1], data, body, clock)


def _json(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


# -- the report in words --------------------------------------------------------------------------

_WIDTH = max(len(o.value) for o in Outcome) + 2


def header(report: Report) -> str:
    found = report.found
    return (
        f"leadq probe: {found.schema.method} at {report.base_url}{found.path} "
        f"({found.configured}, {found.auth}; at most {report.budget} requests)"
    )


def render_finding(f: Finding, *, paint: Callable[[str, Outcome], str] | None = None) -> str:
    """One finding: its outcome, question and detail; for a contradiction the assumption,
    the requests and what came back, the hint, and where the assumption is recorded."""
    word = f.outcome.value
    shown = paint(word, f.outcome) if paint is not None else word
    lines = [f"{shown}{' ' * (_WIDTH - len(word))}{f.question.id:<17}{f.verdict.detail}"]
    if f.outcome is Outcome.CONTRADICTED:
        pad = " " * _WIDTH
        lines.append(f"{pad}leadq assumes: {f.question.assumption}")
        for a in f.answers:
            lines.append(f"{pad}sent: {a.sent}")
            lines.append(f"{pad}  {a.said()}")
        lines.append(f"{pad}hint: {f.hint}")
        lines.append(f"{pad}see: {DOCS}#{f.question.id}")
    return "\n".join(lines)


def render_skipped(skipped: Sequence[Finding], *, paint: Callable[[str, Outcome], str] | None = None) -> str:
    """The questions not asked after the probe stopped, on one line."""
    word = Outcome.UNKNOWN.value
    shown = paint(word, Outcome.UNKNOWN) if paint is not None else word
    names = ", ".join(f.question.id for f in skipped)
    pad = " " * (_WIDTH - len(word))
    return f"{shown}{pad}{_count(len(skipped), 'question')} not asked, the probe having stopped: {names}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summary(report: Report) -> str:
    counts = ", ".join(
        f"{report.count(o)} {'hold' if o is Outcome.HOLDS and report.count(o) != 1 else o.value}" for o in Outcome
    )
    sent = f" ({report.sent} sent with retries and tokens)" if report.sent != report.asked else ""
    lines = [f"{report.asked} requests{sent}: {counts}."]
    if report.stop is not None:
        lines.append(f"The probe stopped: {report.stopped}")
    lines.append(f"What each question means: {DOCS}. To report a contradiction: leadq probe --format json > probe.json")
    return "\n".join(lines)


def questions_markdown(questions: Iterable[Question] = QUESTIONS) -> str:
    """The questions as docs/probe.md lists them (a test checks the page holds this)."""
    parts = []
    for q in questions:
        page = q.docs.partition("#")[0]
        parts.append(
            f"### {q.id}\n\n"
            f"**leadq assumes:** {q.assumption}.\n\n"
            f"**The probe sends:** {q.asks}.\n\n"
            f"**When it is contradicted:** {q.hint}.\n\n"
            f"Recorded in [{page}]({q.docs})."
        )
    return "\n\n".join(parts) + "\n"
