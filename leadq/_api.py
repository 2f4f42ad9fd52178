"""The public functions: each runs the passes in order and turns problems into diagnostics."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ._ast import Node, Span
from ._check import check_tree, checked
from ._decompile import decompile_q
from ._diagnostics import Diagnostic, LeadqError, diagnostic, has_errors
from ._emit import emit_q
from ._format import format_node
from ._normalize import lint, normalize
from ._parse import parse_text
from ._schema import LEADS_LIST, Schema

T = TypeVar("T")


def compile(text: str, *, schema: Schema = LEADS_LIST) -> str:
    """Compile a filter expression into the `q` parameter of the schema's API method.

    Args:
        text: the filter, e.g. ``"result=missed and site in (1,2)"``.
        schema: the API method's criteria (`LEADS_LIST` or `LEADS_LIST_ROUTED`).

    Returns:
        The canonical `q` string, e.g. ``"site_ids=1,2 result=missed"``; ``""`` for an
        empty filter (all leads).

    Raises:
        LeadqError: the filter has errors; ``.diagnostics`` lists every one found.
    """
    return _guarded(text, lambda: _compile(text, schema)["q"])


def compile_params(text: str, *, schema: Schema = LEADS_LIST) -> dict[str, str]:
    """Compile a filter and its query tail into the request parameters of the API method.

    Args:
        text: the filter, optionally followed by ``order by KEY [asc|desc]``, ``limit N``,
            ``offset N`` and ``fields a, b, site(id, url)``.
        schema: the API method's criteria.

    Returns:
        ``{"q": ...}`` plus ``sort`` (``created_at:d``), ``limit``, ``offset`` and
        ``fields`` when the tail gives them.

    Raises:
        LeadqError: the filter or its tail has errors.
    """
    return _guarded(text, lambda: _compile(text, schema))


def _compile(text: str, schema: Schema) -> dict[str, str]:
    logic, params = checked(text, schema)
    normalized, problems = normalize(logic, schema, text)
    if normalized is None:
        raise LeadqError(problems, text)
    q, problems = emit_q(normalized, text)
    if q is None:
        raise LeadqError(problems, text)
    return {"q": q, **params}


def check(text: str, *, schema: Schema = LEADS_LIST, stored: bool = False, role: str | None = None) -> list[Diagnostic]:
    """Every problem with a filter expression, as data. Never raises.

    Args:
        text: the filter.
        schema: the API method's criteria.
        stored: the filter will be saved: warn about relative periods, which move (W605).
        role: the API role that will run the filter (``operator``, ``admin``, ...): warn
            about conditions on fields the role cannot see (W606).

    Returns:
        Errors (the filter does not compile), warnings and notes, in source order. An
        empty list means the filter compiles and the linter has nothing to say.
    """
    try:
        return _check(text, schema, stored, role)
    except Exception as e:  # a bug in leadq must still not escape check()
        return [_internal(text, e)]


def _check(text: str, schema: Schema, stored: bool, role: str | None) -> list[Diagnostic]:
    node, diagnostics = parse_text(text)
    if node is None:
        return diagnostics
    logic, found = check_tree(node, text, schema, stored=stored, role=role)
    diagnostics += found
    if logic is not None:
        normalized, problems = normalize(logic, schema, text)
        diagnostics += problems
        if normalized is not None:
            diagnostics += emit_q(normalized, text)[1]
        if not has_errors(diagnostics):
            diagnostics += lint(logic, schema, text)
    return sorted(diagnostics, key=lambda d: (d.start, d.end, d.code))


def parse(text: str) -> Node:
    """Parse a filter expression into its syntax tree (no name or type checks).

    The tree is made of the frozen classes of `leadq._ast` (`And`, `Or`, `Not`, `Compare`,
    `In`, ...), each with a `span` into `text`; a filter with a query tail (`order by`,
    `limit`, ...) is a `Query` around it, and the empty filter is `MatchAll`.

    Raises:
        LeadqError: the text is not valid filter syntax.
    """

    def run() -> Node:
        node, diagnostics = parse_text(text)
        if node is None:
            raise LeadqError(diagnostics, text)
        return node

    return _guarded(text, run)


def format(node: Node) -> str:
    """The canonical text of a syntax tree; ``parse(format(node)) == node``."""
    return format_node(node)


def decompile(q: str, *, schema: Schema = LEADS_LIST) -> Node:
    """Read a raw `q` string (as sent to the API) back into a filter tree.

    Accepts every documented value form, `>` and `<`, and datetimes written
    ``YYYY-MM-DD HH:MM:SS``. ``format(decompile(q))`` is the human expression.

    Raises:
        LeadqError: unknown criteria or bad values; spans point into `q`.
    """

    def run() -> Node:
        node, diagnostics = decompile_with_diagnostics(q, schema)
        if node is None:
            raise LeadqError(diagnostics, q)
        return node

    return _guarded(q, run)


def decompile_with_diagnostics(q: str, schema: Schema = LEADS_LIST) -> tuple[Node | None, list[Diagnostic]]:
    """Decompile `q` and check the result; the node is None when there are errors."""
    node, diagnostics = decompile_q(q, schema)
    if node is not None:
        logic, found = check_tree(node, q, schema)
        diagnostics += found
        if logic is None:
            node = None
    return node, sorted(diagnostics, key=lambda d: (d.start, d.code))


def _guarded(text: str, run: Callable[[], T]) -> T:
    try:
        return run()
    except LeadqError:
        raise
    except Exception as e:  # a bug in leadq surfaces as the library's own error
        raise LeadqError([_internal(text, e)], text) from e


def _internal(text: str, e: Exception) -> Diagnostic:
    return diagnostic(
        text,
        "E900",
        Span(0, len(text)),
        f"internal error: {type(e).__name__}: {e}",
        "please report this filter to the leadq issue tracker",
    )
