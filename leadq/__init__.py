"""leadq: filter expressions compiled into the `q` parameter of LiveTex Leads.list."""

from ._api import check, compile, compile_params, decompile, format, parse
from ._ast import Node
from ._diagnostics import Diagnostic, LeadqError, Severity
from ._evaluate import evaluate, evaluate_q
from ._explain import explain
from ._plan import Plan, plan
from ._schema import LEADS_LIST, LEADS_LIST_ROUTED, Criterion, FieldType, Schema

__all__ = [
    "LEADS_LIST",
    "LEADS_LIST_ROUTED",
    "Criterion",
    "Diagnostic",
    "FieldType",
    "LeadqError",
    "Node",
    "Plan",
    "Schema",
    "Severity",
    "check",
    "compile",
    "compile_params",
    "decompile",
    "evaluate",
    "evaluate_q",
    "explain",
    "format",
    "parse",
    "plan",
]
