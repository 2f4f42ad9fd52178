"""A fake LiveTex API: a real HTTP server on 127.0.0.1 that serves leads, and the objects
of every other list method, as the API does.

It reads `q` by the term model of q-format.md (`leadq.evaluate_q`), sorts, pages with
`offset` and `limit` (at most the method's maximum, as the API: a larger `limit` is HTTP
400), refuses what each method's validator refuses (`leadq.testing._methods`), narrows
`fields`, hides `text` and `answer_text` of other employees' leads from managed roles (and
the fields each method's access table keeps from a role: Chats.list `messages`),
answers the OAuth2 password grant and takes HTTP Basic authentication, and dates its
answers by its own clock (which may run ahead or behind). Faults come on demand: a status
(429 with `Retry-After`, 5xx), a dropped connection, a slow or trickled answer, pages
capped below the limit asked, answers rewritten into wrong ones (`tamper`), and changes to
the data between pages (docs/fetch.md, "Testing your integration").
"""

from __future__ import annotations

import base64
import binascii
import copy
import functools
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs

from ..core.datetimes import moscow, parse_lead_time
from ..core.diagnostics import LeadqError
from ..schemas.methods import resolve
from ..schemas.schema import Schema
from ..schemas.wire import split_terms
from ._data import make_lead
from ._deviations import Deviations, Refused
from ._methods import method, refusal, routes
from ._objects import generate_objects, is_generated, make_object, served


@attrs.define
class Fault:
    """What the next list requests get instead of their answer.

    Attributes:
        status: answer with this HTTP status (and `body`), e.g. 429 or 503.
        retry_after: the `Retry-After` header to send with it (seconds).
        drop: close the connection without answering.
        delay: wait this many seconds before answering normally.
        trickle: send the answer's body one byte every this many seconds.
        times: how many requests the fault takes (then it is spent).
    """

    status: int | None = None
    retry_after: float | None = None
    drop: bool = False
    delay: float = 0.0
    trickle: float = 0.0
    body: str = '{"error": "fault", "message": "injected by the fake server"}'
    times: int = 1


@attrs.define
class Seen:
    """One request the server received: method, path, query parameters, and the answer's status."""

    method: str
    path: str
    params: dict[str, str]
    status: int = 0


class FakeLiveTex:
    """A fake LiveTex API serving `leads`, and every other list method of `leadq.METHODS`
    at its path (``/chats/list``), started on 127.0.0.1 on a free port.

    Use it as a context manager (``with FakeLiveTex(leads) as api: api.url``) or call
    `start()` and `stop()`. It stops by itself after `lifetime` seconds.

    Args:
        leads: the data set of Leads.list and Leads.listRouted (dicts shaped as Lead
            objects; see `generate_leads`).
        objects: the data sets of other methods, by method name (``{"Chats.list":
            [...]}``; see `generate_objects`). A method not given serves `generated`
            objects made by `generate_objects` from `seed`, the first time it is asked.
        generated: how many objects a method not in `objects` serves.
        seed: the seed of those objects.
        tokens: bearer token → API role; by default one token ``"test-token"`` for an
            administrator.
        users: (username, password) → role, for the OAuth2 password grant and HTTP Basic
            authentication.
        token_lifetime: `expires_in` of the tokens the password grant gives, in seconds.
        employee: the employee id of the caller, for managed roles (their own leads are
            those assigned to them).
        lifetime: seconds after which the server stops by itself (None: never).
        port: the port to listen on (0: a free one).
        clock_skew: seconds the server's clock runs ahead of the machine's (negative:
            behind): its `Date` headers, the leads `add_lead` creates and its relative
            periods read it.
        page_cap: serve at most this many leads per page, whatever `limit` asks (`total`
            still counts them all), as a server that caps its pages does.
        dated: send a `Date` header with each answer.
        invalid_status: the HTTP status of a request the method's validator refuses (a
            `q` it cannot read, a `limit` above its maximum, ...): 400, as the one real
            client saw; the API's reference says 422 (docs/decisions.md).
        deviations: ways to answer otherwise than leadq assumes the API does, by name
            (`leadq.testing.DEVIATIONS`): ``{"ignores-ge", "refuses-post"}``.

    Raises:
        ValueError: a deviation that is no name of `DEVIATIONS`.
    """

    def __init__(
        self,
        leads: Iterable[Mapping[str, Any]] = (),
        *,
        objects: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
        generated: int = 100,
        seed: int = 0,
        tokens: Mapping[str, str] | None = None,
        users: Mapping[tuple[str, str], str] | None = None,
        token_lifetime: int = 3600,
        employee: int = 100,
        lifetime: float | None = 600.0,
        port: int = 0,
        clock_skew: float = 0.0,
        page_cap: int | None = None,
        dated: bool = True,
        invalid_status: int = 400,
        deviations: Iterable[str] = (),
    ) -> None:
        self.leads: list[dict[str, Any]] = [dict(lead) for lead in leads]
        self.data: dict[str, list[dict[str, Any]]] = {
            resolve(name).method: [dict(obj) for obj in objs] for name, objs in (objects or {}).items()
        }
        self.generated = generated
        self.seed = seed
        self._issued: dict[str, int] = {}  # the last id `add_object` gave, by method
        self.invalid_status = invalid_status
        self.tokens: dict[str, str] = dict(tokens if tokens is not None else {"test-token": "admin"})
        self.users = dict(users or {})
        self.token_lifetime = token_lifetime
        self.employee = employee
        self.lifetime = lifetime
        self.port = port
        self.clock_skew = clock_skew
        self.page_cap = page_cap
        self.dated = dated
        self._deviations = Deviations.of(deviations)
        self.faults: deque[Fault] = deque()
        self.requests: list[Seen] = []
        self._hooks: list[Callable[[FakeLiveTex, int], object]] = []
        self._tampers: list[list[Any]] = []  # [rewrite, times left or None]
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._timer: threading.Timer | None = None
        self._pages = 0

    # -- life --------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL to give a client: ``http://127.0.0.1:<port>``."""
        if self._server is None:
            raise RuntimeError("the fake server is not running: use it in a `with` block, or call start()")
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> FakeLiveTex:
        server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        server.daemon_threads = True
        self._server = server
        # stop() waits until the loop looks at its flag: every 50 ms, not socketserver's 0.5 s
        serve = functools.partial(server.serve_forever, poll_interval=0.05)
        threading.Thread(target=serve, name="fake-livetex", daemon=True).start()
        if self.lifetime is not None:
            self._timer = threading.Timer(self.lifetime, self.stop)
            self._timer.daemon = True
            self._timer.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._timer is not None:
            self._timer.cancel()

    def __enter__(self) -> FakeLiveTex:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def deviations(self) -> Deviations:
        """The ways this server answers otherwise than leadq assumes (`DEVIATIONS`);
        assign a collection of names to change them between requests."""
        return self._deviations

    @deviations.setter
    def deviations(self, names: Iterable[str]) -> None:
        self._deviations = Deviations.of(names)

    # -- faults and changes -----------------------------------------------------------------

    def fail(self, status: int, *, times: int = 1, retry_after: float | None = None, body: str | None = None) -> None:
        """The next `times` list requests get `status` (with `Retry-After` when given)."""
        fault = Fault(status=status, retry_after=retry_after, times=times)
        if body is not None:
            fault.body = body
        self.faults.append(fault)

    def drop(self, *, times: int = 1) -> None:
        """The next `times` list requests get their connection closed, unanswered."""
        self.faults.append(Fault(drop=True, times=times))

    def slow(self, seconds: float, *, times: int = 1) -> None:
        """The next `times` list requests are answered after `seconds`."""
        self.faults.append(Fault(delay=seconds, times=times))

    def trickle(self, seconds_per_byte: float, *, times: int = 1) -> None:
        """The next `times` list answers send their body one byte every `seconds_per_byte`."""
        self.faults.append(Fault(trickle=seconds_per_byte, times=times))

    def tamper(
        self, rewrite: Callable[[Mapping[str, str], dict[str, Any]], object], *, times: int | None = None
    ) -> None:
        """Rewrite the next `times` list answers (None: every one): `rewrite(params,
        answer)` gets the request's parameters and the answer the server would send
        (``{"total": ..., "results": [...]}``) and returns what it sends instead (a dict,
        or a str sent as the body), as a server that answers wrongly would."""
        self._tampers.append([rewrite, times])

    def now(self) -> datetime:
        """The server's clock, in Moscow time (naive, to the second)."""
        moment = datetime.now(moscow()) + timedelta(seconds=self.clock_skew)
        return moment.replace(tzinfo=None, microsecond=0)

    def between_pages(self, hook: Callable[[FakeLiveTex, int], object]) -> None:
        """Call `hook(server, n)` before the n-th list page (from 1) is served: it may
        add, change or remove leads, as users do while a client pages."""
        self._hooks.append(hook)

    def add_lead(self, **fields: Any) -> dict[str, Any]:
        """A new lead created now (Moscow time), with generated values unless given."""
        import random

        with self._lock:
            lead_id = max((lead["id"] for lead in self.leads), default=0) + 1
            lead = {**make_lead(lead_id, self.now(), random.Random(lead_id)), **fields}
            self.leads.append(lead)
            return lead

    def update_lead(self, lead_id: Any, **changes: Any) -> None:
        """Change a lead's fields (and its `updated_at` to now, unless given)."""
        with self._lock:
            for lead in self.leads:
                if lead["id"] == lead_id:
                    lead.update({"updated_at": self.now().strftime("%Y-%m-%dT%H:%M:%S"), **changes})
                    return
        raise KeyError(lead_id)

    def objects(self, method: str | Schema) -> list[dict[str, Any]]:
        """The data set a method serves (Leads.list and Leads.listRouted: `leads`), as a
        list to read or change in place; generated the first time it is asked for. The
        objects hold, besides their documented fields, the values the server filters by
        for criteria the documented object does not hold; it never serves those.

        Raises:
            LeadqError: `method` names no method (E211).
        """
        schema = resolve(method)
        if not is_generated(schema):
            return self.leads
        with self._lock:
            found = self.data.get(schema.method)
            if found is None:
                found = self.data[schema.method] = generate_objects(schema, self.generated, seed=self.seed)
            return found

    def add_object(self, method: str | Schema, **fields: Any) -> dict[str, Any]:
        """A new object of `method` created now (Moscow time), with generated values
        unless given."""
        import random

        schema = resolve(method)
        with self._lock:
            objs = self.objects(schema)
            # a new id, never one of an object `remove_object` removed
            last = max((o["id"] for o in objs if isinstance(o.get("id"), int)), default=0)
            object_id = self._issued[schema.method] = max(last, self._issued.get(schema.method, 0)) + 1
            obj = {**make_object(schema, object_id, self.now(), random.Random(object_id)), **fields}
            objs.append(obj)
            return obj

    def update_object(self, method: str | Schema, object_id: Any, **changes: Any) -> None:
        """Change an object's fields (and its `updated_at` to now, unless given or the
        object has none)."""
        with self._lock:
            for obj in self.objects(method):
                if obj.get("id") == object_id:
                    stamp = {"updated_at": self.now().strftime("%Y-%m-%dT%H:%M:%S")} if "updated_at" in obj else {}
                    obj.update({**stamp, **changes})
                    return
        raise KeyError(object_id)

    def remove_object(self, method: str | Schema, object_id: Any) -> None:
        """Delete an object."""
        with self._lock:
            objs = self.objects(method)
            for i, obj in enumerate(objs):
                if obj.get("id") == object_id:
                    del objs[i]
                    if isinstance(object_id, int):  # `add_object` never gives its id again
                        name = resolve(method).method
                        self._issued[name] = max(self._issued.get(name, 0), object_id)
                    return
        raise KeyError(object_id)

    # -- answers ----------------------------------------------------------------------------

    def answer_token(self, form: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type") != "password":
            return 400, {"error": "unsupported_grant_type", "message": "grant_type must be password"}
        role = self.users.get((form.get("username", ""), form.get("password", "")))
        if role is None:
            return 401, {"error": "invalid_grant", "message": "the supplied authentication is invalid"}
        token = secrets.token_hex(16)
        with self._lock:
            self.tokens[token] = role
        return 200, {"results": {"access_token": token, "token_type": "bearer", "expires_in": self.token_lifetime}}

    def answer_list(self, schema: Schema, role: str, params: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """The answer to a list request of `schema`'s method by an account of `role`."""
        from ..core.datetimes import now_seconds
        from ..run.evaluate import read_q

        m = method(schema.method)
        try:  # a server that deviates (`deviations=`) reads the request its own way
            params, role = self.deviations.read(params, role, m.max_limit)
        except Refused as e:
            return self.invalid_status, {"error": "invalid_params", "field": e.field, "message": str(e)}
        refused = refusal(m, role, params, self.invalid_status)
        if refused is not None:
            return refused
        limit = int(params.get("limit", str(m.default_limit)))
        offset = int(params.get("offset", "0"))
        sort = params.get("sort", schema.default_sort)
        key, _, direction = sort.partition(":")
        q = params.get("q", "")
        hidden = m.hidden.get(role, ())
        if hidden:
            _, terms = split_terms(q, schema.term_start)
            for term in terms:
                c = schema.by_q_name.get(term.name)
                if c is not None and (c.field in hidden or role in c.hidden_from):
                    return 403, {"error": "forbidden", "message": f"the role {role} cannot search {c.field}"}
        clock = now_seconds(self.now())
        with self._lock:
            self._pages += 1
            for hook in self._hooks:
                hook(self, self._pages)
            try:
                alternatives = self.deviations.alternatives(q, schema, clock)
                tests = [read_q(one, schema, strict=False) for one in alternatives]
                found = [obj for obj in self.objects(schema.method) if any(holds(obj, clock) for holds in tests)]
            except LeadqError as e:
                return self.invalid_status, {
                    "error": "invalid_params",
                    "field": "q",
                    "message": e.diagnostics[0].message,
                }
            except Refused as e:
                return self.invalid_status, {"error": "invalid_params", "field": e.field, "message": str(e)}
            if key:
                found.sort(key=lambda obj: (_sort_value(obj, key), _id_order(obj)), reverse=direction == "d")
            if m.pages:
                size = limit if self.page_cap is None else min(limit, self.page_cap)
                chosen = found[offset : offset + size]
            else:
                chosen = found
            page = [served(schema, obj) for obj in copy.deepcopy(chosen)]  # as it was when served
        if hidden:
            page = [self._visible(schema, obj, hidden) for obj in page]
        fields = params.get("fields")
        if fields:
            from ..client._run import parse_fields, project

            spec = parse_fields(fields)
            page = [project(obj, spec) for obj in page]
        page, total = self.deviations.answer(page, len(found), params)
        return 200, {"total": total, "results": page}

    def rewrite(self, params: Mapping[str, str], answer: dict[str, Any]) -> object:
        """The answer as the tampers make it."""
        out: object = answer
        with self._lock:
            for tamper in list(self._tampers):
                rewrite, times = tamper
                if isinstance(out, dict):
                    out = rewrite(params, out)
                if times is not None:
                    tamper[1] = times - 1
                    if times <= 1:
                        self._tampers.remove(tamper)
        return out

    def role_of(self, authorization: str) -> str | None:
        """The role a request's `Authorization` header authenticates, if any."""
        kind, _, credentials = authorization.strip().partition(" ")
        if kind.lower() == "bearer":
            return self.tokens.get(credentials.strip())
        if kind.lower() == "basic":
            try:
                pair = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return None
            username, _, password = pair.partition(":")
            return self.users.get((username, password))
        return None

    def _visible(self, schema: Schema, obj: dict[str, Any], hidden: tuple[str, ...]) -> dict[str, Any]:
        """The object without the fields the role does not see: for a lead, in other
        employees' leads only."""
        if schema.object_type == "Lead":
            assigned = obj.get("assigned_to")
            if isinstance(assigned, Mapping) and assigned.get("id") == self.employee:
                return obj
        return {k: v for k, v in obj.items() if k not in hidden}

    def take_fault(self) -> Fault | None:
        with self._lock:
            if not self.faults:
                return None
            fault = self.faults[0]
            fault.times -= 1
            if fault.times <= 0:
                self.faults.popleft()
            return fault


def _sort_value(obj: Mapping[str, Any], key: str) -> tuple[int, Any]:
    value = obj.get(key)
    if value is None or isinstance(value, (dict, list)):
        return (0, 0)
    if key.endswith("_at") and isinstance(value, str):
        try:
            return (1, parse_lead_time(value))
        except ValueError:
            return (1, 0)
    return (1, value)


def _id_order(obj: Mapping[str, Any]) -> tuple[int, Any]:
    value = obj.get("id")
    return (0, value) if isinstance(value, int) else (1, str(value))


def _handler(api: FakeLiveTex) -> type[BaseHTTPRequestHandler]:
    paths = routes()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            params = api.deviations.query(parts.query)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen = Seen(self.command, parts.path, params)
            with api._lock:
                api.requests.append(seen)
            if parts.path == "/oauth2/token" and self.command == "POST":
                status, answer = api.answer_token(_form(self.headers.get("Content-Type", ""), body))
                return self._send(seen, status, answer)
            name = paths.get(parts.path)
            if name is None:
                return self._send(seen, 404, {"error": "not_found", "message": f"no method at {parts.path}"})
            schema = method(name).schema
            if api.deviations.refuses(self.command):
                return self._send(seen, 405, {"error": "method_not_allowed", "message": f"{self.command} not allowed"})
            role = api.role_of(self.headers.get("Authorization", ""))
            if role is None:
                return self._send(seen, 401, {"error": "unauthorized", "message": "invalid token"})
            fault = api.take_fault()
            trickle = 0.0
            if fault is not None:
                if fault.drop:
                    seen.status = -1
                    self.close_connection = True
                    self.connection.close()
                    return None
                if fault.delay:
                    time.sleep(fault.delay)
                trickle = fault.trickle
                if fault.status is not None:
                    headers = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
                    return self._send(seen, fault.status, fault.body, headers)
            status, answer = api.answer_list(schema, role, params)
            return self._send(seen, status, api.rewrite(params, answer) if status == 200 else answer, trickle=trickle)

        def send_response(self, code: int, message: str | None = None) -> None:
            self.log_request(code)
            self.send_response_only(code, message)
            self.send_header("Server", self.version_string())
            if api.dated:
                self.send_header("Date", formatdate(time.time() + api.clock_skew, usegmt=True))

        def _send(
            self,
            seen: Seen,
            status: int,
            answer: object,
            headers: Mapping[str, str] | None = None,
            trickle: float = 0.0,
        ) -> None:
            seen.status = status
            data = (answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            try:
                if not trickle:
                    self.wfile.write(data)
                    return
                for i in range(len(data)):
                    self.wfile.write(data[i : i + 1])
                    self.wfile.flush()
                    time.sleep(trickle)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up
                self.close_connection = True

    return Handler


def _form(content_type: str, body: bytes) -> dict[str, str]:
    """The fields of a multipart or urlencoded form."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(body.decode("utf-8", "replace")))
    if content_type.startswith("multipart/form-data"):
        from email.parser import BytesParser
        from email.policy import HTTP

        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        out = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if isinstance(name, str):
                payload = part.get_payload(decode=True)
                out[name] = payload.decode() if isinstance(payload, bytes) else ""
        return out
    return {}
