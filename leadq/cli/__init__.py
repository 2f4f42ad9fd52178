"""The `leadq` command line (an integration layer: it uses only leadq's public API)."""

from ._main import main

__all__ = ["main"]
