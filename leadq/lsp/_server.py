"""The language server: leadq's analysis, completion and hover, placed in a file's lines.

A document is a file of saved filters in any format `leadq check` reads (one per line,
JSON, TOML, CSV), chosen by its name. Each filter keeps the file place of every character
(`leadq.files.sources`), so that a position in the editor maps to an offset in one filter,
and a span in a filter back to a range in the editor (in the client's units: UTF-16 by
default).

Diagnostics are published in the background: each filter's findings are remembered by its
text, so an edit re-checks only the filters it touched, and positions are converted from
one split of the document into lines. The work yields between chunks and is dropped when
a newer version arrives, so hover and completion never wait behind it. Only documents the
editor opened are read (nothing from disk), and every request is answered: a request
whose parameters do not decode gets a JSON-RPC error.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import sys
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from json.encoder import encode_basestring_ascii
from typing import Any, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import JsonRPCProtocol, LanguageServerProtocol
from pygls.workspace import TextDocument

import leadq

from ..core.collector import paused
from ..core.fixes import Applicability, Edit, Fix
from ..files.rewrite import fix_edits, rewrite
from ..files.sources import FILE_PROBLEM, Item, SourceError, file_places, ignore_problems, read_source, split_comment
from ..schemas.schema import checked_role
from ._workers import SEVERITY, Found, Shown, WireFix, analyses, shown
from ._workers import analysis as _analysis
from ._workers import pool as _pool

_T = TypeVar("_T")

_KINDS = {
    "field": types.CompletionItemKind.Field,
    "operator": types.CompletionItemKind.Operator,
    "value": types.CompletionItemKind.Value,
    "keyword": types.CompletionItemKind.Keyword,
    "snippet": types.CompletionItemKind.Snippet,
}


class _Unanswerable:
    """A request whose parameters did not decode: already answered with an error."""

    jsonrpc = ""


#: Set while a request is decoded: pygls then logs a failure to decode it with a
#: traceback, which this server answers instead (`_Protocol`), and says in one line.
_DECODING = threading.local()
_log = logging.getLogger(__name__)
#: The messages being sent by the event loop (a task is kept until it is done).
_SENDING: set[asyncio.Future[Any]] = set()


class _Answered(logging.Filter):
    """Drops pygls' traceback of a request that did not decode, which the server answers."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(_DECODING, "request", False)


logging.getLogger(JsonRPCProtocol.__module__).addFilter(_Answered())


class _Protocol(LanguageServerProtocol):
    """pygls' protocol, but a request that does not decode (a negative position, a wrong
    type) is answered with the JSON-RPC error instead of only being logged, so the editor
    never waits for it; the log says so in one line, with no traceback."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        request = "id" in data and "method" in data  # not a notification or a response
        _DECODING.request = request
        try:
            return super().structure_message(data)
        except JsonRpcException as e:
            if not request:
                raise  # there is no one to answer
            cause = e.__cause__
            error = JsonRpcInvalidParams(f"invalid params for {data['method']}: {cause or e}"[:500])
            self._send_response(data["id"], None, error.to_response_error())
            _log.warning("%s", error.message)
            return _Unanswerable()
        finally:
            _DECODING.request = False

    def send_text(self, body: str) -> None:
        """Send a message already written as JSON text, as `_send_data` sends the JSON it
        writes of an object (a large publication is written by the server itself)."""
        if self.writer is None:
            return
        data = body.encode(self.CHARSET)
        if self._include_headers:
            header = f"Content-Length: {len(data)}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
            data = header.encode("ascii") + data
        try:
            written = self.writer.write(data)
            if inspect.isawaitable(written):  # a WebSocket's: sent by the event loop
                _SENDING.add(task := asyncio.ensure_future(written))
                task.add_done_callback(_SENDING.discard)
        except BrokenPipeError:
            _log.exception("could not send a message: the editor's end of the pipe is closed")
            raise
        except Exception as error:  # as `_send_data` does: logged, and said to the editor if it can be
            _log.exception("could not send a message")
            self._server._report_server_error(error, JsonRpcInternalError)

    def handle_message(self, message: Any) -> None:
        if not isinstance(message, _Unanswerable):
            super().handle_message(message)


#: Remembered findings per server; past this many texts the memory starts again.
_REMEMBERED = 200_000
#: Filters checked between two yields to the event loop while publishing.
_CHUNK = 200
#: A publication with at least this many filters not yet remembered has them analysed by
#: worker processes (one per core), this many at a time each.
_PARALLEL = 2_000
_BATCH = 1_000


class LeadqServer(LanguageServer):
    """The server, with the settings it was given (`method`, `role`)."""

    def __init__(self) -> None:
        super().__init__("leadq", leadq.__version__, protocol_cls=_Protocol)
        self.schema: leadq.Schema = leadq.LEADS_LIST
        self.role: str | None = None
        #: (text, method, role) -> (its diagnostics, its fingerprint or None)
        self.memo: dict[tuple[str, str, str | None], Found] = {}
        #: the worker processes, started by the first large publication (None: not yet;
        #: False: none on this machine, or they failed)
        self.workers: ProcessPoolExecutor | bool | None = None
        #: (text, method, origin, the line before it, ignored codes, position encoding) of a
        #: one-line filter -> its diagnostics as sent (for the current settings)
        self.placed: dict[Any, str] = {}
        self.publishing: dict[str, asyncio.Task[None]] = {}
        self.problem: str | None = None  # a setting the editor should hear about

    @property
    def method(self) -> str:
        return self.schema.method

    def schema_of(self, item: Item) -> leadq.Schema:
        """The method a filter is for: the one its file names (docs/cli.md), else the
        server's setting."""
        if item.method is not None:
            with contextlib.suppress(leadq.LeadqError):  # an unknown name: the check says E211
                return leadq.schema(item.method)
        return self.schema

    def settings(self, options: Any) -> str | None:
        """Take the settings; a message for the editor when one is wrong (an unknown
        method keeps the last good one; an unknown role is none)."""
        if not isinstance(options, dict):
            return None
        options = options.get("leadq", options)
        problems = []
        method = options.get("method")
        if isinstance(method, str):
            try:
                self.schema = leadq.schema(method)
            except leadq.LeadqError as e:
                (d,) = e.diagnostics
                problems.append(f"{d.message} ({d.hint})" if d.hint else d.message)
        self.placed.clear()  # the findings are those of the old settings
        try:
            self.role = checked_role(options.get("role"), self.schema)
        except leadq.LeadqError as e:
            (d,) = e.diagnostics
            self.role = None
            problems.append(f"{d.message} ({d.hint}); warnings for a role (W606) are off until it is fixed")
        except TypeError as e:
            self.role = None
            problems.append(str(e))
        return "leadq: " + "; ".join(problems) if problems else None

    def role_for(self, schema: leadq.Schema) -> str | None:
        """The role a filter of `schema` is checked for: the setting's, checked against
        the setting's method; a file naming another method that role may not call is
        checked for no role."""
        return self.role if self.role in schema.roles else None

    def analysis(self, text: str, schema: leadq.Schema) -> Found:
        """A filter's diagnostics and fingerprint, remembered by its text and method."""
        key = (text, schema.method, self.role)
        found = self.memo.get(key)
        if found is None:
            found = self.remember(key, _analysis(text, schema, self.role_for(schema)))
        return found

    def remember(self, key: tuple[str, str, str | None], found: Found) -> Found:
        if len(self.memo) >= _REMEMBERED:
            self.memo.clear()
        self.memo[key] = found
        return found

    def start_analyses(self, items: Sequence[Item]) -> list[tuple[int, asyncio.Future[None]]]:
        """Start the worker processes on the filters not yet remembered, when there are many
        (the first publication of a large file): the cores share the work, and this process
        stays free to place findings and answer hover and completion meanwhile. For each
        batch, the index of the first item it answers and a future done once its findings
        are remembered (they are, even when the publication that asked is dropped). Empty
        when there are few, or no workers: `analysis` then makes each one as it is asked."""
        missing: dict[tuple[str, str, str | None], tuple[int, leadq.Schema]] = {}
        for index, item in enumerate(items):
            schema = self.schema_of(item)
            key = (item.text, schema.method, self.role)
            if key not in self.memo and key not in missing:
                missing[key] = (index, schema)
        if len(missing) < _PARALLEL:
            return []
        workers = self.start_workers()
        if workers is None:
            return []
        groups: dict[tuple[str, str | None], list[tuple[int, tuple[str, str, str | None]]]] = {}
        for key, (index, schema) in missing.items():
            groups.setdefault((schema.method, self.role_for(schema)), []).append((index, key))
        loop = asyncio.get_running_loop()
        started: list[tuple[int, asyncio.Future[None]]] = []
        try:
            for (method, role), keyed in groups.items():
                for i in range(0, len(keyed), _BATCH):
                    batch = keyed[i : i + _BATCH]
                    keys = [key for _, key in batch]
                    asked = loop.run_in_executor(workers, analyses, [key[0] for key in keys], method, role)
                    started.append((batch[0][0], asyncio.ensure_future(self._remembered(asked, keys))))
        except (BrokenProcessPool, RuntimeError) as e:  # a worker died while idle: the rest is checked here
            self.workers_failed(e)
        started.sort(key=lambda s: s[0])
        return started

    def start_workers(self) -> ProcessPoolExecutor | None:
        """The worker processes, started (and each made ready to check filters) the first
        time they are asked for; None when there are none."""
        if self.workers is None:
            try:
                self.workers = _pool(self.method) or False
            except OSError as e:  # no process to be had (a limit on processes)
                self.workers_failed(e)
        return self.workers if isinstance(self.workers, ProcessPoolExecutor) else None

    def fork_workers(self) -> None:
        """Start the worker processes now, as copies of this process, on Linux while the
        server has no other thread (pygls starts its readers with the event loop, and a
        copy of a process with threads may copy a lock half-held): they wait for the first
        large publication ready to check, with no interpreter to start then. Elsewhere
        they are spawned when the first large publication needs them."""
        if sys.platform != "linux" or threading.active_count() > 1 or self.workers is not None:
            return
        try:
            self.workers = _pool(self.method, fork=True) or False
        except OSError as e:  # no process to be had now (a limit): the first large publication tries again
            _log.warning("leadq: could not start the worker processes (%s); trying again when a large file comes", e)

    async def _remembered(self, asked: asyncio.Future[list[Found]], keys: list[tuple[str, str, str | None]]) -> None:
        try:
            found = await asked
        except Exception as e:  # a worker died, or could not start: this process does the work
            self.workers_failed(e)
            return
        for key, one in zip(keys, found, strict=True):
            self.remember(key, one)

    def workers_failed(self, e: BaseException) -> None:
        """No more worker processes (one died, none could start): this process checks
        every filter from now on, and the editor's log says so once."""
        if self.workers is False:
            return
        if isinstance(self.workers, ProcessPoolExecutor):
            self.workers.shutdown(wait=False, cancel_futures=True)
        self.workers = False
        self.window_log_message(
            types.LogMessageParams(
                type=types.MessageType.Warning,
                message=f"leadq: the worker processes failed ({type(e).__name__}: {e}); checking here instead",
            )
        )

    def shutdown(self) -> None:
        if isinstance(self.workers, ProcessPoolExecutor):
            self.workers.shutdown(wait=False, cancel_futures=True)
        super().shutdown()  # type: ignore[no-untyped-call]  # pygls leaves it unannotated


server = LeadqServer()


def _document(ls: LeadqServer, uri: str) -> TextDocument | None:
    """The document the editor opened at `uri`; None for any other (never read from disk)."""
    document: TextDocument | None = ls.workspace.text_documents.get(uri)
    return document


def _read(document: TextDocument) -> tuple[list[Item], list[SourceError]]:
    """The document's filters that can be read, and what is wrong with the rest (a value
    that is no string, JSON half typed): the filters keep their findings meanwhile."""
    return _remembered(document, "read", lambda source: read_source(document.uri.rsplit("/", 1)[-1], source))


def _items(document: TextDocument) -> list[Item]:
    return _read(document)[0]


def _lines(document: TextDocument) -> list[str]:
    """The document's lines as leadq numbers them (`leadq.files.sources`): split at line
    feeds alone, as an editor does but for a lone carriage return, which leadq reads as
    part of its line. pygls' own `lines` splits at form feeds and line separators too,
    and a filter after one would be placed on the wrong line."""
    return _remembered(document, "lines", lambda source: source.split("\n"))


#: What each open document's text was read as, while the text is the same (hover and
#: completion in a long document would split it, or read all its filters, at each key).
_SEEN: weakref.WeakKeyDictionary[TextDocument, dict[str, tuple[str, Any]]] = weakref.WeakKeyDictionary()


def _remembered(document: TextDocument, what: str, make: Callable[[str], _T]) -> _T:
    source = document.source
    seen = _SEEN.setdefault(document, {})
    found = seen.get(what)
    if found is not None and found[0] is source:
        value: _T = found[1]
        return value
    value = make(source)
    seen[what] = (source, value)
    return value


def _position(document: TextDocument, place: tuple[int, int], lines: Sequence[str] | None = None) -> types.Position:
    """A 1-based file line and column, in the client's units (`lines`: the document's,
    split once by the caller)."""
    line, character = _place(document.position_codec.encoding, _lines(document) if lines is None else lines, place)
    return types.Position(line, character)


def _range(document: TextDocument, item: Item, start: int, end: int) -> types.Range:
    lines = _lines(document)
    return types.Range(_position(document, item.place(start), lines), _position(document, item.place(end), lines))


def _place(encoding: object, lines: Sequence[str], place: tuple[int, int]) -> tuple[int, int]:
    """A 1-based line and column (in code points) as the 0-based line and character the
    client counts (UTF-16 code units unless it said otherwise), from the one line alone."""
    row, column = place[0] - 1, place[1] - 1
    if row >= len(lines):
        return len(lines), 0
    before = lines[row][:column]
    if before.isascii() or encoding == types.PositionEncodingKind.Utf32:
        return row, len(before)
    if encoding == types.PositionEncodingKind.Utf8:
        return row, len(before.encode("utf-8", "surrogatepass"))
    return row, len(before.encode("utf-16-le", "surrogatepass")) // 2


def _code_points(encoding: object, line: str, character: int) -> int:
    """The offset in code points of a position on `line` the client counts in its units
    (`_place` the other way), at most the line's end."""
    if line.isascii() or encoding == types.PositionEncodingKind.Utf32:
        return min(character, len(line))
    units = 0
    for i, c in enumerate(line):
        if units >= character:
            return i
        if encoding == types.PositionEncodingKind.Utf8:
            units += len(c.encode("utf-8", "surrogatepass"))
        else:
            units += 2 if ord(c) > 0xFFFF else 1
    return len(line)


#: A string as JSON text, in ASCII (as `json.dumps` writes it).
_json = encode_basestring_ascii


def _range_json(l1: int, c1: int, l2: int, c2: int) -> str:
    return f'{{"start":{{"line":{l1},"character":{c1}}},"end":{{"line":{l2},"character":{c2}}}}}'


def _diagnostics(
    ls: LeadqServer, document: TextDocument, read: tuple[list[Item], list[SourceError]] | None = None
) -> Iterator[list[str]]:
    """The document's diagnostics as the JSON text sent, a chunk of filters at a time (so
    that the publisher can yield between chunks): for each filter, its LSP Diagnostics
    joined by commas (empty when it has none). First what cannot be read as filters (E902,
    as `leadq check` says it), then each filter's findings. The document is split into
    lines once, and each filter's findings come from `ls.analysis` (remembered by text).
    Written as text, not made as dicts for `json.dumps`: a large document's findings are
    a third of the cost that way, and the text remembered for a filter is no object the
    cyclic collector scans. `read`: the document's filters and problems, when the caller
    has read them."""
    items, problems = _read(document) if read is None else read
    lines = _lines(document)
    encoding = document.position_codec.encoding
    counted: list[Callable[[int], tuple[int, int]]] = []  # the file's lines, when a fix first needs them

    def flat(item: Item) -> tuple[int, int, int] | None:
        """Where a filter written as it is on one line of ASCII (most filters) starts, and
        its length: its characters are placed by adding their offset to its column."""
        if item.places:
            return None
        row, column = item.origin[0] - 1, item.origin[1] - 1
        return (row, column, len(item.text)) if row < len(lines) and lines[row].isascii() else None

    def where(item: Item, on: tuple[int, int, int] | None, start: int, end: int) -> tuple[int, int, int, int]:
        """The range of characters `start` to `end` of the filter, in the client's units
        (`on`: the filter's `flat` place)."""
        if on is not None:
            row, column, n = on
            start, end = (start if start < n else n), (end if end < n else n)
            return row, column + (start if start > 0 else 0), row, column + (end if end > 0 else 0)
        (l1, c1), (l2, c2) = (_place(encoding, lines, item.place(at)) for at in (start, end))
        return l1, c1, l2, c2

    def edits(item: Item, on: tuple[int, int, int] | None, fix: WireFix) -> list[str]:
        """A fix's edits of the file: ranges in the client's units, [line, character,
        line, character], and the text in the file's quoting."""
        title, safe, changes = fix
        if item.style == "text" and not item.places:  # written as it is, where it stands
            out = []
            for start, end, text in changes:
                l1, c1, l2, c2 = where(item, on, start, end)
                out.append(f'{{"range":[{l1},{c1},{l2},{c2}],"newText":{_json(text)}}}')
            return out
        whole = Fix(title, tuple(Edit(*e) for e in changes), Applicability.SAFE if safe else Applicability.UNSAFE)
        out = []
        for start, end, text in fix_edits(item, whole):
            if not counted:
                counted.append(file_places(document.source))
            (l1, c1), (l2, c2) = (_place(encoding, lines, counted[0](at)) for at in (start, end))
            out.append(f'{{"range":[{l1},{c1},{l2},{c2}],"newText":{_json(text)}}}')
        return out

    def placed_one(item: Item, on: tuple[int, int, int] | None, d: Shown) -> str:
        """One finding as an LSP Diagnostic in JSON. Its data keeps what a code action
        needs: the hint, and its fixes as edits of the file (`Diagnostic.fixes`)."""
        start, end, code, severity, message, hint, fixes = d
        data = [f'"hint":{_json(hint)}'] if hint else []
        made = [
            f'{{"title":{_json(f[0])},"safe":{"true" if f[1] else "false"},"edits":[{",".join(e)}]}}'
            for f in fixes
            if (e := edits(item, on, f))
        ]
        if made:
            data.append(f'"fixes":[{",".join(made)}]')
        tail = f',"data":{{{",".join(data)}}}' if data else ""
        return (
            f'{{"range":{_range_json(*where(item, on, start, end))},'
            f'"message":{_json(message)},"severity":{severity},"code":{_json(code)},"source":"leadq"{tail}}}'
        )

    first: dict[str, Item] = {}
    out: list[str] = []
    for problem in problems:
        line, character = _place(encoding, lines, (problem.line, problem.column))
        hint = f"\nhint: {problem.hint}" if problem.hint else ""
        out.append(
            f'{{"range":{_range_json(line, character, line, character)},"message":{_json(problem.message + hint)},'
            f'"severity":{SEVERITY["error"]},"code":{_json(FILE_PROBLEM)},"source":"leadq"}}'
        )
    placed = ls.placed
    for n, item in enumerate(items, 1):
        schema = ls.schema_of(item)
        found, key = ls.analysis(item.text, schema)
        # a filter on one line, unchanged, in the same place after the same characters (the
        # spaces before it may be several UTF-8 units): its diagnostics as before
        at = None
        if not item.places:
            row, column = item.origin
            before = lines[row - 1][: column - 1] if row <= len(lines) else ""
            at = (item.text, schema.method, item.origin, before, item.ignore, encoding)
        done = placed.get(at) if at is not None else None
        if done is None:
            if item.ignore:  # a comment suppresses codes (and may name one that is none: W610)
                found = (*found, *(shown(d) for d in ignore_problems(item)))
                found = tuple(d for d in found if not item.ignores(d[2]))
            on = flat(item)
            done = ",".join([placed_one(item, on, d) for d in found])
            if at is not None:
                if len(placed) >= _REMEMBERED:
                    placed.clear()
                placed[at] = done
        out.append(done)
        if key is not None and not item.ignores("W608"):
            earlier = first.setdefault(key, item)
            if earlier is not item:
                out.append(
                    f'{{"range":{_range_json(*where(item, flat(item), 0, len(item.text)))},'
                    f'"message":{_json(f"this filter means the same as the one on line {earlier.line}")},'
                    f'"severity":{SEVERITY["warning"]},"code":"W608","source":"leadq"}}'
                )
        if n % _CHUNK == 0:
            yield out
            out = []
    yield out


def publication(uri: str, version: int | None, found: list[str]) -> str:
    """The notification that publishes a document's diagnostics (`found`: each filter's,
    as `_diagnostics` writes them), as the JSON text sent."""
    params = f'{{"uri":{_json(uri)},"diagnostics":[{",".join(part for part in found if part)}]'
    if version is not None:
        params += f',"version":{int(version)}'
    return f'{{"jsonrpc":"2.0","method":{_json(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)},"params":{params}}}}}'


async def _publish_now(ls: LeadqServer, uri: str) -> None:
    document = _document(ls, uri)
    if document is None:
        return
    version = document.version
    found = await _published(ls, document, lambda: _document(ls, uri) is document and document.version == version)
    if found is None:
        return  # a newer version is on its way
    # Sent as the JSON text it is: encoding 20,000 lsprotocol objects through cattrs, or
    # even dicts through `json.dumps`, would cost more than finding them.
    protocol = ls.protocol
    assert isinstance(protocol, _Protocol)
    protocol.send_text(publication(uri, version, found))


async def _published(ls: LeadqServer, document: TextDocument, current: Callable[[], bool]) -> list[str] | None:
    """The document's diagnostics as sent (`_diagnostics`), made a chunk at a time with a
    yield to the event loop between chunks (hover and completion get through); None once
    `current()` says a newer version came. Many new filters go to the worker processes,
    and each chunk is placed as soon as the batches it needs are back, while later ones
    are still checked."""
    if ls.workers is None and document.source.count("\n") >= _PARALLEL:
        ls.start_workers()  # they start while the document is read
    with paused():  # 20,000 filters read make no cycles either
        read = _read(document)
        started = ls.start_analyses(read[0])
    found: list[str] = []
    placed = 0
    chunks = _without_gc(_diagnostics(ls, document, read))
    while True:
        while started and started[0][0] < placed + _CHUNK:  # the batches this chunk needs
            await asyncio.shield(started.pop(0)[1])
        chunk = next(chunks, None)
        if chunk is None:
            return found
        found += chunk
        placed += _CHUNK
        await asyncio.sleep(0)  # let hover and completion through
        if not current():
            return None


def _without_gc(chunks: Iterator[list[str]]) -> Iterator[list[str]]:
    """Each chunk made with the cyclic collector paused: making diagnostics makes no
    cycles, and the collector would scan the remembered findings again and again (a fifth
    of the time of a large publication). Between chunks it runs as usual."""
    while True:
        with paused():
            chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk


def _publish(ls: LeadqServer, uri: str) -> None:
    """Publish the document's diagnostics in the background, replacing a publication
    still under way for an older version."""
    running = ls.publishing.pop(uri, None)
    if running is not None:
        running.cancel()
    task = asyncio.ensure_future(_publish_now(ls, uri))
    ls.publishing[uri] = task
    task.add_done_callback(lambda t: ls.publishing.pop(uri, None) if ls.publishing.get(uri) is t else None)


@server.feature(types.INITIALIZE)
def _initialize(ls: LeadqServer, params: types.InitializeParams) -> None:
    ls.problem = ls.settings(params.initialization_options)


@server.feature(types.INITIALIZED)
def _initialized(ls: LeadqServer, params: types.InitializedParams) -> None:
    if ls.problem:  # said once the client can hear it
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=ls.problem))


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
def _configuration(ls: LeadqServer, params: types.DidChangeConfigurationParams) -> None:
    problem = ls.settings(params.settings)
    if problem:
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=problem))
    for uri in list(ls.workspace.text_documents):
        _publish(ls, uri)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def _opened(ls: LeadqServer, params: types.DidOpenTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def _changed(ls: LeadqServer, params: types.DidChangeTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def _closed(ls: LeadqServer, params: types.DidCloseTextDocumentParams) -> None:
    running = ls.publishing.pop(params.text_document.uri, None)
    if running is not None:
        running.cancel()
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


def _at(document: TextDocument, position: types.Position) -> tuple[Item, int] | None:
    """The filter under a position, and the cursor's offset in it. In a text file the
    filter is the line as typed so far (its comment left out), blank lines included."""
    lines = _lines(document)
    row = min(position.line, len(lines) - 1)  # past the end: the end of the last line
    line = lines[row].removesuffix("\r")
    character = position.character if row == position.line else sys.maxsize
    line_no, column = row + 1, _code_points(document.position_codec.encoding, line, character) + 1
    if not document.uri.endswith((".json", ".toml", ".csv")):
        expression, _ = split_comment(line)
        if line.lstrip().startswith("#") or column > len(expression) + 1:
            return None
        places = tuple((line_no, i + 1) for i in range(len(expression) + 1))
        return Item(document.uri, None, expression, places), column - 1
    place = (line_no, column)
    for item in _items(document):
        if item.places[0] <= place <= item.places[-1]:
            for i, p in enumerate(item.places):
                if p >= place:
                    return item, i
    return None


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[" ", "(", ",", '"', "="]))
def _complete(ls: LeadqServer, params: types.CompletionParams) -> types.CompletionList:
    document = _document(ls, params.text_document.uri)
    found = None if document is None else _at(document, params.position)
    if found is None:
        return types.CompletionList(is_incomplete=False, items=[])
    assert document is not None
    item, cursor = found
    got = leadq.complete(item.text, cursor, schema=ls.schema_of(item))
    edit_range = _range(document, item, got.range.start, got.range.end)
    items = []
    snippets = _snippets(ls)
    for c in got.items:
        # the cursor inside the insert (`in ($0)`) where the editor takes snippets; else
        # the plain text, and the cursor after it
        snippet = snippets and c.cursor != len(c.insert)
        text = _escaped(c.insert[: c.cursor]) + "$0" + _escaped(c.insert[c.cursor :]) if snippet else c.insert
        items.append(
            types.CompletionItem(
                label=c.label,
                kind=_KINDS[c.kind],
                detail=c.detail,
                documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=c.documentation)
                if c.documentation
                else None,
                sort_text=c.sort_key,
                filter_text=c.label,
                text_edit=types.TextEdit(range=edit_range, new_text=text),
                insert_text_format=types.InsertTextFormat.Snippet if snippet else types.InsertTextFormat.PlainText,
            )
        )
    return types.CompletionList(is_incomplete=got.incomplete, items=items)


def _snippets(ls: LeadqServer) -> bool:
    """Whether the editor said it takes snippets in completion items."""
    completion = ls.client_capabilities.text_document and ls.client_capabilities.text_document.completion
    item = completion.completion_item if completion else None
    return bool(item and item.snippet_support)


def _escaped(text: str) -> str:
    """`text` as snippet syntax writes it literally."""
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


@server.feature(types.TEXT_DOCUMENT_HOVER)
def _hover(ls: LeadqServer, params: types.HoverParams) -> types.Hover | None:
    document = _document(ls, params.text_document.uri)
    found = None if document is None else _at(document, params.position)
    if document is None or found is None or not found[0].text:
        return None
    item, cursor = found
    got = leadq.hover(item.text, cursor, schema=ls.schema_of(item))
    if got is None:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=got.contents),
        range=_range(document, item, got.range.start, got.range.end),
    )


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
def _format(ls: LeadqServer, params: types.DocumentFormattingParams) -> list[types.TextEdit]:
    document = _document(ls, params.text_document.uri)
    if document is None:
        return []
    new = rewrite(document.source, _items(document))
    if new == document.source:
        return []
    lines = _lines(document)
    end = _position(document, (len(lines), len(lines[-1]) + 1), lines)
    return [types.TextEdit(range=types.Range(types.Position(0, 0), end), new_text=new)]


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix])
)
def _actions(ls: LeadqServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Quick fixes: the fixes leadq made for the diagnostics in view (`Diagnostic.fixes`,
    kept in each diagnostic's data when it was published); a safe one is preferred."""
    out = []
    for d in params.context.diagnostics:
        fixes = d.data.get("fixes") if isinstance(d.data, dict) and d.source == "leadq" else None
        for fix in fixes if isinstance(fixes, list) else []:
            try:
                edits = [
                    types.TextEdit(
                        range=types.Range(types.Position(*e["range"][:2]), types.Position(*e["range"][2:])),
                        new_text=e["newText"],
                    )
                    for e in fix["edits"]
                ]
            except (KeyError, TypeError, ValueError):
                continue  # not the data this server published
            out.append(
                types.CodeAction(
                    title=fix["title"],
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[d],
                    is_preferred=bool(fix.get("safe")),
                    edit=types.WorkspaceEdit(changes={params.text_document.uri: edits}),
                )
            )
    return out


def main() -> None:
    """Serve over standard input and output until the client says exit."""
    server.fork_workers()
    server.start_io()
