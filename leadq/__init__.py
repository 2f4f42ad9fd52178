"""leadq: filter expressions compiled, exactly, into the `q` parameter of LiveTex Leads.list."""

from typing import TYPE_CHECKING, Any

from ._analysis import Analysis
from ._api import analyze, check, compile, compile_params, decompile, fingerprint, format, parse, plan
from ._ast import Node
from ._diagnostics import CODES, Code, Diagnostic, LeadqError, Severity, render_diagnostics
from ._schema import LEADS_LIST, LEADS_LIST_ROUTED, Criterion, FieldType, Schema
from ._version import __version__ as __version__

if TYPE_CHECKING:
    from ._complete import CompletionItem, Completions, Hover, complete, hover
    from ._evaluate import evaluate, evaluate_q
    from ._explain import explain
    from ._plan import Plan
    from .batch import Checked, check_many

# Loaded on first use, so that `import leadq` stays cheap for those who only compile.
_LAZY = {
    "check_many": "batch",
    "Checked": "batch",
    "complete": "_complete",
    "hover": "_complete",
    "Completions": "_complete",
    "CompletionItem": "_complete",
    "Hover": "_complete",
    "evaluate": "_evaluate",
    "evaluate_q": "_evaluate",
    "explain": "_explain",
    "Plan": "_plan",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'leadq' has no attribute {name!r}")


__all__ = [
    "CODES",
    "LEADS_LIST",
    "LEADS_LIST_ROUTED",
    "Analysis",
    "Checked",
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
    "render_diagnostics",
]
