"""The language server: leadq's analysis, completion and hover, placed in a file's lines.

A document is a file of saved filters in any format `leadq check` reads (one per line,
JSON, TOML, CSV), chosen by its name. Each filter keeps the file place of every character
(`leadq.files.sources`), so that a position in the editor maps to an offset in one filter,
and a span in a filter back to a range in the editor (in the client's units: UTF-16 by
default).
"""

from __future__ import annotations

import contextlib
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import ServerTextPosition

import leadq

from ..core.suggest import replacement
from ..files.rewrite import rewrite
from ..files.sources import Item, SourceError, read_items, split_comment

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
_KINDS = {
    "field": types.CompletionItemKind.Field,
    "operator": types.CompletionItemKind.Operator,
    "value": types.CompletionItemKind.Value,
    "keyword": types.CompletionItemKind.Keyword,
    "snippet": types.CompletionItemKind.Snippet,
}


class LeadqServer(LanguageServer):
    """The server, with the settings it was given (`method`, `role`)."""

    def __init__(self) -> None:
        super().__init__("leadq", leadq.__version__)
        self.schema: leadq.Schema = leadq.LEADS_LIST
        self.role: str | None = None

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

    def settings(self, options: Any) -> None:
        if isinstance(options, dict):
            options = options.get("leadq", options)
            method = options.get("method")
            if isinstance(method, str):
                with contextlib.suppress(leadq.LeadqError):  # an unknown method keeps the last good one
                    self.schema = leadq.schema(method)
            role = options.get("role")
            if role is None or role in self.schema.roles:
                self.role = role


server = LeadqServer()


def _items(document: TextDocument) -> list[Item]:
    path = document.uri.rsplit("/", 1)[-1]
    try:
        return list(read_items(path, document.source))
    except SourceError:
        return []


def _position(document: TextDocument, place: tuple[int, int]) -> types.Position:
    """A 1-based file line and column, in the client's units."""
    return document.position_to_client_units(ServerTextPosition(place[0] - 1, place[1] - 1))


def _range(document: TextDocument, item: Item, start: int, end: int) -> types.Range:
    return types.Range(_position(document, item.place(start)), _position(document, item.place(end)))


def diagnostics(ls: LeadqServer, document: TextDocument) -> list[types.Diagnostic]:
    """Every finding of every filter in the document, duplicates (W608) included."""
    out: list[types.Diagnostic] = []
    first: dict[str, Item] = {}
    for item in _items(document):
        a = leadq.analyze(item.text, schema=ls.schema_of(item), stored=True, role=ls.role)
        try:
            key: str | None = a.fingerprint()
        except leadq.LeadqError:
            key = None
        for d in a.diagnostics:
            if d.code in item.ignore:
                continue
            out.append(
                types.Diagnostic(
                    range=_range(document, item, d.start, d.end),
                    message=d.message + (f"\nhint: {d.hint}" if d.hint else ""),
                    severity=_SEVERITY[d.severity.value],
                    code=d.code,
                    source="leadq",
                    data={"hint": d.hint} if d.hint else None,
                )
            )
        if key is not None and "W608" not in item.ignore:
            earlier = first.setdefault(key, item)
            if earlier is not item:
                out.append(
                    types.Diagnostic(
                        range=_range(document, item, 0, len(item.text)),
                        message=f"this filter means the same as the one on line {earlier.line}",
                        severity=types.DiagnosticSeverity.Warning,
                        code="W608",
                        source="leadq",
                    )
                )
    return out


def _publish(ls: LeadqServer, uri: str) -> None:
    document = ls.workspace.get_text_document(uri)
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics(ls, document), version=document.version)
    )


@server.feature(types.INITIALIZE)
def _initialize(ls: LeadqServer, params: types.InitializeParams) -> None:
    ls.settings(params.initialization_options)


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
def _configuration(ls: LeadqServer, params: types.DidChangeConfigurationParams) -> None:
    ls.settings(params.settings)
    for uri in list(ls.workspace.text_documents):
        _publish(ls, uri)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def _opened(ls: LeadqServer, params: types.DidOpenTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def _changed(ls: LeadqServer, params: types.DidChangeTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


def _at(document: TextDocument, position: types.Position) -> tuple[Item, int] | None:
    """The filter under a position, and the cursor's offset in it. In a text file the
    filter is the line as typed so far (its comment left out), blank lines included."""
    server_position = document.position_from_client_units(position)
    line_no, column = server_position.line + 1, server_position.character + 1
    if not document.uri.endswith((".json", ".toml", ".csv")):
        lines = document.lines
        line = lines[line_no - 1].rstrip("\r\n") if line_no <= len(lines) else ""
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
    document = ls.workspace.get_text_document(params.text_document.uri)
    found = _at(document, params.position)
    if found is None:
        return types.CompletionList(is_incomplete=False, items=[])
    item, cursor = found
    got = leadq.complete(item.text, cursor, schema=ls.schema_of(item))
    edit_range = _range(document, item, got.range.start, got.range.end)
    items = []
    for c in got.items:
        snippet = c.cursor != len(c.insert)
        text = c.insert[: c.cursor] + "$0" + c.insert[c.cursor :] if snippet else c.insert
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


@server.feature(types.TEXT_DOCUMENT_HOVER)
def _hover(ls: LeadqServer, params: types.HoverParams) -> types.Hover | None:
    document = ls.workspace.get_text_document(params.text_document.uri)
    found = _at(document, params.position)
    if found is None or not found[0].text:
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
    document = ls.workspace.get_text_document(params.text_document.uri)
    new = rewrite(document.source, _items(document))
    if new == document.source:
        return []
    end = _position(document, (len(document.lines) + 1, 1))
    return [types.TextEdit(range=types.Range(types.Position(0, 0), end), new_text=new)]


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix])
)
def _actions(ls: LeadqServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    out = []
    for d in params.context.diagnostics:
        hint = d.data.get("hint") if isinstance(d.data, dict) else None
        fix = replacement(hint)
        if fix is None or d.source != "leadq":
            continue
        out.append(
            types.CodeAction(
                title=f"Replace with `{fix}`",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[d],
                is_preferred=True,
                edit=types.WorkspaceEdit(
                    changes={params.text_document.uri: [types.TextEdit(range=d.range, new_text=fix)]}
                ),
            )
        )
    return out


def main() -> None:
    """Serve over standard input and output until the client says exit."""
    server.start_io()
