"""How to add an optional extra to the leadq that is installed.

No package index has leadq yet, so `pip install 'leadq[client]'` finds nothing: what works
anywhere is to install the extra's own requirements, which this installation's metadata
names exactly.
"""

from __future__ import annotations

import re

#: The requirements of each extra, for a leadq whose metadata cannot be read (a source tree
#: on the path without an installation); pyproject.toml is the truth.
_FALLBACK = {"client": ("httpx>=0.27,<1",), "lsp": ("pygls>=2,<3", "lsprotocol>=2025.0.0"), "pandas": ("pandas>=2",)}
_EXTRA = re.compile(r"""^(?P<requirement>[^;]+?)\s*;\s*extra\s*==\s*['"](?P<extra>[\w-]+)['"]\s*$""")


def requirements(extra: str) -> tuple[str, ...]:
    """The requirements the extra `extra` adds, as pip writes them (`httpx>=0.27,<1`)."""
    from importlib import metadata

    try:
        declared = metadata.requires("leadq") or []
    except metadata.PackageNotFoundError:
        return _FALLBACK.get(extra, ())
    found = []
    for line in declared:
        m = _EXTRA.match(line)
        if m and m.group("extra") == extra:
            found.append(_ordered(m.group("requirement")))
    return tuple(found) or _FALLBACK.get(extra, ())


def _ordered(requirement: str) -> str:
    """`httpx<1,>=0.27` as people write it: `httpx>=0.27,<1`."""
    m = re.match(r"^([\w.\[\]-]+)\s*(.*)$", requirement)
    if m is None or "," not in m.group(2):
        return requirement.replace(" ", "")
    bounds = sorted(m.group(2).replace(" ", "").split(","), key=lambda b: not b.startswith(">"))
    return m.group(1) + ",".join(bounds)


def install_hint(extra: str) -> str:
    """The command that adds `extra` to this installation, and the one for a checkout."""
    needed = " ".join(f"'{r}'" for r in requirements(extra))
    return f"pip install {needed} (the `{extra}` extra; in a checkout of leadq: pip install '.[{extra}]')"
