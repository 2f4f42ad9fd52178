"""Fingerprints: a stable hash of what a filter means, for finding saved filters alike.

The canonical meaning is what leadq sends: the canonical q (or, for a filter that needs
several requests, its plan's requests, sorted), the method, and the query tail. Filters
that mean the same share a fingerprint however they are written, and so does the raw q
they compile to. With `shape`, every value is dropped (`site in (1, 2)` and `site = 5`
share a shape), as libpg_query's fingerprint does for SQL.

The form is `lq1:` and 64 hex digits of SHA-256 over UTF-8 text; the `1` changes if and
only if the canonical meaning's text ever does, so fingerprints stay comparable within a
major version (docs/versioning.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from ..schemas.schema import Schema
from ..schemas.wire import split_terms

PREFIX = "lq1:"


def meaning(schema: Schema, requests: Sequence[str], how: str, params: Mapping[str, str], *, shape: bool) -> str:
    """The canonical text a fingerprint hashes: the method, the requests (`how`: one
    ``q``, or a ``plan``), and the query tail's parameters."""
    tail = {k: v for k, v in params.items() if k != "q"}
    if shape:
        shapes = {" ".join(f"{t.name}{t.op}?" for t in split_terms(r, schema.term_start)[1]) for r in requests}
        requests = sorted(shapes)
        tail = {k: ("?" if k in ("limit", "offset") else v) for k, v in tail.items()}
    lines = [schema.method, "shape" if shape else "values", how, *sorted(requests)]
    lines += [f"{k}={v}" for k, v in sorted(tail.items())]
    return "\n".join(lines)


def fingerprint_of(schema: Schema, requests: Sequence[str], how: str, params: Mapping[str, str], *, shape: bool) -> str:
    return PREFIX + hashlib.sha256(meaning(schema, requests, how, params, shape=shape).encode("utf-8")).hexdigest()
