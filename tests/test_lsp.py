"""`leadq lsp` driven by a real LSP client (pytest-lsp) over stdio."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import Future
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the lsp extra (pygls) is not installed")
pytest_lsp = pytest.importorskip("pytest_lsp", reason="pytest-lsp is not installed")

from lsprotocol import types  # noqa: E402
from pygls.exceptions import JsonRpcException  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

import leadq  # noqa: E402
from leadq.batch import cores  # noqa: E402

URI = "file:///tmp/leadq-test/saved.leadq"
JSON_URI = "file:///tmp/leadq-test/saved.json"


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[sys.executable, "-m", "leadq", "lsp"]))
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    """One server for the module's tests (a server takes most of a second to start):
    each test has documents of its own (`_own_documents`), so none sees another's."""
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"method": "Leads.list", "role": "operator"},
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(autouse=True)
def _own_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    """URI and JSON_URI name documents of this test alone (the server is the module's)."""
    name = uuid.uuid4().hex
    monkeypatch.setattr(sys.modules[__name__], "URI", f"file:///tmp/leadq-test/{name}.leadq")
    monkeypatch.setattr(sys.modules[__name__], "JSON_URI", f"file:///tmp/leadq-test/{name}.json")


async def _open(client: LanguageClient, text: str, uri: str | None = None) -> list[types.Diagnostic]:
    uri = URI if uri is None else uri
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="leadq", version=1, text=text)
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[uri])


def _where(d: types.Diagnostic) -> tuple[object, int, int, int, int]:
    r = d.range
    return d.code, r.start.line, r.start.character, r.end.line, r.end.character


@pytest.mark.asyncio(loop_scope="module")
async def test_diagnostics_on_open_and_change(client: LanguageClient) -> None:
    found = await _open(client, "site = 1  # hot\nresult = fax\ntext contains 'a'\nsite_id = 1\n")
    assert [_where(d) for d in found] == [
        ("E302", 1, 9, 1, 12),
        ("W606", 2, 0, 2, 17),  # the role from the settings: operators cannot see text
        ("W608", 3, 0, 3, 11),  # means the same as line 1
    ]
    assert found[0].severity == types.DiagnosticSeverity.Error and found[0].source == "leadq"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="reslt = missed\n")],
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert [_where(d) for d in client.diagnostics[URI]] == [("E201", 0, 0, 0, 5)]


@pytest.mark.asyncio(loop_scope="module")
async def test_an_ignore_comment_with_a_typo_is_said_and_a_prefix_suppresses(client: LanguageClient) -> None:
    found = await _open(client, "siet = 1  # leadq: ignore[E2O1]\nsiet = 2  # leadq: ignore[E2]\n")
    assert [_where(d) for d in found] == [("E201", 0, 0, 0, 4), ("W610", 0, 0, 0, 8)]
    assert found[1].message.endswith("did you mean `E201`?")


@pytest.mark.asyncio(loop_scope="module")
async def test_diagnostics_in_json_land_in_place(client: LanguageClient) -> None:
    found = await _open(client, '{\n  "hot": "result = fax"\n}\n', JSON_URI)
    assert [_where(d) for d in found] == [("E302", 1, 19, 1, 22)]


@pytest.mark.asyncio(loop_scope="module")
async def test_lines_are_counted_at_line_feeds_alone_and_characters_in_utf16(client: LanguageClient) -> None:
    # a form feed and a line separator do not end a line (for leadq as for the editor),
    # and a character beyond the Basic Multilingual Plane is two UTF-16 units
    lines = [
        "# page one\x0cpage two",
        "reslt = missed",
        "site = 1  # see\u2028below",
        'text contains "😋" and reslt = fax',
    ]
    found = await _open(client, "".join(line + "\n" for line in lines))
    assert [_where(d) for d in found] == [("E201", 1, 0, 1, 5), ("W606", 3, 0, 3, 18), ("E201", 3, 23, 3, 28)]
    assert found[2].data["fixes"][0]["edits"] == [{"range": [3, 23, 3, 28], "newText": "result"}]
    got = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(2, 2))
    )
    assert got is not None and got.range == types.Range(types.Position(2, 0), types.Position(2, 4))
    got = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(3, 2))
    )
    assert got is not None and got.range == types.Range(types.Position(3, 0), types.Position(3, 4))


@pytest.mark.asyncio(loop_scope="module")
async def test_what_cannot_be_read_is_said_in_place_and_the_rest_keeps_its_findings(client: LanguageClient) -> None:
    # as `leadq check` says it: a value that is no string is E902 at its place, and the
    # other filters are still checked; JSON half typed is E902 where it stops
    found = await _open(client, '{"bad": "reslt = missed",\n "n": 5}\n', JSON_URI)
    assert [_where(d) for d in found] == [("E902", 1, 6, 1, 6), ("E201", 0, 9, 0, 14)]
    assert found[0].message.startswith("`n` is a number, not a filter expression\nhint: write the filter as a string")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=JSON_URI, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text='{"a": "reslt = 1", ')],
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    (half,) = client.diagnostics[JSON_URI]
    assert _where(half) == ("E902", 0, 19, 0, 19) and half.message.startswith("not valid JSON")


@pytest.mark.asyncio(loop_scope="module")
async def test_the_json_text_the_server_writes_reads_as_the_librarys_findings(client: LanguageClient) -> None:
    # The server writes a publication's JSON text itself: quotes, backslashes, control
    # characters and characters past the BMP in the messages, and each range and fix
    # edit in UTF-16 units, read back by the editor as the library says them.
    lines = ['text contains "a\\"b\\\\c\td😀" and reslt = 1', "日本 = 1", "text contains 'é' and sit = 2"]
    lines += ["text contains '😀' and site = 2"] * 2  # the same filter again: W608
    found = await _open(client, "".join(line + "\n" for line in lines), uri="file:///tmp/leadq-test/written.leadq")

    def units(line: str, at: int) -> int:
        return len(line[:at].encode("utf-16-le")) // 2

    want = []
    for row, line in enumerate(lines):
        for d in leadq.analyze(line, stored=True, role="operator").diagnostics:
            message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
            edits = []
            for f in d.fixes:
                place = [[row, units(line, e.start), row, units(line, e.end)] for e in f.edits]
                changes = [{"range": r, "newText": e.replacement} for r, e in zip(place, f.edits, strict=True)]
                edits.append((f.title, f.applicability.value == "safe", changes))
            severity = {"error": 1, "warning": 2, "info": 3}[d.severity.value]
            want.append((d.code, row, units(line, d.start), row, units(line, d.end), message, severity, d.hint, edits))
    end = units(lines[4], len(lines[4]))
    want.append(("W608", 4, 0, 4, end, "this filter means the same as the one on line 4", 2, None, []))
    got = [
        (
            *_where(d),
            d.message,
            d.severity,
            (d.data or {}).get("hint"),
            [(f["title"], f["safe"], f["edits"]) for f in (d.data or {}).get("fixes", [])],
        )
        for d in found
    ]
    assert {d.source for d in found} == {"leadq"}
    assert sorted(got) == sorted(want)
    assert {"E305", "E201", "W608"} <= {w[0] for w in want} and any(w[5] for w in want)

    # in a JSON document, a fix is an edit of the JSON text: made, the value reads fixed
    source = '{"a": "reslt = missed",\n "b": "search_engine = \\"\\u00e9\\\\\\\\\\" and sit = 1",\n "c": 3}\n'
    found = await _open(client, source, JSON_URI)
    assert [d.code for d in found] == ["E902", "E201", "E201"]
    fixed = source.splitlines(keepends=True)
    for d in found[1:]:
        ((row, start, row_end, end),) = [e["range"] for e in d.data["fixes"][0]["edits"]]
        assert row == row_end
        line = fixed[row]
        fixed[row] = line[:start] + d.data["fixes"][0]["edits"][0]["newText"] + line[end:]
    assert json.loads("".join(fixed)) == {"a": "result = missed", "b": 'search_engine = "é\\\\" and site = 1', "c": 3}


@pytest.mark.asyncio(loop_scope="module")
async def test_completion(client: LanguageClient) -> None:
    await _open(client, "site = 1\nresult \n\n")
    got = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(1, 7))
    )
    assert got is not None
    labels = [i.label for i in got.items]
    assert labels == ["!=", "=", "in", "not in"]
    in_item = next(i for i in got.items if i.label == "in")
    assert in_item.text_edit is not None and in_item.text_edit.new_text == "in ($0)"
    blank = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(2, 0))
    )
    assert blank is not None and "site" in [i.label for i in blank.items]


@pytest.mark.asyncio(loop_scope="module")
async def test_a_position_past_the_end_of_a_line_or_of_the_document_is_its_end(client: LanguageClient) -> None:
    # as the LSP says: a character past a line's end means its end; a line past the last,
    # the end of the last (here the empty line after the final line feed)
    await _open(client, "site = 1 and \nresult \n")

    async def labels(line: int, character: int) -> list[str]:
        got = await client.text_document_completion_async(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(line, character)
            )
        )
        assert got is not None
        return [i.label for i in got.items]

    assert await labels(0, 99) == await labels(0, 13) != []
    assert await labels(1, 99) == await labels(1, 7) == ["!=", "=", "in", "not in"]
    assert "site" in await labels(9, 0)


def test_client_units_and_code_points_convert_both_ways() -> None:
    from leadq.lsp._server import _code_points, _place

    line = 'text contains "é😋中" and x = 1'
    for encoding in (
        types.PositionEncodingKind.Utf16,
        types.PositionEncodingKind.Utf8,
        types.PositionEncodingKind.Utf32,
    ):
        for offset in range(len(line) + 1):
            row, units = _place(encoding, [line], (1, offset + 1))
            assert row == 0 and _code_points(encoding, line, units) == offset, (encoding, offset)
        assert _code_points(encoding, line, 10_000) == len(line)
    after = (1, 19)  # after `中`
    assert _place(types.PositionEncodingKind.Utf8, [line], after) == (0, 24)  # é 2 bytes, 😋 4, 中 3
    assert _place(types.PositionEncodingKind.Utf16, [line], after) == (0, 19)  # 😋 two units


@pytest.mark.skipif(cores() < 2, reason="one core: the server starts no worker")
@pytest.mark.skipif(sys.platform != "linux", reason="the server forks its workers on Linux only")
def test_the_server_forks_its_workers_at_its_start_and_only_while_it_has_one_thread() -> None:
    # `leadq lsp` forks its workers before pygls starts a thread; a server that already
    # has another thread leaves them to be spawned by the first large publication
    script = (
        "import threading, time\n"
        "from leadq.lsp._server import LeadqServer\n"
        "ls = LeadqServer()\n"
        "ls.fork_workers()\n"
        "print(ls.workers._mp_context.get_start_method(), ls.workers.submit(len, 'abc').result(timeout=60))\n"
        "ls.shutdown()\n"
        "threading.Thread(target=time.sleep, args=(1,), daemon=True).start()\n"
        "late = LeadqServer()\n"
        "late.fork_workers()\n"
        "print(late.workers)\n"
    )
    assert _python(script).stdout.split() == ["fork", "3", "None"]


def _python(script: str) -> subprocess.CompletedProcess[str]:
    """`script` run by this Python in a process of its own, which must end well."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.skipif(cores() < 2, reason="one core: the server starts no worker")
def test_workers_spawned_by_a_large_publication_find_what_the_library_finds() -> None:
    # where the server did not fork them (not Linux, or a server made otherwise), the
    # first publication of 2,000 filters or more spawns the workers
    import asyncio
    from concurrent.futures import ProcessPoolExecutor

    from pygls.workspace import TextDocument

    from leadq.lsp._server import LeadqServer, _published, publication

    lines = [f"site = {i} and reslt = missed" if i % 3 else f"site in ({i}, {i})" for i in range(2_100)]
    ls = LeadqServer()
    try:
        document = TextDocument("file:///spawned.leadq", "".join(line + "\n" for line in lines), version=1)
        found = asyncio.run(_published(ls, document, lambda: True))
        assert isinstance(ls.workers, ProcessPoolExecutor)
        assert ls.workers._mp_context.get_start_method() == "spawn"  # type: ignore[attr-defined]
    finally:
        ls.shutdown()
    assert found is not None
    sent = json.loads(publication(document.uri, 1, found))["params"]["diagnostics"]
    want = [
        (d.code, row, d.start, d.end)
        for row, line in enumerate(lines)
        for d in leadq.analyze(line, stored=True).diagnostics
    ]
    got = [
        (d["code"], d["range"]["start"]["line"], d["range"]["start"]["character"], d["range"]["end"]["character"])
        for d in sent
    ]
    assert sorted(got) == sorted(want) and {"E201", "W604"} <= {w[0] for w in want}


def test_a_filter_after_wide_spaces_is_placed_in_utf8_units_whatever_was_published_before() -> None:
    import asyncio

    from pygls.workspace import TextDocument
    from pygls.workspace.position_codec import PositionCodec

    from leadq.lsp._server import LeadqServer, _published, publication

    ls = LeadqServer()
    codec = PositionCodec(encoding=types.PositionEncodingKind.Utf8)

    def first_range(text: str) -> tuple[int, int]:
        document = TextDocument("file:///spaces.leadq", text, version=1, position_codec=codec)
        found = asyncio.run(_published(ls, document, lambda: True))
        assert found is not None
        sent = json.loads(publication(document.uri, 1, found))
        assert sent["params"]["version"] == 1
        where = sent["params"]["diagnostics"][0]["range"]
        return where["start"]["character"], where["end"]["character"]

    try:
        assert first_range(" reslt = missed\n") == (1, 6)
        assert first_range("\u3000reslt = missed\n") == (3, 8)  # an ideographic space is 3 bytes
        assert first_range("\xa0reslt = missed\n") == (2, 7)
    finally:
        ls.shutdown()


@pytest.mark.asyncio(loop_scope="module")
async def test_hover(client: LanguageClient) -> None:
    await _open(client, "x = 1\ncreated_at >= 2024-01-31\n")
    got = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(1, 2))
    )
    assert got is not None and isinstance(got.contents, types.MarkupContent)
    assert "**created_at**" in got.contents.value
    assert got.range == types.Range(types.Position(1, 0), types.Position(1, 10))


@pytest.mark.asyncio(loop_scope="module")
async def test_formatting_and_quick_fix(client: LanguageClient) -> None:
    found = await _open(client, "site in (1,2)  # hot\nreslt = missed\n")
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            options=types.FormattingOptions(tab_size=4, insert_spaces=True),
        )
    )
    assert edits is not None and edits[0].new_text == "site in (1, 2)  # hot\nreslt = missed\n"
    typo = next(d for d in found if d.code == "E201")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            range=typo.range,
            context=types.CodeActionContext(diagnostics=[typo]),
        )
    )
    assert actions is not None
    (fix,) = actions
    assert isinstance(fix, types.CodeAction) and fix.title == "Replace with `result`"
    assert fix.edit is not None and fix.edit.changes is not None
    assert fix.edit.changes[URI][0].new_text == "result"


# -- robustness: every request answered, nothing read from disk, publishing in the background --


async def _raw(client: LanguageClient, method: str, params: dict[str, object]) -> object:
    """A request with hand-written params, as a buggy editor could send it (the client's
    own request types would refuse to write them)."""
    msg_id = str(uuid.uuid4())
    future: Future[object] = Future()
    client.protocol._request_futures[msg_id] = future
    client.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return await asyncio.wait_for(asyncio.wrap_future(future), timeout=30)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(
    "position",
    [{"line": -1, "character": 0}, {"line": 0, "character": "x"}, {"line": 0}, None],
    ids=["negative", "wrong type", "missing", "null"],
)
async def test_a_request_with_invalid_params_gets_an_error(client: LanguageClient, position: object) -> None:
    await _open(client, "site = 1\n")
    for method in (types.TEXT_DOCUMENT_HOVER, types.TEXT_DOCUMENT_COMPLETION):
        with pytest.raises(JsonRpcException) as caught:
            await _raw(client, method, {"textDocument": {"uri": URI}, "position": position})
        assert caught.value.code == -32602  # invalid params
    # and the server goes on answering
    got = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(0, 1))
    )
    assert got is not None


def test_an_undecodable_request_is_logged_in_one_line_without_a_traceback(caplog: pytest.LogCaptureFixture) -> None:
    from leadq.lsp._server import LeadqServer

    protocol = LeadqServer().protocol
    sent: list[object] = []
    protocol._send_response = lambda *args, **kw: sent.append(args)  # type: ignore[method-assign]
    bad = {"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": {"position": {"line": -1}}}
    with caplog.at_level("DEBUG"):
        protocol.structure_message(bad)
    assert len(sent) == 1 and sent[0][0] == 7  # type: ignore[index]  # answered
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "invalid params for textDocument/hover" in caplog.text and "Traceback" not in caplog.text
    # a notification that does not decode has no one to answer: pygls says why, as before
    caplog.clear()
    with caplog.at_level("DEBUG"), pytest.raises(JsonRpcException):
        protocol.structure_message({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"x": 1}})
    assert "Traceback" in caplog.text


@pytest.mark.asyncio(loop_scope="module")
async def test_nothing_is_read_from_disk_for_a_document_not_opened(client: LanguageClient, tmp_path: Path) -> None:
    secret = tmp_path / "secret.leadq"
    secret.write_text("password = hunter2\n", encoding="utf-8")
    for path in (secret, tmp_path / "missing.leadq"):
        uri = path.as_uri()
        hover = await client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(0, 2))
        )
        assert hover is None
        completion = await client.text_document_completion_async(
            types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(0, 2))
        )
        assert completion is not None and not completion.items
        edits = await client.text_document_formatting_async(
            types.DocumentFormattingParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                options=types.FormattingOptions(tab_size=4, insert_spaces=True),
            )
        )
        assert not edits


@pytest.mark.asyncio(loop_scope="module")
async def test_hover_does_not_wait_behind_publishing(client: LanguageClient) -> None:
    big = "".join(f"site = {i} and reslt = missed\n" for i in range(5_000))
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=URI, language_id="leadq", version=1, text=big)
        )
    )
    got = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(5, 1))
    )
    assert got is not None and "**site**" in str(got.contents)
    assert URI not in client.diagnostics  # answered while the 5,000 filters were being checked
    await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), timeout=300)
    assert len(client.diagnostics[URI]) == 5_000
    # an edit of one line: the others are remembered, the new finding lands in place
    lines = big.splitlines(keepends=True)
    lines[7] = "site = 7 and result = fax\n"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="".join(lines))],
        )
    )
    await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), timeout=60)
    on_line_7 = [_where(d) for d in client.diagnostics[URI] if d.range.start.line == 7]
    assert on_line_7 == [("E302", 7, 22, 7, 25)]


@pytest.mark.asyncio(loop_scope="module")
async def test_a_large_file_is_checked_by_worker_processes_alike(client: LanguageClient) -> None:
    # 2,000 filters or more not yet checked: worker processes check them, and each
    # finding is the library's, in place (line i holds filter i)
    shapes = ["site = {i} and reslt = missed", "site in ({i}, {i})", "text contains 'a' and site = {i}", "site = {i}"]
    lines = [shapes[i % len(shapes)].format(i=i + 1) for i in range(2_400)]
    found = await _open(client, "".join(line + "\n" for line in lines), uri="file:///tmp/leadq-test/large.leadq")
    want = []
    for row, line in enumerate(lines):
        for d in leadq.analyze(line, stored=True, role="operator").diagnostics:
            want.append((d.code, row, d.start, row, d.end))
    assert sorted(_where(d) for d in found) == sorted(want)
    assert {"E201", "W604", "W606"} <= {w[0] for w in want}
    assert not [m.message for m in client.log_messages if "worker processes failed" in m.message]


@pytest.mark.asyncio(loop_scope="module")
async def test_a_change_while_workers_check_a_large_file_publishes_the_new_version(client: LanguageClient) -> None:
    uri = "file:///tmp/leadq-test/changing.leadq"
    lines = [f"site = {i} and reslt = missed" for i in range(3_000)]
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="leadq", version=1, text="\n".join(lines) + "\n")
        )
    )
    lines[5] = "site = 5 and result = fax"  # at once, while the first is being checked
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="\n".join(lines) + "\n")],
        )
    )

    def fixed() -> bool:
        return any(d.range.start.line == 5 and d.code == "E302" for d in client.diagnostics.get(uri, []))

    for _ in range(2):  # the first version's publication may be dropped, or come first
        await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), timeout=300)
        if fixed():
            break
    found = client.diagnostics[uri]
    assert len(found) == 3_000
    assert [_where(d) for d in found if d.range.start.line == 5] == [("E302", 5, 22, 5, 25)]
    assert all(d.code == "E201" for d in found if d.range.start.line != 5)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "leadq", "lsp"]))
async def misspelt_role(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"role": "operater", "method": "chats.lst"},
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "leadq", "lsp"]))
async def no_snippets(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    """A client that declares no capability at all: no snippets in completion."""
    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_completion_is_plain_text_for_an_editor_without_snippets(no_snippets: LanguageClient) -> None:
    await _open(no_snippets, "result \n")
    got = await no_snippets.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(0, 7))
    )
    assert got is not None
    in_item = next(i for i in got.items if i.label == "in")
    assert in_item.text_edit is not None and in_item.text_edit.new_text == "in ()"
    assert {i.insert_text_format for i in got.items} == {types.InsertTextFormat.PlainText}


def test_a_snippet_writes_dollar_brace_and_backslash_literally() -> None:
    from leadq.lsp._server import _escaped

    assert _escaped('text contains "a$1}\\"') == 'text contains "a\\$1\\}\\\\"'


@pytest.mark.asyncio
async def test_a_misspelt_method_or_role_in_the_settings_is_said(misspelt_role: LanguageClient) -> None:
    found = await _open(misspelt_role, "site = 1 and reslt = missed\n")
    assert [d.code for d in found] == ["E201"]  # checked for the method it had: Leads.list
    errors = [m.message for m in misspelt_role.messages if m.type == types.MessageType.Error]
    assert any("did you mean `Chats.list`" in m and "did you mean `operator`" in m for m in errors), errors


@pytest.mark.asyncio(loop_scope="module")
async def test_quick_fixes_come_from_the_diagnostics_fixes(client: LanguageClient) -> None:
    # a JSON string: the fixed value is written again with its escapes
    found = await _open(client, '{\n  "hot": "entry_page = \\"/a\\" and site in (1, 1)"\n}\n', JSON_URI)
    assert [d.code for d in found] == ["I701", "W604"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=JSON_URI),
            range=found[0].range,
            context=types.CodeActionContext(diagnostics=found),
        )
    )
    assert actions is not None
    titles = [(a.title, a.is_preferred) for a in actions if isinstance(a, types.CodeAction)]
    assert titles == [("Write `enter_page`", True), ("Remove the repeated `1`", True)]
    alias = actions[0]
    assert isinstance(alias, types.CodeAction) and alias.edit is not None and alias.edit.changes is not None
    (edit,) = alias.edit.changes[JSON_URI]
    assert edit.new_text == '"enter_page = \\"/a\\" and site in (1, 1)"'
    assert edit.range == types.Range(types.Position(1, 9), types.Position(1, 49))
    # a text file: the edit is the fix's own, where it stands
    found = await _open(client, "site in (1, 1)  # hot\n")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            range=found[0].range,
            context=types.CodeActionContext(diagnostics=found),
        )
    )
    assert actions is not None
    (remove,) = actions
    assert isinstance(remove, types.CodeAction) and remove.edit is not None and remove.edit.changes is not None
    gone = types.Range(types.Position(0, 10), types.Position(0, 13))  # `, 1`: the repeat and its comma
    assert list(remove.edit.changes[URI]) == [types.TextEdit(gone, "")]


@pytest.mark.skipif(cores() < 2, reason="one core: the server starts no worker")
@pytest.mark.skipif(sys.platform != "linux", reason="the server forks its workers on Linux only")
@pytest.mark.parametrize("forks", [0, 1])
def test_when_no_worker_can_be_forked_the_server_starts_and_says_so(forks: int) -> None:
    # a limit on processes, reached at once or after one worker: the server serves,
    # without workers until a large file asks, and leaves no worker waiting
    script = (
        "import logging, multiprocessing, os\n"
        "logging.basicConfig(level=logging.WARNING)\n"
        "fork, made = os.fork, []\n"
        "def limited():\n"
        f"    if len(made) >= {forks}: raise BlockingIOError(11, 'Resource temporarily unavailable')\n"
        "    made.append(1)\n"
        "    return fork()\n"
        "os.fork = limited\n"
        "from leadq.lsp._server import LeadqServer\n"
        "ls = LeadqServer()\n"
        "ls.fork_workers()\n"
        "print(ls.workers, len(made), len(multiprocessing.active_children()))\n"
    )
    done = _python(script)
    assert done.stdout.split() == ["None", str(forks), "0"]
    assert "could not start the worker processes" in done.stderr and "trying again" in done.stderr


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux's /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="the server forks its workers on Linux only")
@pytest.mark.skipif(cores() < 2, reason="one core: the server starts no worker")
@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_server_leaves_no_worker_and_the_editor_sees_its_output_end(signal_number: int) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "leadq", "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        body = b'{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}'
        server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        server.stdin.flush()
        assert server.stdout.readline().startswith(b"Content-Length")  # answered: the workers are forked
        workers = _children(server.pid)
        assert len(workers) >= 2
        server.send_signal(signal_number)
        server.wait(30)
        stdout = server.stdout
        done = Future()  # type: ignore[var-annotated]
        threading.Thread(target=lambda: done.set_result(stdout.read()), daemon=True).start()
        done.result(timeout=30)  # the end of its output: no worker holds it open
        deadline = time.monotonic() + 30
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if _running(pid)]
    finally:
        if server.poll() is None:
            server.kill()


@pytest.mark.skipif(cores() < 2, reason="one core: the server starts no worker")
def test_when_a_waiting_worker_dies_a_large_publication_is_checked_here() -> None:
    import asyncio
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from pygls.workspace import TextDocument

    from leadq.lsp._server import LeadqServer, _published, publication

    ls = LeadqServer()
    try:
        others = set(multiprocessing.active_children())  # other tests' processes, still ending
        workers = ls.start_workers()
        assert isinstance(workers, ProcessPoolExecutor)
        assert [workers.submit(len, "ab").result(timeout=60) for _ in range(4)] == [2] * 4  # both started
        victim = next(iter(set(multiprocessing.active_children()) - others))
        victim.kill()
        victim.join(60)
        deadline = time.monotonic() + 60
        while True:  # until the pool has heard of it (the other worker may take a task first)
            try:
                workers.submit(len, "ab").result(timeout=60)
            except BrokenProcessPool:
                break
            assert time.monotonic() < deadline
            time.sleep(0.05)
        with pytest.raises(BrokenProcessPool):  # now a submission fails at once, as the publisher's will
            workers.submit(len, "ab")
        lines = [f"site = {i} and reslt = missed" for i in range(2_100)]
        document = TextDocument("file:///died.leadq", "".join(line + "\n" for line in lines), version=1)
        found = asyncio.run(_published(ls, document, lambda: True))
        assert ls.workers is False
    finally:
        ls.shutdown()
    assert found is not None
    sent = json.loads(publication(document.uri, 1, found))["params"]["diagnostics"]
    assert [(d["code"], d["range"]["start"]["line"]) for d in sent] == [("E201", row) for row in range(2_100)]


def test_when_no_worker_can_start_a_large_publication_is_checked_here(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from pygls.workspace import TextDocument

    import leadq.lsp._server as served

    def refused(method: str, *, fork: bool = False) -> None:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(served, "_pool", refused)
    ls = served.LeadqServer()
    try:
        lines = [f"site = {i} and reslt = missed" for i in range(2_100)]
        document = TextDocument("file:///refused.leadq", "".join(line + "\n" for line in lines), version=1)
        found = asyncio.run(served._published(ls, document, lambda: True))
        assert ls.workers is False
    finally:
        ls.shutdown()
    assert found is not None
    sent = json.loads(served.publication(document.uri, 1, found))["params"]["diagnostics"]
    assert [(d["code"], d["range"]["start"]["line"]) for d in sent] == [("E201", row) for row in range(2_100)]
