"""The public functions: each reads what it needs from one `Analysis` of its input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .core.diagnostics import Diagnostic, LeadqError
from .core.messages import value_repr
from .language.tree import Node
from .pipeline import Analysis, facts_in
from .pipeline import analyze as _analyze
from .q.emit import MAX_REQUESTS
from .schemas.methods import LEADS_LIST, resolve
from .schemas.schema import Schema, checked_role

if TYPE_CHECKING:
    from datetime import datetime

    from .q.plan import Plan
    from .run.pushdown import Pushdown


def _text(value: object, name: str = "text") -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def _params(value: object) -> Mapping[str, object] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise TypeError(f"params must be a mapping of parameter names to values, not {type(value).__name__}")
    return value


def _schema(value: object) -> Schema:
    return resolve(value)


def _max_requests(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise TypeError(f"max_requests must be a whole number from 1 up, not {value_repr(value)}")
    return value


def analyze(
    text: str,
    params: Mapping[str, object] | None = None,
    *,
    schema: Schema | str = LEADS_LIST,
    stored: bool = False,
    role: str | None = None,
    q: bool = False,
) -> Analysis:
    """Analyse a filter once: its tree, its `q` and request parameters, and every diagnostic.

    The one call for tools that want the compiled q *and* the warnings: ``a.q`` is the q
    (None when the filter does not compile), ``a.params`` the request parameters,
    ``a.diagnostics`` every error, warning and note, and ``a.plan()`` the requests when
    one q is not enough. Never raises for any text.

    Args:
        text: the filter (or, with ``q=True``, a raw q string).
        params: the values of the filter's placeholders, ``{"sites": [1, 2]}`` for
            ``site in :sites`` (see `compile`).
        schema: the API method: a `Schema` (`LEADS_LIST`, ...) or a method's name
            (``"Leads.listRouted"``, any letter case; see `METHODS`).
        stored: the filter will be saved: warn about relative periods (W605).
        role: the API role that will run the filter: warn about fields it cannot see (W606).
        q: `text` is a raw q string, as sent to the API.

    Raises:
        LeadqError: `schema` names no API method (E211), or `role` is no role of it
            (E212, naming the nearest: a misspelt role would silently turn W606 off): the
            argument, not the text, is wrong.
        TypeError: `text` is not a str, `params` not a mapping of str, `schema`
            neither a Schema nor a method name, or `role` not a str.
    """
    schema = _schema(schema)
    role = checked_role(role, schema)
    return _analyze(_text(text), schema, stored=stored, role=role, raw_q=q, params=_params(params))


def compile(text: str, params: Mapping[str, object] | None = None, *, schema: Schema | str = LEADS_LIST) -> str:
    """Compile a filter expression into the `q` parameter of the schema's API method.

    Values from users belong in parameters, never formatted into the text: a placeholder
    ``:name`` stands where a value (or, after ``in``, a whole list) may stand, and takes
    its type from the field it meets: ``compile("site in :sites and created_at >= :since",
    {"sites": [1, 2], "since": date(2024, 1, 1)})``. Ids and numbers take an ``int``,
    ``in`` a list, tuple or set, datetimes a ``date`` or ``datetime`` (aware, or naive
    meaning Moscow time), flags a ``bool``, the rest a ``str``. Each value is checked
    exactly as a literal written there would be.

    Args:
        text: the filter, e.g. ``"result=missed and site in (1,2)"``.
        params: the values of the placeholders, by name.
        schema: the API method: a `Schema` (`LEADS_LIST`, ...) or a method's name
            (``"Leads.listRouted"``, any letter case; see `METHODS`).

    Returns:
        The canonical `q` string, e.g. ``"site_ids=1,2 result=missed"``; ``""`` for an
        empty filter (all leads).

    Raises:
        LeadqError: the filter has errors (a parameter missing, unused or of the wrong
            type included); ``.diagnostics`` lists every one found. To get the q and its
            warnings from one call, use `analyze`.
        TypeError: `text` is not a str, `params` not a mapping of str, or `schema` neither
            a Schema nor a method name.
    """
    a = _analyze(_text(text), _schema(schema), lint=False, params=_params(params))
    a.raise_for_errors()
    assert a.q is not None
    return a.q


def compile_params(
    text: str, params: Mapping[str, object] | None = None, *, schema: Schema | str = LEADS_LIST
) -> dict[str, str]:
    """Compile a filter and its query tail into the request parameters of the API method.

    Args:
        text: the filter, optionally followed by ``order by KEY [asc|desc]``, ``limit N``,
            ``offset N`` and ``fields a, b, site(id, url)``.
        params: the values of the placeholders (see `compile`).
        schema: the API method: a `Schema` or a method's name (see `METHODS`).

    Returns:
        ``{"q": ...}`` plus ``sort`` (``created_at:d``), ``limit``, ``offset`` and
        ``fields`` when the tail gives them.

    Raises:
        LeadqError: the filter or its tail has errors.
        TypeError: `text` is not a str, `params` not a mapping of str, or `schema`
            neither a Schema nor a method name.
    """
    a = _analyze(_text(text), _schema(schema), lint=False, params=_params(params))
    a.raise_for_errors()
    return dict(a.params)


def check(
    text: str,
    params: Mapping[str, object] | None = None,
    *,
    schema: Schema | str = LEADS_LIST,
    stored: bool = False,
    role: str | None = None,
    q: bool = False,
) -> list[Diagnostic]:
    """Every problem with a filter expression, as data. Never raises for any text.

    Args:
        text: the filter (or, with ``q=True``, a raw q string).
        params: the values of the placeholders (see `compile`).
        schema: the API method: a `Schema` or a method's name (see `METHODS`).
        stored: the filter will be saved: warn about relative periods, which move (W605).
        role: the API role that will run the filter (``operator``, ``admin``, ...: one
            of ``schema.roles``): warn about conditions on fields the role cannot see (W606).
        q: `text` is a raw q string.

    Returns:
        Errors (the filter does not compile), warnings and notes, in source order. An
        empty list means the filter compiles and the linter has nothing to say.

    Raises:
        LeadqError: `schema` names no API method (E211), or `role` is no role of it
            (E212, naming the nearest: a misspelt role would silently turn W606 off): the
            argument, not the text, is wrong.
        TypeError: `text` is not a str, `params` not a mapping of str, `schema`
            neither a Schema nor a method name, or `role` not a str.
    """
    return analyze(text, params, schema=schema, stored=stored, role=role, q=q).diagnostics


def parse(text: str) -> Node:
    """Parse a filter expression into its syntax tree (no name or type checks).

    The tree is made of the frozen classes of `leadq.language.tree` (`And`, `Or`, `Not`, `Compare`,
    `In`, ...), each with a `span` into `text`; a filter with a query tail (`order by`,
    `limit`, ...) is a `Query` around it, and the empty filter is `MatchAll`.

    Raises:
        LeadqError: the text is not valid filter syntax.
        TypeError: `text` is not a str.
    """
    from .core.diagnostics import Report
    from .language.parse import parse_text

    text = _text(text)
    report = Report(text)
    try:
        node = parse_text(text, report, facts=facts_in(LEADS_LIST))
    except Exception as e:  # a bug in leadq surfaces as the library's own error
        raise LeadqError([_internal(text, e)], text) from e
    if node is None:
        raise LeadqError(report.diagnostics, text)
    return node


def format(node: Node) -> str:
    """The canonical text of a syntax tree; ``parse(format(node)) == node``.

    Raises:
        TypeError: `node` is not a syntax tree (to format a text, parse it first:
            ``format(parse(text))``).
    """
    from .language.format import format_node
    from .language.tree import NODE_TYPES

    if not isinstance(node, NODE_TYPES):
        raise TypeError(f"node must be a syntax tree from leadq.parse(), not {type(node).__name__}")
    return format_node(node)


def decompile(q: str, *, schema: Schema | str = LEADS_LIST) -> Node:
    """Read a raw `q` string (as sent to the API) back into a filter tree.

    Accepts every documented value form, `>` and `<`, and datetimes written
    ``YYYY-MM-DD HH:MM:SS``. ``format(decompile(q))`` is the human expression.

    Raises:
        LeadqError: unknown criteria or bad values; spans point into `q`.
        TypeError: `q` is not a str, or `schema` neither a Schema nor a method name.
    """
    a = _analyze(_text(q, "q"), _schema(schema), raw_q=True, lint=False)
    if a.tree is None or a.logic is None:
        raise LeadqError(a.diagnostics, q)
    return a.tree


def plan(
    text: str,
    params: Mapping[str, object] | None = None,
    *,
    schema: Schema | str = LEADS_LIST,
    max_requests: int = MAX_REQUESTS,
) -> Plan:
    """Split a filter into few requests whose union is exactly the filter.

    Alternatives are merged per field and pieces that the others cover are dropped, which
    gives the fewest requests for the filters people write (every example in the docs);
    for unusual overlaps of many fields the count is small but not proven minimal. A
    filter that compiles plans to its one q; one that `compile` refuses with E402 plans to
    several requests; E403 and E404 mean no plan exists.

    Args:
        text: the filter.
        params: the values of the placeholders (see `compile`).
        schema: the API method: a `Schema` or a method's name (see `METHODS`).
        max_requests: the most requests the plan may hold.

    Raises:
        LeadqError: the filter has errors, never matches (E401), holds a condition no
            request can say (E403, E404), or needs more than `max_requests` (E406).
        TypeError: `text` is not a str, `params` not a mapping of str, `schema` neither
            a Schema nor a method name, or `max_requests` not a whole number from 1 up.
    """
    limit = _max_requests(max_requests)
    return _analyze(_text(text), _schema(schema), lint=False, params=_params(params)).plan(limit)


def pushdown(
    text: str,
    params: Mapping[str, object] | None = None,
    *,
    schema: Schema | str = LEADS_LIST,
    role: str | None = None,
    now: datetime | None = None,
    max_requests: int = MAX_REQUESTS,
) -> Pushdown:
    """Split any filter into requests the API answers and a residual checked on each lead.

    Unlike `compile`, which refuses what one q cannot say, pushdown sends what q can say
    (one q, or a plan of several) and keeps the rest as a residual, so that the leads the
    requests return *and* the residual holds for are exactly the filter's leads:
    ``text contains "a" and text contains "b"`` sends ``text=a`` and checks
    ``text contains "b"``; ``site != 3`` sends nothing about sites and checks ``site != 3``.
    Conditions may also name Lead fields q has no criterion for (``city``, ``site.url``,
    ``visit_count``, ``updated_at``; docs/language.md), which are always checked here.

    Args:
        text: the filter.
        params: the values of the placeholders (see `compile`).
        schema: the API method: a `Schema` or a method's name (see `METHODS`).
        role: the API role that will run it: a residual on a field it cannot see
            (``text``, ``answer_text``) is E313.
        now: when given, relative periods (``created_at = lastweek``) become the
            absolute interval they cover at `now`, so requests and residual agree.
        max_requests: the most requests the split may send.

    Raises:
        LeadqError: the filter has errors (syntax, names, values), the residual needs
            a field `role` cannot see (E313), or `role` is no role of `schema` (E212: a
            misspelt role would turn E313 off).
        TypeError: `text` is not a str, `params` not a mapping of str, `schema` neither
            a Schema nor a method name, `role` not a str, `now` not a datetime, or
            `max_requests` not a whole
            number from 1 up.
    """
    from datetime import datetime

    from .run.pushdown import split

    limit = _max_requests(max_requests)
    schema = _schema(schema)
    role = checked_role(role, schema)
    if now is not None and not isinstance(now, datetime):
        raise TypeError(f"now must be a datetime, not {type(now).__name__}")
    return split(_text(text), schema, params=_params(params), role=role, now=now, max_requests=limit)


def fingerprint(
    text: str,
    params: Mapping[str, object] | None = None,
    *,
    q: bool = False,
    shape: bool = False,
    schema: Schema | str = LEADS_LIST,
) -> str:
    """A stable hash of what a filter means: filters that mean the same share it.

    ``site in (2,1) and result=missed``, ``result = missed and site in (1, 2)`` and, with
    ``q=True``, the raw q ``site_ids=1,2 result=missed`` have one fingerprint; so do
    ``type = form or result = missed`` and ``type = form or (result = missed and type !=
    form)``, whose plans differ. The hash is over the canonical q (or a canonical form of
    the union of the plan's requests: the leads they select, not their shape), the method
    and the query tail (``fields`` in any order); relative periods keep their keyword, not
    today's date (docs/embedding.md says exactly what is equal). The form is
    ``lq1:`` and 64 hex digits of SHA-256, the same in every process, Python version and
    platform, and stable within a major version of leadq.

    Args:
        text: the filter (or, with ``q=True``, a raw q string).
        params: the values of the filter's placeholders (see `compile`).
        q: `text` is a raw q string.
        shape: drop every value (ids, bounds, strings, periods, limit and offset), for
            grouping filters by kind: ``site in (1, 2)`` and ``site = 5`` share a shape.
        schema: the API method: a `Schema` or a method's name (see `METHODS`).

    Raises:
        LeadqError: the filter has errors, or no requests can say it.
        TypeError: `text` is not a str, `params` not a mapping, or `schema` neither a
            Schema nor a method name.
    """
    a = _analyze(_text(text), _schema(schema), raw_q=q, lint=False, params=_params(params))
    return a.fingerprint(shape=shape)


def explain(
    text: str, params: Mapping[str, object] | None = None, *, schema: Schema | str = LEADS_LIST, fetch: bool = False
) -> str:
    """A person's account of a filter.

    The normalized constraint per criterion, the conditions that are redundant or always
    true, the compiled q; or, when it cannot compile, why: for a filter that never matches,
    the smallest set of conditions that contradict each other, and a plan of requests when
    one q is not enough.

    `params` are the values of the filter's placeholders (see `leadq.compile`). With
    ``fetch=True``, how `leadq.pushdown` runs the filter instead: "sent to the API: …"
    with the requests' q, and "checked here: …" with the residual.

    Raises:
        TypeError: `text` is not a str, `params` not a mapping, or `schema` neither a
            Schema nor a method name.
    """
    from .q.explain import problems

    if fetch:
        try:
            return pushdown(text, params, schema=schema).explain()
        except LeadqError as e:
            return problems(text, e.diagnostics)
    return analyze(text, params, schema=schema).explain()


def _internal(text: str, e: Exception) -> Diagnostic:
    from .core.diagnostics import Report
    from .core.span import Span

    report = Report(text)
    report.add("internal", Span(0, len(text)), error=f"{type(e).__name__}: {e}")
    return report.diagnostics[0]
