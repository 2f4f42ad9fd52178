"""leadq: filter expressions compiled, exactly, into the `q` parameter of LiveTex Leads.list.

Every public name is loaded on first use (PEP 562), so that `import leadq` costs next to
nothing, and a program pays only for the passes it calls (docs/performance.md).
"""

from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__

if TYPE_CHECKING:
    from .api import (
        analyze,
        check,
        compile,
        compile_params,
        decompile,
        explain,
        fingerprint,
        format,
        parse,
        plan,
        pushdown,
    )
    from .batch import Checked, check_many
    from .client import ApiError, AsyncClient, Client
    from .core.diagnostics import CODES, Code, Diagnostic, LeadqError, Severity, render_diagnostics
    from .core.fixes import Applicability, Edit, Fix
    from .editing.complete import CompletionItem, Completions, Hover, complete, hover
    from .language.tree import Node
    from .pipeline import Analysis
    from .q.plan import Plan
    from .run.evaluate import evaluate, evaluate_q
    from .run.pushdown import Pushdown
    from .schemas.criterion import Criterion, FieldType
    from .schemas.methods import LEADS_LIST, LEADS_LIST_ROUTED, METHODS, schema
    from .schemas.schema import Schema

_LAZY = {
    **dict.fromkeys(
        (
            "analyze",
            "check",
            "compile",
            "compile_params",
            "decompile",
            "explain",
            "fingerprint",
            "format",
            "parse",
            "plan",
            "pushdown",
        ),
        "api",
    ),
    "Analysis": "pipeline",
    "Node": "language.tree",
    **dict.fromkeys(("CompletionItem", "Completions", "Hover", "complete", "hover"), "editing.complete"),
    **dict.fromkeys(
        ("CODES", "Code", "Diagnostic", "LeadqError", "Severity", "render_diagnostics"), "core.diagnostics"
    ),
    **dict.fromkeys(("Applicability", "Edit", "Fix"), "core.fixes"),
    "evaluate": "run.evaluate",
    "evaluate_q": "run.evaluate",
    "Plan": "q.plan",
    "Pushdown": "run.pushdown",
    # from the module of the shipped schemas, which registers the kinds a criterion names
    **dict.fromkeys(
        ("LEADS_LIST", "LEADS_LIST_ROUTED", "METHODS", "Criterion", "FieldType", "Schema", "schema"), "schemas.methods"
    ),
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
    "METHODS",
    "Analysis",
    "ApiError",
    "Applicability",
    "AsyncClient",
    "Checked",
    "Client",
    "Code",
    "CompletionItem",
    "Completions",
    "Criterion",
    "Diagnostic",
    "Edit",
    "FieldType",
    "Fix",
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
    "schema",
]
