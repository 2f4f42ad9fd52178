"""The playground page in a real browser: Debian's Chromium, driven by Playwright, against
the docs site built by `mkdocs build` and served on 127.0.0.1 by the test.

Where Chromium, Playwright, mkdocs or the playground's npm packages are missing, these
tests skip and say which; with LEADQ_REQUIRE_BROWSER=1 (set by .ci/run) they fail instead.
A screenshot of each state goes to tests/artifacts/playground/.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "playground"))
import harness  # noqa: E402

ARTIFACTS = ROOT / "tests" / "artifacts" / "playground"

_why = harness.missing()
if _why is not None and os.environ.get("LEADQ_REQUIRE_BROWSER") == "1":
    raise RuntimeError(f"the playground's browser tests cannot run: {_why}")
pytestmark = pytest.mark.skipif(_why is not None, reason=f"playground browser tests: {_why}")


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = harness.build_site(tmp_path_factory.mktemp("site"))
    with harness.serve(site) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with harness.chromium() as b:
        yield b


@pytest.fixture
def page(browser: Any, url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    harness.load(page, url)
    yield page
    context.close()
    assert errors == [], errors


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def type_filter(page: Any, text: str) -> None:
    page.click(".cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text, delay=5)
    page.keyboard.press("Escape")  # close a completion that typing opened


def q_of(page: Any, expected: str) -> str:
    page.wait_for_function("want => document.getElementById('pg-q').textContent === want", arg=expected, timeout=10_000)
    return str(page.inner_text("#pg-q"))


def test_type_a_filter_and_see_the_q(page: Any) -> None:
    type_filter(page, "result = missed and site in (1, 2)")
    assert q_of(page, "site_ids=1,2 result=missed") == "site_ids=1,2 result=missed"
    assert page.inner_text("#pg-url") == "https://web-api.livetex.ru/leads/list?q=site_ids%3D1%2C2%20result%3Dmissed"
    assert json.loads(page.inner_text("#pg-params")) == {"q": "site_ids=1,2 result=missed"}
    assert "site_ids: one of 1, 2" in page.inner_text("#pg-explain")
    shot(page, "1-filter-and-q")


def test_a_typo_shows_the_diagnostic_its_hint_and_the_fix(page: Any) -> None:
    type_filter(page, "sitte = 1 and result = missed")
    item = page.wait_for_selector('#pg-diagnostics li[data-code="E201"]')
    assert "unknown field `sitte` in Leads.list" in item.inner_text()
    assert "hint: did you mean `site`?" in item.inner_text()
    assert page.inner_text("#pg-q") == "(does not compile)"
    underline = page.wait_for_selector(".cm-lintRange-error")
    assert underline.inner_text() == "sitte"
    underline.hover()
    tooltip = page.wait_for_selector(".cm-tooltip-lint")
    assert "E201 unknown field `sitte`" in tooltip.inner_text()
    shot(page, "2-typo-diagnostic")
    if os.environ.get("LEADQ_UPDATE_SCREENSHOT") == "1":
        page.screenshot(path=str(ROOT / "docs" / "img" / "playground.png"), clip=_clip(page))
    page.click("#pg-diagnostics .pg-fix")
    assert q_of(page, "site_ids=1 result=missed") == "site_ids=1 result=missed"
    assert page.inner_text(".cm-content") == "site = 1 and result = missed"
    assert page.query_selector("#pg-diagnostics li") is None
    shot(page, "3-fixed")


def _clip(page: Any) -> dict[str, float]:
    box = page.query_selector("#leadq-playground").bounding_box()
    return {"x": box["x"] - 10, "y": box["y"] - 10, "width": box["width"] + 20, "height": 420}


def test_accept_a_completion(page: Any) -> None:
    type_filter(page, "site = 1 and res")
    page.keyboard.press("Control+Space")
    option = page.wait_for_selector(".cm-tooltip-autocomplete li[aria-selected='true']")
    assert option.inner_text().startswith("result")
    shot(page, "4-completion")
    page.wait_for_timeout(150)  # CodeMirror takes no key for 75 ms after it shows a list
    page.keyboard.press("Enter")
    assert page.inner_text(".cm-content") == "site = 1 and result "
    page.keyboard.type("= mi")
    page.keyboard.press("Control+Space")
    option = page.wait_for_selector(".cm-tooltip-autocomplete li[aria-selected='true']")
    assert option.inner_text().startswith("missed")
    page.wait_for_timeout(150)
    page.keyboard.press("Enter")
    assert q_of(page, "site_ids=1 result=missed") == "site_ids=1 result=missed"


def test_hover_explains(page: Any) -> None:
    type_filter(page, "site = 1 and created_at = 2024-01-31")
    at = page.evaluate("() => window.leadqPlayground.view.coordsAtPos(2)")  # inside `site`
    page.mouse.move(at["left"] + 2, at["top"] + 4)
    page.mouse.move(at["left"] + 3, at["top"] + 5)
    tip = page.wait_for_selector(".pg-hover")
    assert "site_ids" in tip.inner_text()


def test_a_plan_when_one_q_is_not_enough(page: Any) -> None:
    type_filter(page, "type = form or result = missed")
    plan = page.wait_for_selector("#pg-plan:not([hidden])")
    assert plan.inner_text() == "2 requests (merge them by lead id):\n  q: type=form\n  q: result=missed"
    assert "E402" in page.inner_text("#pg-diagnostics")


def test_the_url_holds_the_filter_and_a_shared_link_restores_it(page: Any, browser: Any, url: str) -> None:
    page.select_option("#pg-method", "Leads.listRouted")
    type_filter(page, "creator_type = visitor")
    q_of(page, "creator_type=visitor")
    shared = page.url
    assert "method=Leads.listRouted" in shared and "filter=creator_type" in shared
    other = browser.new_page()
    harness.load(other, shared)
    assert other.inner_text(".cm-content") == "creator_type = visitor"
    assert other.input_value("#pg-method") == "Leads.listRouted"
    assert q_of(other, "creator_type=visitor") == "creator_type=visitor"
    shot(other, "5-shared-link")
    other.close()


def test_paste_a_q_and_see_the_filter(page: Any) -> None:
    page.click("[data-mode=q]")
    page.fill("#pg-q-input", "site_ids=1,2 result=missed created_at>=2024-01-01T00:00:00")
    page.wait_for_function("document.getElementById('pg-filter').textContent.startsWith('site in')")
    assert page.inner_text("#pg-filter") == "site in (1, 2) and result = missed and created_at >= 2024-01-01T00:00:00"
    assert "mode=q" in page.url
    page.fill("#pg-q-input", "foo=1")
    item = page.wait_for_selector('#pg-q-diagnostics li[data-code="E501"]')
    assert "foo" in item.inner_text()
    shot(page, "6-q-to-filter")


def test_works_with_the_network_cut_off_once_loaded(page: Any) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.context.set_offline(True)
    type_filter(page, "duration > 60 and phone_exists")
    assert q_of(page, "duration>=61 phone_exists=true") == "duration>=61 phone_exists=true"
    # Chromium asks for the theme's favicon again when the address changes; nothing else
    assert {r.rsplit("/", 1)[1] for r in requests} <= {"favicon.png"}, requests


def test_load_time_is_recorded(browser: Any, url: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    start = time.monotonic()
    in_page = harness.load(page, url)
    wall = (time.monotonic() - start) * 1000
    context.close()
    assert 0 < in_page <= wall
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps({"page_ms": in_page, "wall_ms": wall}), encoding="utf-8")


def test_examples_and_the_role_selector(page: Any) -> None:
    page.select_option("#pg-examples", label="Several requests (a plan)")
    assert page.inner_text(".cm-content") == "type = form or result = missed"
    page.wait_for_selector("#pg-plan:not([hidden])")
    type_filter(page, 'text contains "a"')
    q_of(page, "text=a")
    assert page.query_selector('#pg-diagnostics li[data-code="W606"]') is None
    page.select_option("#pg-role", "operator")
    item = page.wait_for_selector('#pg-diagnostics li[data-code="W606"]')
    assert "operator" in item.inner_text()
    assert "role=operator" in page.url
