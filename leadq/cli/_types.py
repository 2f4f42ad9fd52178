"""argparse types the commands share (this module imports nothing heavy: `leadq compile`
loads it)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def whole(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` up."""

    def read(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            n = low - 1
        if n < low:
            raise argparse.ArgumentTypeError(f"takes a whole number from {low} up, not {text!r}")
        return n

    return read
