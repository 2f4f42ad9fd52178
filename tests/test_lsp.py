"""`leadq lsp` driven by a real LSP client (pytest-lsp) over stdio."""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("pygls", reason="the lsp extra (pygls) is not installed")
pytest_lsp = pytest.importorskip("pytest_lsp", reason="pytest-lsp is not installed")

from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

URI = "file:///tmp/leadq-test/saved.leadq"
JSON_URI = "file:///tmp/leadq-test/saved.json"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "leadq", "lsp"]))
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"method": "Leads.list", "role": "operator"},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _open(client: LanguageClient, text: str, uri: str = URI) -> list[types.Diagnostic]:
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


@pytest.mark.asyncio
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


@pytest.mark.asyncio
async def test_diagnostics_in_json_land_in_place(client: LanguageClient) -> None:
    found = await _open(client, '{\n  "hot": "result = fax"\n}\n', JSON_URI)
    assert [_where(d) for d in found] == [("E302", 1, 19, 1, 22)]


@pytest.mark.asyncio
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


@pytest.mark.asyncio
async def test_hover(client: LanguageClient) -> None:
    await _open(client, "x = 1\ncreated_at >= 2024-01-31\n")
    got = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(1, 2))
    )
    assert got is not None and isinstance(got.contents, types.MarkupContent)
    assert "**created_at**" in got.contents.value
    assert got.range == types.Range(types.Position(1, 0), types.Position(1, 10))


@pytest.mark.asyncio
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
