"""mkdocs hook: build the playground's assets into the site (docs/playground.md).

After the site is built, writes `<site>/playground/assets/`:
- `app.js`: CodeMirror 6 and the page's code, bundled by esbuild (`npm ci` in playground/
  first; nothing built is committed);
- `pyodide/`: the Pyodide runtime from the npm package `pyodide`;
- `wheels/`: leadq's wheel, built from this checkout, and the wheels of its runtime
  dependencies (attrs, lark) and of tzdata (Pyodide has no zone database), downloaded from
  the package index at the versions installed here (cached in playground/.cache/);
- `bridge.py`: the Python side of the page.

`LEADQ_PLAYGROUND=skip` builds the site without them (the page then says it cannot load).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
DEPENDENCIES = ("attrs", "lark", "tzdata")


class PlaygroundError(RuntimeError):
    pass


def on_post_build(config: Any, **_: Any) -> None:
    if os.environ.get("LEADQ_PLAYGROUND") == "skip":
        return
    build(Path(config["site_dir"]) / "playground" / "assets")


def build(out: Path) -> None:
    modules = HERE / "node_modules"
    if not (modules / "pyodide").is_dir() or not (modules / ".bin" / "esbuild").exists():
        raise PlaygroundError(
            "the playground needs its npm packages: run `npm ci` in playground/ "
            "(or set LEADQ_PLAYGROUND=skip to build the docs without it)"
        )
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(modules / ".bin" / "esbuild"), "src/app.js", "--bundle", "--format=esm", "--minify",
         "--target=es2020", "--log-level=warning", f"--outfile={out / 'app.js'}"],
        cwd=HERE,
        check=True,
    )  # fmt: skip
    runtime = out / "pyodide"
    runtime.mkdir(exist_ok=True)
    for name in PYODIDE_FILES:
        shutil.copy2(modules / "pyodide" / name, runtime / name)
    shutil.copy2(HERE / "src" / "bridge.py", out / "bridge.py")
    wheels = out / "wheels"
    if wheels.exists():
        shutil.rmtree(wheels)
    wheels.mkdir()
    names = [_leadq_wheel(wheels)] + [_dependency(name, wheels) for name in DEPENDENCIES]
    (wheels / "index.json").write_text(json.dumps(names), encoding="utf-8")


def _leadq_wheel(into: Path) -> str:
    before = set(into.glob("leadq-*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(into), str(ROOT)],
        check=True,
    )
    (wheel,) = set(into.glob("leadq-*.whl")) - before
    return wheel.name


def _dependency(name: str, into: Path) -> str:
    """The pure-Python wheel of `name` at the version installed here, from the cache or
    downloaded from the package index."""
    try:
        pinned = f"{name}=={version(name)}"
    except Exception:  # not installed here (tzdata on a system with a zone database)
        pinned = name
    cache = HERE / ".cache" / "wheels"
    cache.mkdir(parents=True, exist_ok=True)
    found = _cached(cache, name, pinned)
    if found is None:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--python-version", "3.13", "--platform", "any", "--implementation", "py", "-d", str(cache), pinned],
            check=True,
        )  # fmt: skip
        found = _cached(cache, name, pinned)
    if found is None:
        raise PlaygroundError(f"no pure-Python wheel of {pinned} was downloaded")
    shutil.copy2(found, into / found.name)
    return found.name


def _cached(cache: Path, name: str, pinned: str) -> Path | None:
    wanted = pinned.split("==")[1] if "==" in pinned else None
    for wheel in sorted(cache.glob(f"{name}-*-none-any.whl")):
        if wanted is None or wheel.name.split("-")[1] == wanted:
            return wheel
    return None
