"""The folder walk of `leadq check DIR`: `.gitignore` read as git reads it (checked against
git itself), include and exclude globs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadq.cli._paths import Selection, gitignore_rules, ignored, walk

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

FILES = [
    "a.leadq", "b.txt", "keep.leadq", "build/x.leadq", "src/a.leadq", "src/deep/b.leadq", "src/deep/c.log",
    "src/tmp/d.leadq", "docs/e.leadq", "docs/sub/f.leadq", "logs/g.leadq", "x/build/h.leadq", "dir with space/i.leadq",
    "[a].leadq", "#hash.leadq", "!bang.leadq", "trail .leadq",
]  # fmt: skip
GITIGNORES = {
    ".gitignore": "build/\n*.log\n/a.leadq\n!keep.leadq\nsrc/tmp\n\\#hash.leadq\n\\!bang.leadq\n# a comment\n\n",
    "docs/.gitignore": "sub/\n!e.leadq\n*.leadq\n",
    "src/.gitignore": "deep/**/*.leadq\n",
    "logs/.gitignore": "*\n",
}


def _repo(root: Path, files: list[str], gitignores: dict[str, str]) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("site = 1\n", encoding="utf-8")
    for name, text in gitignores.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def _git_kept(root: Path, under: str = "") -> set[str]:
    args = ["git", "ls-files", "--others", "--exclude-standard", "-z"]
    out = subprocess.run(args, cwd=root / under if under else root, capture_output=True, check=True).stdout
    return {p for p in out.decode().split("\0") if p and not p.endswith(".gitignore")}


def _ours(root: Path, under: str = "") -> set[str]:
    folder = root / under if under else root
    selection = Selection(include=("*",), exclude=(".git", ".gitignore"), root=folder)
    return {p.relative_to(folder).as_posix() for p in walk(folder, selection)}


@needs_git
def test_the_walk_keeps_what_git_keeps(tmp_path: Path) -> None:
    _repo(tmp_path, FILES, GITIGNORES)
    assert _ours(tmp_path) == _git_kept(tmp_path)
    assert "a.leadq" not in _ours(tmp_path) and "keep.leadq" in _ours(tmp_path)


@needs_git
@pytest.mark.parametrize("under", ["src", "docs", "src/deep"])
def test_a_walk_from_a_subfolder_reads_the_gitignores_above_it(tmp_path: Path, under: str) -> None:
    _repo(tmp_path, FILES, GITIGNORES)
    assert _ours(tmp_path, under) == _git_kept(tmp_path, under)


_SEGMENTS = st.sampled_from(["a", "b", "x.leadq", "y.log", "build", "[ab]", "c d"])
_PATTERNS = st.sampled_from(
    ["*.log", "build/", "/a", "a/", "**/b", "a/**", "a/**/x.leadq", "!x.leadq", "!build/", "?.leadq", "[ab]",
     "b/x.leadq", "*", "!a", "c d", "\\[ab]", "x.*", "a/*/x.leadq"]
)  # fmt: skip


@needs_git
@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.lists(_SEGMENTS, min_size=1, max_size=3).map("/".join), min_size=1, max_size=8, unique=True),
    st.lists(_PATTERNS, min_size=1, max_size=4),
)
def test_gitignore_patterns_match_as_git_matches_them(tmp_path_factory: pytest.TempPathFactory, files: list[str],
                                                      patterns: list[str]) -> None:  # fmt: skip
    root = tmp_path_factory.mktemp("repo")
    files = [f for f in files if not any(g.startswith(f + "/") for g in files)]  # a path is a file or a folder
    _repo(root, files, {".gitignore": "\n".join(patterns) + "\n"})
    assert _ours(root) == _git_kept(root)


def test_rules_read_escapes_and_folders() -> None:
    rules = gitignore_rules("build/\n\\#x\nlogs/*.log\n!logs/keep.log\n")
    assert ignored(rules, "build", True) and not ignored(rules, "build", False)
    assert ignored(rules, "#x", False)
    assert ignored(rules, "logs/a.log", False) and not ignored(rules, "logs/keep.log", False)
    assert not ignored(rules, "deep/logs/a.log", False)  # a pattern with a slash is anchored


def test_include_and_exclude_globs(tmp_path: Path) -> None:
    for name in ["a.leadq", "b.leadq.json", "c.json", "legacy/d.leadq", "legacy/keep/e.leadq", "f.q.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("site = 1\n", encoding="utf-8")
    found = {p.relative_to(tmp_path).as_posix() for p in walk(tmp_path, Selection(root=tmp_path))}
    assert found == {"a.leadq", "b.leadq.json", "legacy/d.leadq", "legacy/keep/e.leadq"}
    selection = Selection(include=("*.leadq", "*.json"), exclude=("legacy/keep",), root=tmp_path)
    found = {p.relative_to(tmp_path).as_posix() for p in walk(tmp_path, selection)}
    assert found == {"a.leadq", "b.leadq.json", "c.json", "legacy/d.leadq"}
