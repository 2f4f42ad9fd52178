"""leadq: filter expressions compiled, exactly, into the `q` parameter of LiveTex Leads.list.

Every public name is loaded on first use (PEP 562), so that `import leadq` costs next to
nothing, and a program pays only for the passes it calls (docs/performance.md).
"""

from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__

if TYPE_CHECKING:
    from ._analysis import Analysis
    from ._api import analyze, check, compile, compile_params, decompile, fingerprint, format, parse, plan, pushdown
    from ._ast import Node
    from ._complete import CompletionItem, Completions, Hover, complete, hover
    from ._diagnostics import CODES, Code, Diagnostic, LeadqError, Severity, render_diagnostics
    from ._evaluate import evaluate, evaluate_q
    from ._explain import explain
    from ._plan import Plan
    from ._pushdown import Pushdown
    from ._schema import LEADS_LIST, LEADS_LIST_ROUTED, Criterion, FieldType, Schema
    from .batch import Checked, check_many
    from .client import ApiError, AsyncClient, Client

_LAZY = {
    **dict.fromkeys(
        (
            "analyze",
            "check",
            "compile",
            "compile_params",
            "decompile",
            "fingerprint",
            "format",
            "parse",
            "plan",
            "pushdown",
        ),
        "_api",
    ),
    "Analysis": "_analysis",
    "Node": "_ast",
    **dict.fromkeys(("CompletionItem", "Completions", "Hover", "complete", "hover"), "_complete"),
    **dict.fromkeys(("CODES", "Code", "Diagnostic", "LeadqError", "Severity", "render_diagnostics"), "_diagnostics"),
    "evaluate": "_evaluate",
    "evaluate_q": "_evaluate",
    "explain": "_explain",
    "Plan": "_plan",
    "Pushdown": "_pushdown",
    **dict.fromkeys(("LEADS_LIST", "LEADS_LIST_ROUTED", "Criterion", "FieldType", "Schema"), "_schema"),
    **dict.fromkeys(("ApiError", "AsyncClient", "Client"), "client"),
    "check_many": "batch",
    "Checked": "batch",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'leadq' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])


__all__ = [
    "CODES",
    "LEADS_LIST",
    "LEADS_LIST_ROUTED",
    "Analysis",
    "ApiError",
    "AsyncClient",
    "Checked",
    "Client",
    "Code",
    "CompletionItem",
    "Completions",
    "Criterion",
    "Diagnostic",
    "FieldType",
    "Hover",
    "LeadqError",
    "Node",
    "Plan",
    "Pushdown",
    "Schema",
    "Severity",
    "analyze",
    "check",
    "check_many",
    "compile",
    "compile_params",
    "complete",
    "decompile",
    "evaluate",
    "evaluate_q",
    "explain",
    "fingerprint",
    "format",
    "hover",
    "parse",
    "plan",
    "pushdown",
    "render_diagnostics",
]
