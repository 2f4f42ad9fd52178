"""Compile the playground's Python to bytecode, ahead of time: run by Pyodide itself (in
Node, from `pack.mjs`, when the docs are built), so the bytecode is that of the very
interpreter the page runs.

The browser then imports without compiling anything. Pyodide's `python_stdlib.zip` ships
sources only, and compiling them as Python starts took most of the page's load time
(docs/performance.md#the-playground).

    python pack.py JOB.json   (inside Pyodide; JOB.json as pack.mjs writes it)

A job names the zip files to write and what goes in each: zips (Pyodide's standard
library, wheels) whose `.py` members become sourceless `.pyc`, and single modules. Every
other member is copied as it is. The output is reproducible: members in order, fixed
dates.
"""

from __future__ import annotations

import importlib.util
import json
import marshal
import sys
import zipfile
from pathlib import Path
from typing import Any

#: The date zip members get, so that the same input makes the same bytes.
EPOCH = (1980, 1, 1, 0, 0, 0)


def pyc(source: bytes, filename: str) -> bytes:
    """A sourceless .pyc of `source` for this interpreter: the magic number, flags 0
    (timestamp-based, which a zip without the source never checks), and the code."""
    code = compile(source, filename, "exec", dont_inherit=True)
    return importlib.util.MAGIC_NUMBER + bytes(12) + marshal.dumps(code)


def _member(out: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    out.writestr(info, data)


def pack(target: str, mount: str, zips: list[str], modules: dict[str, str]) -> int:
    """Write `target`: the members of `zips`, then `modules` (name → source path), with
    every .py compiled; `mount` is where the page puts the zip (for the code's file
    names, which tracebacks show). The number of modules compiled."""
    compiled = 0
    seen: set[str] = set()
    with zipfile.ZipFile(target, "w") as out:
        for source in zips:
            with zipfile.ZipFile(source) as z:
                for info in z.infolist():
                    name = info.filename
                    if info.is_dir() or name in seen or "/__pycache__/" in f"/{name}":
                        continue
                    seen.add(name)
                    data = z.read(info)
                    if name.endswith(".py"):
                        _member(out, name + "c", pyc(data, f"{mount}/{name}"))
                        compiled += 1
                    else:
                        _member(out, name, data)
        for module, path in modules.items():
            name = module.replace(".", "/") + ".pyc"
            _member(out, name, pyc(Path(path).read_bytes(), f"{mount}/{name[:-1]}"))
            compiled += 1
    return compiled


def main(argv: list[str]) -> int:
    job: list[dict[str, Any]] = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    for task in job:
        count = pack(task["target"], task["mount"], task.get("zips", []), task.get("modules", {}))
        print(f"{Path(task['target']).name}: {count} modules compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
