"""The error a run raises when the API refuses, fails or answers nonsense."""

from __future__ import annotations

from ..core.diagnostics import LeadqError, Report
from ..core.span import Span


class ApiError(LeadqError):
    """The API refused a request (E801), did not answer in time (E802), or answered
    something that is not a list of leads (E803).

    Attributes:
        status: the HTTP status of the last answer (None when none came).
        body: the raw body of that answer, as text ("" when none came).
        diagnostics: one diagnostic with the code and the message, spanning the filter.
    """

    def __init__(self, key: str, filter_text: str, *, status: int | None, body: str, **fields: object) -> None:
        report = Report(filter_text)
        report.add(key, Span(0, len(filter_text)), status=status, **fields)
        super().__init__(report.diagnostics, filter_text)
        self.status = status
        self.body = body


_HINTS = {
    400: "the API refused the request's parameters; the body says which",
    401: "check the token (or the username and password)",
    403: "the account's role may not run this request",
    404: "check the base URL and the method (docs/fetch.md)",
}


def refused(filter_text: str, request: str, status: int, body: str) -> ApiError:
    hint = _HINTS.get(status, "the API's body may say why")
    return ApiError(
        "api_refused",
        filter_text,
        status=status,
        body=body,
        request=request,
        answer=said(body) or shorten(body) or "(no body)",
        hint=hint,
    )


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
