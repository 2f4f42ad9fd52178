"""The grammar ships inside the wheel and is found by an editable install alike."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

import leadq
from leadq.language.parse import grammar_path

ROOT = Path(__file__).parent.parent


def test_source_tree_uses_the_single_grammar_file() -> None:
    if not (ROOT / "grammar" / "leadq.lark").exists():  # running from an installed wheel
        return
    assert grammar_path() == (ROOT / "grammar" / "leadq.lark").resolve() or grammar_path().samefile(
        ROOT / "grammar" / "leadq.lark"
    )


#: Every name that was ever public: a name once public stays (deprecate, don't break).
EVER_PUBLIC = [
    "compile", "check", "parse", "format", "decompile", "Diagnostic", "LeadqError", "Schema", "LEADS_LIST",
    "LEADS_LIST_ROUTED", "Node", "Criterion", "FieldType", "Severity", "compile_params", "evaluate", "evaluate_q",
    "explain", "plan", "Plan",
    # 0.2.0
    "Analysis", "analyze", "CODES", "Code", "render_diagnostics", "fingerprint",
    "complete", "hover", "Completions", "CompletionItem", "Hover", "check_many", "Checked",
    # 0.2.0: running filters
    "pushdown", "Pushdown", "Client", "AsyncClient", "ApiError",
    # 0.2.0: every list method
    "METHODS", "schema",
    # 0.2.0: fixes as data
    "Fix", "Edit", "Applicability",
]  # fmt: skip


def test_public_api_keeps_every_name_and_documents_each() -> None:
    assert set(EVER_PUBLIC) <= set(leadq.__all__)
    assert set(leadq.__all__) == set(EVER_PUBLIC), "a new public name: add it here and to docs/api.md"
    reference = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert [n for n in leadq.__all__ if f"leadq.{n}" not in reference] == []
    for name in leadq.__all__:
        getattr(leadq, name)  # lazily loaded names load
    assert (Path(leadq.__file__).parent / "py.typed").exists()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The wheel `pip wheel` builds from the checkout, installed alone in a fresh virtual
    environment by this pip (no ensurepip: seconds saved, the same install); the wheel and
    the environment's python. Built by the build backend, hatchling, directly: the same
    bytes as `pip wheel`, which first makes an isolated build environment for it (2 s more;
    the pre-commit test builds leadq that way)."""
    tmp = tmp_path_factory.mktemp("packaging")
    dist = tmp / "dist"
    subprocess.run(
        [sys.executable, "-c", "import sys, hatchling.build as b; b.build_wheel(sys.argv[1])", str(dist)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    (wheel,) = dist.glob("leadq-*.whl")
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return wheel, python


@pytest.mark.long
def test_wheel_installs_and_compiles_in_a_fresh_venv(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, python = built
    out = subprocess.run(
        [
            str(python),
            "-c",
            "import leadq, leadq.language.parse as p, leadq.cli._rules as r\n"
            "print(leadq.compile('result=missed and site in (1,2)'))\n"
            "print(p.grammar_path())\n"
            "print(r.rule_sections()['E402'].splitlines()[2])",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the source tree: the grammar must come from the wheel
    )
    q, where, rule = out.stdout.splitlines()
    assert q == "site_ids=1,2 result=missed"
    assert rule.startswith("The filter is no single conjunction")  # docs/diagnostics.md ships in the wheel
    assert "site-packages" in where and where.endswith(os.path.join("leadq", "grammar", "leadq.lark"))


@pytest.mark.long
def test_the_install_commands_of_the_docs_and_of_the_messages_work(built: tuple[Path, Path], tmp_path: Path) -> None:
    """No package index has leadq: the docs say to install a built wheel with its extras,
    and a command that misses an extra says what to install. Both commands, as written
    (run by this pip into the test's environment)."""
    import re
    import shlex

    wheel, python = built
    bin_dir = python.parent
    docs = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    documented = re.search(r"pip install '\./dist/(leadq-[^']+\.whl)\[client\]'", docs)
    assert documented is not None and documented.group(1) == wheel.name  # the docs name the wheel built
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    installed = subprocess.run([*pip, "install", "-q", f"{wheel}[client]"], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    has_httpx = [str(python), "-c", "import leadq; leadq.Client"]
    assert subprocess.run(has_httpx, capture_output=True).returncode == 0
    subprocess.run([*pip, "uninstall", "-q", "-y", "httpx"], check=True, capture_output=True)
    fetched = subprocess.run(
        [str(bin_dir / "leadq"), "fetch", "--token", "t", "--base-url", "http://127.0.0.1:9", "site = 1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert fetched.returncode == 2 and "Traceback" not in fetched.stderr
    probed = subprocess.run(
        [str(bin_dir / "leadq"), "probe", "--base-url", "http://127.0.0.1:9"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "LIVETEX_TOKEN": "t"},
    )
    assert probed.returncode == 2 and "Traceback" not in probed.stderr
    assert "leadq probe needs httpx: " in probed.stderr and "pip install" in probed.stderr
    said = re.search(r"(pip install (?:'[^']+' ?)+)", fetched.stderr)
    assert said is not None, fetched.stderr
    told = subprocess.run([*pip, *shlex.split(said.group(1).strip())[1:]], capture_output=True, text=True)
    assert told.returncode == 0, told.stderr
    assert subprocess.run(has_httpx, capture_output=True).returncode == 0


def test_generated_tables_match_the_grammar() -> None:
    """leadq/language/tables.py is Lark's analysis of grammar/leadq.lark; regenerate it with
    `python grammar/generate.py` after changing the grammar (the same check as
    `python grammar/generate.py --check`)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "grammar" / "generate.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
