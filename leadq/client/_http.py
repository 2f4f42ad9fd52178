"""The HTTP rules of a run, without I/O: credentials, and what to do after each answer.

Retries (docs/fetch.md): a 429 (waiting what `Retry-After` says), a 502, 503 or 504, and
a connection error or timeout are tried again, with exponential backoff and jitter,
at most `retries` times and within `retry_time` seconds; then E802. Other statuses are
not retried: E801 with the status and the body. A 401 renews a password-grant token
once before it counts as a refusal.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import attrs

from ._errors import ApiError, refused, shorten

RETRIED = frozenset({429, 502, 503, 504})


@attrs.frozen
class Policy:
    """How hard a run tries.

    Attributes:
        retries: the most times one request is sent again.
        retry_time: the most seconds spent on one request, waits included.
        backoff: the first wait, in seconds; doubled at each retry, up to `max_backoff`.
        max_backoff: the longest wait between two tries (a `Retry-After` may ask longer,
            within `retry_time`).
    """

    retries: int = 5
    retry_time: float = 60.0
    backoff: float = 0.5
    max_backoff: float = 30.0


@attrs.frozen
class Done:
    data: Any


@attrs.frozen
class Wait:
    seconds: float


@attrs.frozen
class Renew:
    pass


Action = Done | Wait | Renew


class Exchange:
    """The tries of one request: each answer (or error) tells the driver what to do next."""

    def __init__(
        self,
        policy: Policy,
        describe: str,
        filter_text: str,
        *,
        renewable: bool,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.policy = policy
        self.describe = describe
        self.filter_text = filter_text
        self.renewable = renewable
        self.clock = clock
        self.rng = rng or random.Random()
        self.start = clock()
        self.attempts = 0

    def sent(self) -> None:
        self.attempts += 1

    def answer(self, status: int, headers: Mapping[str, str], body: str) -> Action:
        if 200 <= status < 300:
            try:
                return Done(json.loads(body))
            except ValueError:
                raise ApiError(
                    "api_bad_answer",
                    self.filter_text,
                    status=status,
                    body=body,
                    request=self.describe,
                    answer=shorten(body) or "(no body)",
                ) from None
        if status == 401 and self.renewable:
            self.renewable = False  # once
            return Renew()
        if status in RETRIED:
            return self._again(f"HTTP {status}", _retry_after(headers.get("retry-after")), status, body)
        raise refused(self.filter_text, self.describe, status, body)

    def error(self, exc: Exception) -> Wait:
        """A connection error or timeout (the driver passes only those)."""
        return self._again(f"{type(exc).__name__}: {exc}".rstrip(": "), None, None, "")

    def _again(self, last: str, retry_after: float | None, status: int | None, body: str) -> Wait:
        spent = self.clock() - self.start
        if retry_after is not None:
            wait = retry_after
        else:
            cap = min(self.policy.max_backoff, self.policy.backoff * 2 ** (self.attempts - 1))
            wait = cap / 2 + self.rng.uniform(0, cap / 2)  # "equal jitter": never 0, never more than cap
        if self.attempts > self.policy.retries or spent + wait > self.policy.retry_time:
            raise ApiError(
                "api_gave_up",
                self.filter_text,
                status=status,
                body=body,
                request=self.describe,
                attempts=self.attempts,
                seconds=spent,
                last=last,
            )
        return Wait(wait)


def _retry_after(value: str | None) -> float | None:
    """`Retry-After` in seconds: a number of seconds, or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


# -- credentials -----------------------------------------------------------------------------


class Credentials:
    """A bearer token: given, or got by the OAuth2 password grant and renewed before it
    expires (30 s early) or once after a 401."""

    #: Renew this many seconds before the token's `expires_in` runs out.
    EARLY = 30.0

    def __init__(
        self,
        token: str | None,
        username: str | None,
        password: str | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if token is None and (username is None or password is None):
            raise TypeError("give a token, or a username and a password")
        if token is not None and (username is not None or password is not None):
            raise TypeError("give a token, or a username and a password, not both")
        for name, value in (("token", token), ("username", username), ("password", password)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{name} must be a str, not {type(value).__name__}")
        self.token = token
        self.username = username
        self.password = password
        self.clock = clock
        self.expires: float | None = None

    @property
    def renewable(self) -> bool:
        return self.username is not None

    def needed(self) -> bool:
        """Whether a token must be got before the next request."""
        if not self.renewable:
            return False
        return self.token is None or (self.expires is not None and self.clock() >= self.expires - self.EARLY)

    def form(self) -> dict[str, str]:
        """The multipart form of the password grant (api-http.md)."""
        assert self.username is not None and self.password is not None
        return {"grant_type": "password", "username": self.username, "password": self.password}

    def accept(self, answer: object, describe: str, filter_text: str, body: str) -> None:
        """Take the token answer ``{"results": {"access_token": ..., "expires_in": N}}``."""
        results = answer.get("results", answer) if isinstance(answer, dict) else None
        token = results.get("access_token") if isinstance(results, dict) else None
        if not isinstance(token, str) or not token:
            raise ApiError("api_bad_answer", filter_text, status=200, body=body, request=describe, answer=shorten(body))
        assert isinstance(results, dict)
        expires_in = results.get("expires_in")
        self.token = token
        if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool):
            self.expires = self.clock() + float(expires_in)
        else:
            self.expires = None

    def forget(self) -> None:
        self.token = None

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
