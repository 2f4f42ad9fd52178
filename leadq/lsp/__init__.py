"""`leadq lsp`: a language server for files of saved filters (needs the `lsp` extra).

Diagnostics on open and change, completion, hover, formatting and quick fixes for the
"did you mean" hints, over stdio, on pygls. See docs/editors.md.
"""

from ._server import main, server

__all__ = ["main", "server"]
