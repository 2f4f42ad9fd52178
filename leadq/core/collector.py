"""The cyclic garbage collector, paused while many objects are made at once.

leadq's passes make no reference cycles. While they make many objects together (a batch
of analyses, a large publication's diagnostics), the collector would scan them again and
again and find nothing to free; `paused` holds it back for a `with` block. (`analyze`
does the same for a long text inline: it is on every compile's path.)
"""

from __future__ import annotations

import gc


class paused:  # used as a function: `with paused():`
    """The collector paused in the `with` block, when `when` (and when it runs at all)."""

    __slots__ = ("_pause",)

    def __init__(self, when: bool = True) -> None:
        self._pause = when and gc.isenabled()

    def __enter__(self) -> None:
        if self._pause:
            gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self._pause:
            gc.enable()
