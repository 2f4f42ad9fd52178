"""The HTTP rules of a run, without I/O: credentials, and what to do after each answer.

Retries (docs/fetch.md): a 429 (waiting what `Retry-After` says), a 502, 503 or 504, a
refused or dropped connection and an answer not whole within `timeout` are tried again,
with exponential backoff and jitter, at most `retries` times and within `retry_time`
seconds of the first try; then E802. A `Retry-After` past that budget is E802 at once,
saying how long the API asked to wait. A host name that does not resolve and a TLS
failure (an untrusted certificate above all) are not retried: E804. Other statuses are
not retried: E801 with the status and the body. A 401 renews a password-grant token once
before it counts as a refusal.
"""

from __future__ import annotations

import base64
import json
import random
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import attrs

from ..core.datetimes import FIRST_SECOND, LAST_SECOND, moscow_seconds
from ._errors import ApiError, count, refused, shorten

RETRIED = frozenset({429, 502, 503, 504})


@attrs.frozen
class Policy:
    """How hard a run tries.

    Attributes:
        timeout: the most seconds one answer may take, from the request sent to its last
            byte.
        retries: the most times one request is sent again.
        retry_time: the most seconds spent on one request from its first try, waits and
            retries included.
        backoff: the first wait, in seconds; doubled at each retry, up to `max_backoff`.
        max_backoff: the longest wait between two tries (a `Retry-After` may ask longer,
            within `retry_time`).
    """

    timeout: float = 30.0
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
    """The tries of one request: each answer (or error) tells the driver what to do next.

    The driver calls `sent()` before each try (it returns the seconds the try may take),
    then `answer()`, `timed_out()` or `error()`.
    """

    def __init__(
        self,
        policy: Policy,
        describe: str,
        filter_text: str,
        *,
        renewable: bool,
        base_url: str = "",
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        expected: str = "a list of leads",
    ) -> None:
        self.policy = policy
        self.expected = expected  # what the answer should be, in words
        self.describe = describe
        self.filter_text = filter_text
        self.renewable = renewable
        self.host = urlsplit(base_url).hostname or base_url
        self.clock = clock
        self.rng = rng or random.Random()
        self.start = clock()
        self.attempts = 0

    def sent(self) -> float:
        """Count a try; the seconds it may take: `timeout`, and for a retry no later than
        `retry_time` after the first try."""
        self.attempts += 1
        if self.attempts == 1:
            return self.policy.timeout
        left = self.start + self.policy.retry_time - self.clock()
        return max(0.0, min(self.policy.timeout, left))

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
                    what=self.expected,
                ) from None
        if status == 401 and self.renewable:
            self.renewable = False  # once
            return Renew()
        if status in RETRIED:
            return self._again("api_gave_up", f"HTTP {status}", _retry_after(headers.get("retry-after")), status, body)
        raise refused(self.filter_text, self.describe, status, body)

    def timed_out(self, seconds: float) -> Wait:
        """The try's answer was not whole within the `seconds` it had."""
        return self._again("api_gave_up_timeout", f"no whole answer within {seconds:.3g} s", None, None, "")

    def error(self, exc: BaseException) -> Wait:
        """A connection error (the driver passes only transport errors): E804 at once for
        a host that does not resolve or a TLS failure, else tried again."""
        for e in _chain(exc):
            if isinstance(e, ssl.SSLCertVerificationError):
                reason = e.verify_message or e.reason or str(e)
                self._unreachable("api_tls_certificate", reason)
            if isinstance(e, ssl.SSLError):
                self._unreachable("api_tls", e.reason or str(e))
            if isinstance(e, socket.gaierror):
                self._unreachable("api_no_host", e.strerror or str(e))
        if any(isinstance(e, ConnectionRefusedError) for e in _chain(exc)):
            return self._again("api_gave_up_connect", f"connection refused by {self.host}", None, None, "")
        text = f"{exc}".strip()
        if type(exc).__name__ == "ConnectError":
            return self._again("api_gave_up_connect", f"cannot connect to {self.host}: {text}", None, None, "")
        if type(exc).__name__ == "RemoteProtocolError":
            last = "the connection closed without a whole answer"
        else:
            last = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        return self._again("api_gave_up", last, None, None, "")

    def _unreachable(self, key: str, reason: str) -> None:
        raise ApiError(key, self.filter_text, status=None, body="", host=self.host, reason=reason)

    def _again(self, key: str, last: str, retry_after: float | None, status: int | None, body: str) -> Wait:
        spent = self.clock() - self.start
        if retry_after is not None:
            if spent + retry_after > self.policy.retry_time:
                raise ApiError(
                    "api_wait_too_long",
                    self.filter_text,
                    status=status,
                    body=body,
                    request=self.describe,
                    wait=duration(retry_after),
                    budget=f"{self.policy.retry_time:g}",
                    after=_wall_clock(retry_after),
                )
            wait = retry_after
        else:
            cap = min(self.policy.max_backoff, self.policy.backoff * 2 ** (self.attempts - 1))
            wait = cap / 2 + self.rng.uniform(0, cap / 2)  # "equal jitter": never 0, never more than cap
        if self.attempts > self.policy.retries or spent + wait > self.policy.retry_time:
            raise ApiError(
                key,
                self.filter_text,
                status=status,
                body=body,
                request=self.describe,
                attempts=count(self.attempts, "attempt"),
                seconds=spent,
                last=last,
            )
        return Wait(wait)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and the exceptions it was raised from."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        yield e
        e = e.__cause__ or e.__context__


def duration(seconds: float) -> str:
    """``3 s``, ``1 min 30 s``, ``1 h``."""
    s = round(seconds)
    if s < 60:
        return f"{seconds:.3g} s" if seconds < 10 else f"{s} s"
    parts = [(s // 3600, "h"), (s % 3600 // 60, "min"), (s % 60, "s")]
    return " ".join(f"{n} {unit}" for n, unit in parts if n)


def _wall_clock(seconds: float) -> str:
    when = datetime.now().astimezone() + timedelta(seconds=seconds)
    return when.strftime("%H:%M:%S" if seconds < 12 * 3600 else "%Y-%m-%d %H:%M")


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


def server_time(headers: Mapping[str, str]) -> datetime | None:
    """The moment an answer's `Date` header names (aware), if it has a readable one."""
    value = headers.get("date")
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None or not FIRST_SECOND <= moscow_seconds(when) <= LAST_SECOND:
        return None  # no moment, or none a run can be cut off at (`31 Dec 9999 23:59:59 GMT`)
    return when


# -- credentials -----------------------------------------------------------------------------

AUTHS = ("password", "basic")


class Credentials:
    """How requests authenticate: a bearer token given; a username and password through
    the OAuth2 password grant (a token got, and renewed before it expires or once after a
    401); or the username and password in HTTP Basic authentication on every request."""

    #: Renew at most this many seconds before the token's `expires_in` runs out; a token
    #: that lives less than four times as long is renewed when a quarter of its life is left.
    EARLY = 30.0

    def __init__(
        self,
        token: str | None,
        username: str | None,
        password: str | None,
        auth: str = "password",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for name, value in (("token", token), ("username", username), ("password", password)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{name} must be a str, not {type(value).__name__}")
        if auth not in AUTHS:
            raise TypeError(f"auth must be 'password' (the OAuth2 password grant) or 'basic', not {auth!r}")
        if token is None and (username is None or password is None):
            raise TypeError("give a token, or a username and a password")
        if token is not None and (username is not None or password is not None):
            raise TypeError("give a token, or a username and a password, not both")
        if token is not None and auth != "password":
            raise TypeError(f"auth={auth!r} takes a username and a password, not a token")
        self.token = token
        self.username = username
        self.password = password
        self.auth = "token" if token is not None else auth
        self.clock = clock
        self.expires: float | None = None
        self.early = self.EARLY
        #: Counts the tokens got, so that a 401 forgets only the token it was sent with.
        self.generation = 0

    @property
    def renewable(self) -> bool:
        return self.auth == "password"

    def needed(self) -> bool:
        """Whether a token must be got before the next request."""
        if not self.renewable:
            return False
        return self.token is None or (self.expires is not None and self.clock() >= self.expires - self.early)

    def form(self) -> dict[str, str]:
        """The multipart form of the password grant (api-http.md)."""
        assert self.username is not None and self.password is not None
        return {"grant_type": "password", "username": self.username, "password": self.password}

    def accept(self, answer: object, describe: str, filter_text: str, body: str) -> None:
        """Take the token answer ``{"results": {"access_token": ..., "expires_in": N}}``."""
        results = answer.get("results", answer) if isinstance(answer, dict) else None
        token = results.get("access_token") if isinstance(results, dict) else None
        if not isinstance(token, str) or not token:
            raise ApiError(
                "api_bad_answer",
                filter_text,
                status=200,
                body=body,
                request=describe,
                answer=shorten(body),
                what="a token",
            )
        assert isinstance(results, dict)
        expires_in = results.get("expires_in")
        self.token = token
        self.generation += 1
        if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool) and expires_in > 0:
            self.expires = self.clock() + float(expires_in)
            self.early = min(self.EARLY, float(expires_in) / 4)
        else:
            self.expires = None

    def forget(self, generation: int) -> None:
        """Drop the token a request was refused with (not a newer one)."""
        if generation == self.generation:
            self.token = None

    def headers(self) -> dict[str, str]:
        if self.auth == "basic":
            assert self.username is not None and self.password is not None
            pair = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
            return {"Authorization": f"Basic {pair}", "Accept": "application/json"}
        return {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
