"""The error a run raises when the API refuses, fails or answers nonsense, and the notes
of a run: both are diagnostics of the message table (`leadq.core.messages`).

Hints name the settings to change. In Python they name the arguments (``retries=``); the
command line renders the same findings with its flags (``--retries``): `NAMES` lists the
settings a hint may name, `renamed` and `render_notes` take another spelling of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..core.diagnostics import Diagnostic, Finding, LeadqError, Report
from ..core.span import Span

#: How hints name the settings, in Python.
NAMES: Mapping[str, str] = {
    "retries": "`retries=`",
    "retry_time": "`retry_time=`",
    "timeout": "`timeout=`",
    "base_url": "`base_url=`",
    "credentials": "`token=` (or `username=` and `password=`)",
    "max_requests": "`max_requests=1`",
}


class ApiError(LeadqError):
    """The API refused a request (E801), did not answer in time (E802), answered
    something the run cannot use (E803), or cannot be reached (E804).

    Attributes:
        status: the HTTP status of the last answer (None when none came).
        body: the raw body of that answer, as text ("" when none came).
        diagnostics: one diagnostic with the code and the message, spanning the filter.
    """

    def __init__(
        self,
        key: str,
        filter_text: str,
        *,
        status: int | None,
        body: str,
        names: Mapping[str, str] = NAMES,
        **fields: object,
    ) -> None:
        report = Report(filter_text)
        report.add(key, Span(0, len(filter_text)), **{**names, **fields, "status": status})
        super().__init__(report.diagnostics, filter_text)
        self.status = status
        self.body = body
        self._key = key
        self._fields = fields


def renamed(error: ApiError, names: Mapping[str, str]) -> ApiError:
    """`error` with its hint naming the settings as `names` spells them."""
    # the named settings are given last, so that they replace NAMES
    return ApiError(error._key, error.text, status=error.status, body=error.body, names=names, **error._fields)


def render_notes(notes: Sequence[Finding], text: str, names: Mapping[str, str] = NAMES) -> list[Diagnostic]:
    """The notes of a run (warnings and information) as diagnostics spanning the filter."""
    report = Report(text)
    for note in notes:
        report.add(note.key, Span(0, len(text)), **{**names, **note.fields})
    return report.diagnostics


_HINTS = {
    400: "the API refused the request's parameters; the body says which",
    404: "check the base URL and the method (docs/fetch.md)",
    422: "the API refused the request's parameters; the body says which",
}


def refused(filter_text: str, request: str, status: int, body: str) -> ApiError:
    """E801 for an answer that is not retried: 401 and 403 say so, others give the
    status and the API's words."""
    answer = said(body) or shorten(body) or "(no body)"
    if status in (401, 403):
        key = "api_unauthorized" if status == 401 else "api_forbidden"
        return ApiError(key, filter_text, status=status, body=body, request=request, answer=answer)
    hint = _HINTS.get(status, "the API's body may say why")
    return ApiError("api_refused", filter_text, status=status, body=body, request=request, answer=answer, hint=hint)


def said(body: str) -> str | None:
    """The `message` of a JSON error body (the API's words), if it has one."""
    import json

    try:
        data = json.loads(body)
    except ValueError:
        return None
    message = data.get("message") if isinstance(data, dict) else None
    return shorten(message) if isinstance(message, str) and message.strip() else None


def shorten(body: str, limit: int = 200) -> str:
    body = " ".join(body.split())
    return body if len(body) <= limit else body[: limit - 1] + "…"


def count(n: int, noun: str) -> str:
    """``1 attempt``, ``3 attempts``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
