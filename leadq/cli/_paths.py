"""The files `leadq check` and `leadq format` read, as ruff finds its own: a path named on
the command line is read as it is; a folder is walked for the files its `include` globs
name, without those `exclude` names and those `.gitignore` ignores.

Globs without a `/` match a file's or a folder's name (`*.leadq`, `build`); with one, its
path from the project's root (the configuration file's folder, else the current one).
`.gitignore` files are read as git reads them: in every folder from the repository's root
(the nearest folder above that holds `.git`) down, with `.git/info/exclude`; the last
pattern that matches a path decides, and a folder ignored hides everything in it.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs

#: What a folder is walked for: the files of saved filters (the pre-commit hook's pattern).
DEFAULT_INCLUDE = ("*.leadq", "*.leadq.txt", "*.leadq.json", "*.leadq.toml", "*.leadq.csv")
#: ... and with `--q`, files of raw q strings.
DEFAULT_INCLUDE_Q = ("*.q.txt",)
#: Folders never walked into, as ruff's defaults.
DEFAULT_EXCLUDE = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".mypy_cache", ".nox", ".pants.d", ".pytype",
    ".ruff_cache", ".svn", ".tox", ".venv", "__pypackages__", "_build", "buck-out", "dist", "node_modules",
    "site-packages", "venv",
)  # fmt: skip


@attrs.frozen
class Rule:
    """One pattern of a `.gitignore` file."""

    pattern: re.Pattern[str]
    negated: bool
    folders_only: bool
    base: str = ""  # the folder of the .gitignore, relative to the walk's root ("" for the root)
    above: str = ""  # for a .gitignore above the walk's root: the root, seen from its folder, and "/"


def gitignore_rules(text: str, base: str = "") -> list[Rule]:
    """The rules of a `.gitignore` file in folder `base` (posix, relative to the root)."""
    rules = []
    for raw in text.splitlines():
        line = _strip_trailing_spaces(raw.removesuffix("\r"))
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        if negated or line.startswith(("\\!", "\\#")):
            line = line[1:]
        folders_only = line.endswith("/") and not line.endswith("\\/")
        line = line.rstrip("/") if folders_only else line
        if not line:
            continue
        anchored = "/" in line
        line = line.removeprefix("/")
        body = _glob_regex(line)
        source = body if anchored else f"(?:.*/)?{body}"
        rules.append(Rule(re.compile(f"^{source}$", re.S), negated, folders_only, base))
    return rules


def _strip_trailing_spaces(line: str) -> str:
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        return stripped + " "  # an escaped space stays
    return stripped


def _glob_regex(glob: str) -> str:
    """A gitignore glob as a regular expression over a posix path."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        if glob.startswith("**/", i) and (i == 0 or glob[i - 1] == "/"):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i) and i + 2 == n and (i == 0 or glob[i - 1] == "/"):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[":
            end = glob.find("]", i + 2 if glob.startswith(("[!", "[^"), i) else i + 1)
            if end < 0:
                out.append(re.escape("["))
                i += 1
                continue
            inner = glob[i + 1 : end]
            if inner.startswith("!"):
                inner = "^" + inner[1:]
            out.append("[" + inner.replace("\\", "\\\\") + "]")
            i = end + 1
        elif glob[i] == "\\" and i + 1 < n:
            out.append(re.escape(glob[i + 1]))
            i += 2
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)


def ignored(rules: Sequence[Rule], path: str, is_folder: bool) -> bool:
    """Whether the last of `rules` that matches `path` (posix, from the root) ignores it."""
    verdict = False
    for rule in rules:
        if rule.folders_only and not is_folder:
            continue
        if rule.base:
            if not path.startswith(rule.base + "/"):
                continue
            relative = path[len(rule.base) + 1 :]
        else:
            relative = rule.above + path
        if rule.pattern.match(relative):
            verdict = not rule.negated
    return verdict


@attrs.frozen
class Selection:
    """What a walk keeps: include and exclude globs, and whether `.gitignore` counts."""

    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    respect_gitignore: bool = True
    root: Path = attrs.field(factory=Path.cwd)

    def matches(self, globs: Sequence[str], path: Path) -> bool:
        try:
            relative = path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            relative = path.as_posix()
        return any(
            fnmatch.fnmatchcase(path.name, g) if "/" not in g else fnmatch.fnmatchcase(relative, g.lstrip("/"))
            for g in globs
        )


def walk(folder: Path, selection: Selection) -> Iterator[Path]:
    """The files under `folder` that `selection` keeps, in a stable order."""
    rules: list[Rule] = _outer_rules(folder) if selection.respect_gitignore else []
    yield from _walk(folder, "", rules, selection)


def _walk(folder: Path, relative: str, rules: list[Rule], selection: Selection) -> Iterator[Path]:
    if selection.respect_gitignore:
        own = folder / ".gitignore"
        if own.is_file():
            rules = [*rules, *gitignore_rules(_read_text(own), relative)]
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        inner = f"{relative}/{entry.name}" if relative else entry.name
        is_folder = entry.is_dir()
        if selection.respect_gitignore and ignored(rules, inner, is_folder):
            continue
        if selection.matches(selection.exclude, path):
            continue
        if is_folder:
            yield from _walk(path, inner, rules, selection)
        elif selection.matches(selection.include, path):
            yield path


def _outer_rules(folder: Path) -> list[Rule]:
    """The rules of `.git/info/exclude` and of the `.gitignore` files above `folder`, up to
    its repository's root, over paths relative to `folder`."""
    folder = folder.resolve()
    chain = [folder, *folder.parents]
    root = next((f for f in chain if (f / ".git").exists()), None)
    if root is None:
        return []
    sources = [(root / ".git" / "info" / "exclude", root)]
    sources += [(f / ".gitignore", f) for f in reversed(chain[1 : chain.index(root) + 1])]
    rules: list[Rule] = []
    for path, owner in sources:
        if path.is_file():
            above = folder.relative_to(owner).as_posix() + "/" if folder != owner else ""
            rules += [attrs.evolve(r, above=above) for r in gitignore_rules(_read_text(path))]
    return rules


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
