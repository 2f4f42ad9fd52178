"""The layers contract: every import in leadq/ runs downward, and none takes part in a cycle.

The contract is `[tool.importlinter]` in pyproject.toml (CI also runs `lint-imports` on
it). This test reads the same list and checks it itself, counting every import statement:
at module level, inside functions and under `TYPE_CHECKING` alike. It also checks that
docs/architecture.md describes the same layers, in the same order.
"""

from __future__ import annotations

import ast
import functools
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "leadq"

#: One worker reads the package's imports once for every test here (a second each).
pytestmark = pytest.mark.xdist_group("layers")


def _contract() -> list[list[str]]:
    """The layers, top first; each a list of independent siblings."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (layers,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [[part.strip() for part in layer.split("|")] for layer in layers["layers"]]


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """Every leadq module `name` imports (the deepest module each statement names), with the
    line, wherever the statement stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            # `from .kinds import kind_of` names a module; `from . import x` may name one
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module for a in node.names]
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target.split(".")[0] == "leadq":
                yield target, node.lineno


@functools.cache
def _graph() -> dict[str, frozenset[str]]:
    """Each module's imports of leadq modules, read once per run (the tests only read it)."""
    modules = _modules()
    return {name: frozenset(t for t, _ in _imports(name, path, modules) if t != name) for name, path in modules.items()}


def _layer_of(module: str, layers: list[list[str]]) -> tuple[int, str] | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None
    for rank, siblings in enumerate(layers):
        if parts[1] in siblings:
            return len(layers) - rank, parts[1]
    return None


def test_every_import_runs_downward() -> None:
    layers = _contract()
    graph = _graph()
    # The package itself re-exports the public names (lazily): importing it from inside
    # counts as importing the highest layer it names.
    root = max((_layer_of(t, layers) or (0, ""))[0] for t in graph["leadq"])
    against = []
    for module, targets in graph.items():
        here = _layer_of(module, layers)
        if here is None:
            continue
        for target in targets:
            there = (root, "leadq") if target == "leadq" else _layer_of(target, layers)
            if there is None:
                continue
            upward = there[0] > here[0]
            sideways = there[0] == here[0] and there[1] != here[1]  # independent siblings
            if upward or sideways:
                against.append(f"{module} -> {target}")
    assert against == []


def test_every_module_is_in_a_layer() -> None:
    layers = _contract()
    loose = sorted(m for m in _modules() if m.count(".") >= 1 and _layer_of(m, layers) is None)
    assert loose == ["leadq._version"]


def test_no_import_cycle() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in list(graph):
        if v not in index:
            visit(v)
    assert cycles == []


def test_the_checker_sees_what_it_must() -> None:
    # an import inside a function and one under TYPE_CHECKING both count
    graph = _graph()
    assert "leadq.q.plan" in graph["leadq.pipeline"]  # imported inside Analysis.plan
    assert "leadq.schemas.schema" in graph["leadq.schemas.kinds.base"]
    layers = _contract()
    assert _layer_of("leadq.cli._main", layers) > _layer_of("leadq.core.span", layers)  # type: ignore[operator]


def test_architecture_page_lists_the_layers_of_the_contract() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = page.split("<!-- layers -->")[1]
    listed = re.findall(r"^\| \d+ \| ([^|]+) \|", table, flags=re.M)
    documented = [[name.strip(" `") for name in row.split(",")] for row in listed]
    assert documented == list(reversed(_contract()))
