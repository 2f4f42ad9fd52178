"""mkdocs hook: build the playground's assets into the site (docs/playground.md).

After the site is built, writes `<site>/playground/assets/`:
- `app.js`: CodeMirror 6 and the page's code, bundled by esbuild (`npm ci` in playground/
  first; nothing built is committed), and `boot.js`, the loader the page starts first;
- `pyodide/`: the Pyodide runtime from the npm package `pyodide`, its standard library
  compiled to bytecode (`pack.py`, cached: see `CACHE`);
- `leadq-playground.zip`: leadq, built from this checkout as a wheel, attrs and tzdata
  (Pyodide has no zone database; the pure wheels at the versions installed here,
  downloaded from the package index once and cached) and the page's
  Python side (`src/bridge.py`), all compiled to bytecode; the page imports from the zip
  as it is, with nothing to unpack.

The bytecode is made by Pyodide itself, run by Node (`pack.mjs`), so that it is the
bytecode of the interpreter the page runs. `LEADQ_PLAYGROUND=skip` builds the site without
the playground (the page then says it cannot load).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _cache() -> Path:
    # LEADQ_CACHE_DIR, else the user's cache folder: shared by every checkout, as pip's and
    # npm's caches are, so that a fresh clone does not compile the standard library again
    folder = os.environ.get("LEADQ_CACHE_DIR")
    if folder:
        return Path(folder) / "playground"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "leadq" / "playground"


#: What the build keeps between builds and checkouts, named by what it was made from: the
#: standard library compiled for a Pyodide release (by a digest of its zip and of
#: pack.py), and the wheels of the dependencies at their versions.
CACHE = _cache()
#: Pyodide's files the page loads as they are (its standard library is compiled first).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "pyodide-lock.json")
#: The wheels beside leadq's. Lark is not among them: leadq parses with tables generated
#: ahead of time, and Lark only generates them (tests/test_playground_bridge.py checks the
#: page's calls import no Lark).
DEPENDENCIES = ("attrs", "tzdata")
SITE_ZIP = "leadq-playground.zip"
#: Where the page puts its files in Pyodide's file system (boot.js says the same).
STDLIB_MOUNT = "/lib/python313.zip"
SITE_MOUNT = f"/lib/{SITE_ZIP}"


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
    node = shutil.which("node")
    if node is None:
        raise PlaygroundError("the playground is built with Node (it runs Pyodide to compile Python): install it")
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(modules / ".bin" / "esbuild"), "src/app.js", "src/boot.js", "--bundle", "--format=esm", "--minify",
         "--target=es2020", "--external:./boot.js", "--log-level=warning", f"--outdir={out}"],
        cwd=HERE,
        check=True,
    )  # fmt: skip
    runtime = out / "pyodide"
    runtime.mkdir(exist_ok=True)
    for name in PYODIDE_FILES:
        shutil.copy2(modules / "pyodide" / name, runtime / name)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        wheels = [_leadq_wheel(work)] + [_dependency(name) for name in DEPENDENCIES]
        jobs = [
            {
                "target": str(out / SITE_ZIP),
                "mount": SITE_MOUNT,
                "zips": [str(w) for w in wheels],
                "modules": {"leadq_playground_bridge": str(HERE / "src" / "bridge.py")},
            }
        ]
        stdlib = _compiled_stdlib(modules / "pyodide")
        partial = work / stdlib.name  # the cache gets it whole or not at all: a build that fails leaves none
        if not stdlib.exists():
            zips = [str(modules / "pyodide" / "python_stdlib.zip")]
            jobs.append({"target": str(partial), "mount": STDLIB_MOUNT, "zips": zips})
        (work / "job.json").write_text(json.dumps(jobs), encoding="utf-8")
        done = subprocess.run([node, "pack.mjs", str(work / "job.json")], cwd=HERE, capture_output=True, text=True)
        if done.returncode != 0:
            raise PlaygroundError(f"compiling the playground's Python failed:\n{done.stdout}{done.stderr}")
        if not stdlib.exists():
            # whole or not at all, even from another file system: copied beside it, then renamed
            beside = stdlib.with_name(f".{stdlib.name}.{os.getpid()}")
            shutil.copyfile(partial, beside)
            os.replace(beside, stdlib)
    shutil.copy2(stdlib, runtime / "python_stdlib.zip")


def _compiled_stdlib(pyodide: Path) -> Path:
    """Where the compiled standard library of this Pyodide is cached: named by the
    Pyodide version and a digest of its zip and of pack.py."""
    digest = hashlib.sha256()
    for part in (pyodide / "python_stdlib.zip", HERE / "pack.py"):
        digest.update(part.read_bytes())
    release = json.loads((pyodide / "package.json").read_text(encoding="utf-8"))["version"]
    CACHE.mkdir(parents=True, exist_ok=True)
    return CACHE / f"python_stdlib-{release}-{digest.hexdigest()[:16]}.zip"


def _leadq_wheel(into: Path) -> Path:
    """leadq's wheel, built by its build backend (hatchling, in the docs extra) directly:
    0.2 s, where `pip wheel` first makes an isolated build environment (2.4 s). The same
    bytes either way (hatchling's wheels are reproducible); `pip wheel` when hatchling is
    not installed."""
    try:
        import hatchling  # noqa: F401
    except ImportError:
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(into), str(ROOT)]
    else:
        command = [sys.executable, "-c", "import sys, hatchling.build as b; b.build_wheel(sys.argv[1])", str(into)]
    subprocess.run(command, cwd=ROOT, check=True)
    (wheel,) = into.glob("leadq-*.whl")
    return wheel


def _dependency(name: str) -> Path:
    """The pure-Python wheel of `name` at the version installed here, from the cache or
    downloaded from the package index."""
    try:
        pinned = f"{name}=={version(name)}"
    except Exception:  # not installed here (tzdata on a system with a zone database)
        pinned = name
    cache = CACHE / "wheels"
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
    return found


def _cached(cache: Path, name: str, pinned: str) -> Path | None:
    wanted = pinned.split("==")[1] if "==" in pinned else None
    for wheel in sorted(cache.glob(f"{name}-*-none-any.whl")):
        if wanted is None or wheel.name.split("-")[1] == wanted:
            return wheel
    return None
