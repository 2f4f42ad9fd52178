"""`leadq lsp`: a language server for files of saved filters (needs the `lsp` extra).

Diagnostics on open and change, completion, hover, formatting and quick fixes for the
"did you mean" hints, over stdio, on pygls. See docs/editors.md.

The server (and pygls) is imported when first asked for: the worker processes that check
a large file import only `leadq.lsp._workers`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._server import main, server

__all__ = ["main", "server"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import _server

        return getattr(_server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
