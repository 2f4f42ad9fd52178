"""The playground page in a real browser: Debian's Chromium, driven by Playwright, against
the docs site built by `mkdocs build` and served on 127.0.0.1 by the test.

Where Chromium, Playwright, mkdocs or the playground's npm packages are missing, these
tests skip and say which; with LEADQ_REQUIRE_BROWSER=1 (set by .ci/run) they fail instead.
A screenshot of each state goes to tests/artifacts/playground/; the screenshots in the docs
(docs/img/playground-*.png) are written by test_screenshots_for_the_docs.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "playground"))
sys.path.insert(0, str(ROOT / "playground" / "src"))
import bridge  # noqa: E402
import harness  # noqa: E402

ARTIFACTS = ROOT / "tests" / "artifacts" / "playground"
DOCS_IMAGES = ROOT / "docs" / "img"

_why = harness.missing()
if _why is not None and os.environ.get("LEADQ_REQUIRE_BROWSER") == "1":
    raise RuntimeError(f"the playground's browser tests cannot run: {_why}")
pytestmark = [
    pytest.mark.skipif(_why is not None, reason=f"playground browser tests: {_why}"),
    pytest.mark.xdist_group("browser"),  # one worker: one Chromium, one loaded page
]


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with harness.serve(_site(tmp_path_factory)) as address:
        yield address


def _site(factory: pytest.TempPathFactory) -> Path:
    """The docs site, built once per run: the xdist workers share it, the first builds it."""
    from filelock import FileLock

    shared = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's directory, above each worker's own
    site = shared / "docs-site"
    with FileLock(str(shared / "docs-site.lock")):
        if not site.is_dir():
            harness.build_site(shared / "docs-site.partial").rename(site)
    return site


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with harness.chromium() as b:
        yield b


def open_page(browser: Any, address: str, **options: Any) -> tuple[Any, list[str]]:
    options.setdefault("viewport", {"width": 1100, "height": 900})
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"], **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


@pytest.fixture(scope="module")
def loaded(browser: Any, url: str) -> Iterator[tuple[Any, list[str], str]]:
    """One loaded page for the module's tests (each worker's), with its errors and the
    filter it opened with: loading Pyodide and leadq takes seconds, a reset a moment."""
    page, errors = open_page(browser, url)
    page.add_init_script(STATUS_RECORDER)  # for the stages test: what the status line said
    harness.load(page, url)
    yield page, errors, editor_text(page)
    page.context.close()


#: Records each text the status line shows while the page loads, in window.__status.
STATUS_RECORDER = """window.__status = [];
new MutationObserver(() => {
  const t = document.getElementById('pg-status-text');
  if (t && window.__status.at(-1) !== t.textContent) window.__status.push(t.textContent);
}).observe(document, {subtree: true, childList: true, characterData: true});"""


@pytest.fixture
def page(loaded: tuple[Any, list[str], str]) -> Iterator[Any]:
    """The module's page as it opened: the filter mode, Leads.list, any role, the first
    example in the editor, no q, the default size; no tooltip open, nothing scrolled."""
    page, errors, first = loaded
    errors.clear()
    reset(page, first)
    yield page
    assert errors == [], errors


def palette(page: Any, scheme: str) -> None:
    """The docs' colour scheme (`default` or `slate`), chosen as their theme toggle does."""
    page.evaluate(
        "s => { const i = document.querySelector(`input[name='__palette'][data-md-color-scheme='${s}']`);"
        " if (document.body.getAttribute('data-md-color-scheme') !== s) i.click() }",
        scheme,
    )
    page.wait_for_function("s => document.body.getAttribute('data-md-color-scheme') === s", arg=scheme)


def reset(page: Any, text: str) -> None:
    page.keyboard.press("Escape")
    page.mouse.move(0, 0)
    page.set_viewport_size({"width": 1100, "height": 900})
    page.emulate_media(color_scheme="light")
    palette(page, "default")
    page.evaluate(
        """() => {
        const choose = (id, value) => {
          const menu = document.getElementById(id);
          if (menu.value !== value) { menu.value = value; menu.dispatchEvent(new Event("change")); }
        };
        document.querySelector("[data-mode=filter]").click();
        choose("pg-method", "Leads.list");
        choose("pg-role", "");
        const q = document.getElementById("pg-q-input");
        if (q.value) { q.value = ""; q.dispatchEvent(new Event("input")); }
        document.activeElement.blur();
        window.scrollTo(0, 0);
      }"""
    )
    set_filter(page, text)
    settled(page)


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def type_filter(page: Any, text: str) -> None:
    """The filter typed key by key, as a person types it (each key is checked again: the
    tests whose subject is not typing paste with `set_filter`)."""
    page.click(".cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text, delay=5)
    page.keyboard.press("Escape")  # close a completion that typing opened


def set_filter(page: Any, text: str) -> None:
    """The whole filter at once, as a paste would put it (typing astral characters one key
    at a time is not what a person does either)."""
    page.evaluate(
        "text => { const v = window.leadqPlayground.view;"
        " v.dispatch({changes: {from: 0, to: v.state.doc.length, insert: text}}) }",
        text,
    )


def settled(page: Any) -> None:
    """Wait until the panels show the answer for what is in the editor now (leadq answers
    from a worker, a moment after each change)."""
    page.wait_for_function(
        "() => { const p = window.leadqPlayground; return p.shown && p.shown[0] === p.view.state.doc.toString() }",
        timeout=10_000,
    )


def q_of(page: Any, expected: str) -> str:
    page.wait_for_function("want => document.getElementById('pg-q').textContent === want", arg=expected, timeout=10_000)
    return str(page.inner_text("#pg-q"))


def editor_text(page: Any) -> str:
    return str(page.evaluate("() => window.leadqPlayground.view.state.doc.toString()"))


def selected_text(page: Any) -> str:
    return str(
        page.evaluate(
            "() => { const s = window.leadqPlayground.view.state;"
            " return s.sliceDoc(s.selection.main.from, s.selection.main.to) }"
        )
    )


def clipboard(page: Any) -> str:
    return str(page.evaluate("() => navigator.clipboard.readText()"))


# -- the first answer ------------------------------------------------------------------------------


def test_type_a_filter_and_see_the_q_the_request_and_the_explanation(page: Any) -> None:
    type_filter(page, "result = missed and site in (1, 2)")
    assert q_of(page, "site_ids=1,2 result=missed") == "site_ids=1,2 result=missed"
    settled(page)
    url = "https://web-api.livetex.ru/leads/list?q=site_ids%3D1%2C2%20result%3Dmissed"
    assert page.inner_text("#pg-requests .pg-url") == url
    assert page.inner_text("#pg-requests .pg-params dt") == "q"
    assert page.inner_text("#pg-requests .pg-params dd") == "site_ids=1,2 result=missed"
    rows = page.eval_on_selector_all(
        ".pg-fields tbody tr", "rows => rows.map(r => [r.cells[0].innerText, r.cells[1].innerText])"
    )
    assert rows == [["site_ids", "one of 1, 2"], ["result", "= missed"]]
    assert "check nothing here: the API answers exactly" in page.inner_text(".pg-run")
    assert page.is_hidden("#pg-plan-panel")
    assert page.inner_text("#pg-diagnostics") == "No problems."
    page.click("#pg-requests .pg-copy")
    assert clipboard(page) == url
    page.click("#pg-q-copy")
    assert clipboard(page) == "site_ids=1,2 result=missed"
    shot(page, "1-filter-and-q")


def test_stages_are_marked_in_order_and_the_progress_line_showed_them(loaded: tuple[Any, list[str], str]) -> None:
    page, _, _ = loaded  # how the shared page loaded: marks and statuses stay after it
    marks = page.evaluate("() => performance.getEntriesByType('mark').map(m => [m.name, m.startTime])")
    names = [n for n, _ in marks]
    assert names == ["leadq:start", "leadq:fetched", "leadq:python", "leadq:leadq", "leadq:answer"]
    times = [t for _, t in marks]
    assert times == sorted(times)
    seen = page.evaluate("() => window.__status")
    # the stages, then ready (a link pasted later into the page says ready again)
    ready = next(i for i, t in enumerate(seen) if t.startswith("leadq "))
    assert seen.index("Importing leadq…") < ready, seen
    assert all(t.startswith("leadq ") for t in seen[ready:]), seen
    assert page.is_hidden("#pg-progress")


# -- diagnostics and fixes --------------------------------------------------------------------------


def test_a_typo_shows_the_diagnostic_its_hint_and_the_fix(page: Any) -> None:
    set_filter(page, "sitte = 1 and result = missed")
    settled(page)
    item = page.wait_for_selector('#pg-diagnostics li[data-code="E201"]')
    assert "unknown field sitte in Leads.list" in item.inner_text()
    assert "hint: did you mean site?" in item.inner_text()
    assert page.inner_text("#pg-q") == "(does not compile)"
    underline = page.wait_for_selector(".cm-lintRange-error")
    assert underline.inner_text() == "sitte"
    underline.hover()
    tooltip = page.wait_for_selector(".cm-tooltip-lint")
    assert "E201 unknown field `sitte`" in tooltip.inner_text()
    shot(page, "2-typo-diagnostic")
    page.click("#pg-diagnostics .pg-fix")
    assert q_of(page, "site_ids=1 result=missed") == "site_ids=1 result=missed"
    assert editor_text(page) == "site = 1 and result = missed"
    assert page.query_selector("#pg-diagnostics li.pg-diagnostic") is None
    shot(page, "3-fixed")


@pytest.mark.parametrize(
    ("text", "code", "title", "safe", "fixed"),
    [
        # a removal: the fix's edit replaces a stretch with nothing
        ("site in (1, 1, 2)", "W604", "Remove the repeated 1", True, "site in (1, 2)"),
        # a habit of another language, fixed safely, and one whose fix is a guess
        ("result = missed && site = 1", "E101", "Write and", True, "result = missed and site = 1"),
        ("created_at = 01.02.2024", "E101", "Write 2024-02-01", False, "created_at = 2024-02-01"),
    ],
)
def test_each_fix_leadq_knows_is_a_button(page: Any, text: str, code: str, title: str, safe: bool, fixed: str) -> None:
    set_filter(page, text)
    settled(page)
    button = page.wait_for_selector(f'#pg-diagnostics li[data-code="{code}"] .pg-fix')
    assert button.inner_text() == title
    assert ("pg-unsafe" not in (button.get_attribute("class") or "")) is safe
    button.click()
    page.wait_for_function("want => window.leadqPlayground.view.state.doc.toString() === want", arg=fixed)
    settled(page)
    assert page.query_selector(f'#pg-diagnostics li[data-code="{code}"]') is None
    page.keyboard.press("Control+z")  # one fix, one undo step
    page.wait_for_function("want => window.leadqPlayground.view.state.doc.toString() === want", arg=text)


# Emoji and other characters outside the Basic Multilingual Plane: two UTF-16 code units in
# the page, one code point in leadq. (filter, code, the text underlined, the filter after the
# fix or None when there is no fix)
ASTRAL_CASES = [
    ('text contains "🚚" and reslt = missed', "E201", "reslt", 'text contains "🚚" and result = missed'),
    ('text contains "😀😀"\nand sitte = 1', "E201", "sitte", 'text contains "😀😀"\nand site = 1'),
    ('enter_page = "𠀀𝄞" and result = mised', "E302", "mised", 'enter_page = "𠀀𝄞" and result = missed'),
    ('site = 1 and text = "🚚𝄞"', "E202", 'text = "🚚𝄞"', None),
    (
        'text contains "👍🏽" and type = fax and sitte = 2',
        "E201",
        "sitte",
        'text contains "👍🏽" and type = fax and site = 2',
    ),
]


@pytest.mark.parametrize(("text", "code", "underlined", "fixed"), ASTRAL_CASES)
def test_astral_characters_before_and_inside_a_diagnostic(
    page: Any, text: str, code: str, underlined: str, fixed: str | None
) -> None:
    set_filter(page, text)
    settled(page)
    ranges = page.eval_on_selector_all(".cm-lintRange", "rs => rs.map(r => r.innerText)")
    assert underlined in ranges
    page.click(f'#pg-diagnostics li[data-code="{code}"] .pg-where')
    assert selected_text(page) == underlined
    if fixed is None:
        assert page.query_selector(f'#pg-diagnostics li[data-code="{code}"] .pg-fix') is None
        return
    page.click(f'#pg-diagnostics li[data-code="{code}"] .pg-fix')
    page.wait_for_function("want => window.leadqPlayground.view.state.doc.toString() === want", arg=fixed)
    settled(page)
    assert page.query_selector(f'#pg-diagnostics li[data-code="{code}"]') is None


def test_the_lint_tooltips_fix_after_an_emoji(page: Any) -> None:
    set_filter(page, 'text contains "🚚" and reslt = missed')
    settled(page)
    underline = page.wait_for_selector(".cm-lintRange-error")
    assert underline.inner_text() == "reslt"
    underline.hover()
    page.click(".cm-tooltip-lint .cm-diagnosticAction")
    assert q_of(page, "result=missed text=🚚") == "result=missed text=🚚"
    assert editor_text(page) == 'text contains "🚚" and result = missed'


def test_completion_after_an_emoji(page: Any) -> None:
    set_filter(page, 'text contains "🚚" and ')
    page.click(".cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.type("res")
    page.keyboard.press("Control+Space")
    option = page.wait_for_selector(".cm-tooltip-autocomplete li[aria-selected='true']")
    assert option.inner_text().startswith("result")
    page.wait_for_timeout(150)  # CodeMirror takes no key for 75 ms after it shows a list
    page.keyboard.press("Enter")
    assert editor_text(page) == 'text contains "🚚" and result '
    page.keyboard.type("= mi")
    page.keyboard.press("Control+Space")
    option = page.wait_for_selector(".cm-tooltip-autocomplete li[aria-selected='true']")
    assert option.inner_text().startswith("missed")
    page.wait_for_timeout(150)
    page.keyboard.press("Enter")
    assert q_of(page, "result=missed text=🚚") == "result=missed text=🚚"


def test_completion_of_a_value_with_an_astral_character_before_the_cursor(page: Any) -> None:
    set_filter(page, 'text contains "𝄞🚚" and type = ')
    page.click(".cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".cm-tooltip-autocomplete li[aria-selected='true']")
    page.wait_for_timeout(150)
    page.keyboard.press("Enter")
    text = editor_text(page)
    assert text.startswith('text contains "𝄞🚚" and type = ') and len(text) > len('text contains "𝄞🚚" and type = ')
    assert page.evaluate("() => window.leadqPlayground.view.state.selection.main.head") == page.evaluate(
        "() => window.leadqPlayground.view.state.doc.length"
    )


def hover_at(page: Any, offset: int) -> Any:
    at = page.evaluate(f"() => window.leadqPlayground.view.coordsAtPos({offset})")
    page.mouse.move(at["left"] + 2, at["top"] + 4)
    page.mouse.move(at["left"] + 3, at["top"] + 5)
    return page.wait_for_selector(".pg-hover")


def test_hover_explains(page: Any) -> None:
    set_filter(page, "site = 1 and created_at = 2024-01-31")
    settled(page)
    assert "site_ids" in hover_at(page, 2).inner_text()  # inside `site`


def test_hover_after_astral_characters(page: Any) -> None:
    text = 'text contains "🚚𠀀" and duration > 5'
    set_filter(page, text)
    q_of(page, "duration>=6 text=🚚𠀀")
    offset = len(text[: text.index("duration") + 3].encode("utf-16-le")) // 2  # inside `duration`
    assert "duration" in hover_at(page, offset).inner_text()


# -- the method menu ---------------------------------------------------------------------------------


def test_the_method_menu_is_the_registry_grouped_by_resource(page: Any) -> None:
    groups = page.eval_on_selector_all(
        "#pg-method optgroup", "gs => gs.map(g => [g.label, [...g.children].map(o => o.value)])"
    )
    expected = [[group["resource"], group["methods"]] for group in json.loads(bridge.methods())["groups"]]
    assert groups == expected
    assert [name for _, names in groups for name in names] == list(bridge.registry())
    assert page.input_value("#pg-method") == "Leads.list"
    roles = page.eval_on_selector_all("#pg-role option", "os => os.map(o => o.value)")
    assert roles == ["", *bridge.registry()["Leads.list"].roles]


def test_completion_hover_and_diagnostics_follow_the_method(page: Any) -> None:
    set_filter(page, "creator_type = visitor")
    settled(page)
    page.wait_for_selector('#pg-diagnostics li[data-code="E201"]')
    page.select_option("#pg-method", "Leads.listRouted")
    assert q_of(page, "creator_type=visitor") == "creator_type=visitor"
    assert "method=Leads.listRouted" in page.url
    assert "leads/listRouted?q=creator_type" in page.inner_text("#pg-requests .pg-url")
    assert "creator_type" in hover_at(page, 3).inner_text()
    set_filter(page, "creator_t")
    page.click(".cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.press("Control+Space")
    option = page.wait_for_selector(".cm-tooltip-autocomplete li[aria-selected='true']")
    assert option.inner_text().startswith("creator_type")
    page.keyboard.press("Escape")
    page.select_option("#pg-method", "Leads.list")
    page.click(".cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.press("Control+Space")
    page.wait_for_timeout(300)
    labels = page.eval_on_selector_all(".cm-tooltip-autocomplete li", "ls => ls.map(l => l.innerText)")
    assert not any(label.startswith("creator_type") for label in labels)


def test_the_url_holds_the_filter_and_the_method_and_a_shared_link_restores_them(
    page: Any, browser: Any, url: str
) -> None:
    page.select_option("#pg-method", "Leads.listRouted")
    set_filter(page, "creator_type = visitor")
    q_of(page, "creator_type=visitor")
    page.click("#leadq-playground .pg-statusbar .pg-copy")
    shared = clipboard(page)
    assert shared == page.url
    assert "method=Leads.listRouted" in shared and "filter=creator_type" in shared
    other, errors = open_page(browser, url)
    harness.load(other, shared)
    assert other.inner_text(".cm-content") == "creator_type = visitor"
    assert other.input_value("#pg-method") == "Leads.listRouted"
    assert q_of(other, "creator_type=visitor") == "creator_type=visitor"
    shot(other, "5-shared-link")
    other.context.close()
    assert errors == []


def test_a_link_to_an_unknown_method_opens_the_default_and_says_so(page: Any) -> None:
    # pasted into the open page's address bar: only the hash changes, the page stays
    page.evaluate("h => { location.hash = h }", f"method=Nope.list&filter={quote('site = 1')}")
    assert q_of(page, "site_ids=1") == "site_ids=1"
    assert page.input_value("#pg-method") == "Leads.list"
    assert editor_text(page) == "site = 1"
    assert "There is no method Nope.list: showing Leads.list." in page.inner_text("#pg-status")
    assert "method=Leads.list&" in page.url
    # a link to a method leadq has, with a role and in the q mode: taken whole
    page.evaluate("h => { location.hash = h }", f"mode=q&method=Leads.listRouted&role=operator&q={quote('site_ids=3')}")
    page.wait_for_function("() => document.getElementById('pg-q-input').value === 'site_ids=3'")
    assert page.input_value("#pg-method") == "Leads.listRouted"
    assert page.input_value("#pg-role") == "operator"
    assert page.is_hidden("#pg-filter-mode") and page.is_visible("#pg-q-mode")
    assert page.inner_text("#pg-filter") == "site = 3"
    assert "There is no method" not in page.inner_text("#pg-status")
    assert editor_text(page) == "result = missed and site in (1, 2) and phone_exists"  # the link had no filter


# -- plans and explanations ------------------------------------------------------------------------------


def test_a_plan_shows_a_url_per_request_each_with_its_copy_button(page: Any) -> None:
    set_filter(page, "type = form or result = missed")
    settled(page)
    page.wait_for_selector("#pg-plan-panel:not([hidden])")
    assert page.eval_on_selector_all("#pg-plan code", "cs => cs.map(c => c.innerText)") == [
        "type=form",
        "result=missed",
    ]
    assert "merge their results by id" in page.inner_text("#pg-plan-summary")
    urls = page.eval_on_selector_all("#pg-requests .pg-url", "us => us.map(u => u.innerText)")
    assert urls == [
        "https://web-api.livetex.ru/leads/list?q=type%3Dform",
        "https://web-api.livetex.ru/leads/list?q=result%3Dmissed",
    ]
    buttons = page.query_selector_all("#pg-requests .pg-copy")
    assert len(buttons) == 2
    buttons[1].click()
    assert clipboard(page) == urls[1]
    assert "E402" in page.inner_text("#pg-diagnostics")
    assert page.inner_text("#pg-q").startswith("(no single q")


def test_a_contradiction_is_named_pair_by_pair(page: Any) -> None:
    text = 'text contains "🚚" and result = missed and result = completed'
    set_filter(page, text)
    settled(page)
    page.wait_for_selector(".pg-contradiction")
    pieces = page.eval_on_selector_all(".pg-contradiction .pg-piece", "ps => ps.map(p => p.innerText)")
    # columns count characters as leadq does: the emoji is one
    columns = [text.index("result = missed") + 1, text.index("result = completed") + 1]
    assert pieces == [f"result = missed 1:{columns[0]}", f"result = completed 1:{columns[1]}"]
    page.click(".pg-contradiction .pg-piece >> nth=1")
    assert selected_text(page) == "result = completed"


def test_redundant_conditions_and_what_is_checked_here(page: Any) -> None:
    set_filter(page, "site = 1 and site in (1, 2) and duration > 0")
    settled(page)
    item = page.wait_for_selector(".pg-redundant li")
    assert item.inner_text() == "site in (1, 2) 1:14: implied by the other conditions"
    set_filter(page, 'result = missed and city = "Moscow"')
    settled(page)
    run = page.wait_for_selector(".pg-run")
    text = run.inner_text()
    assert "sent to the API\nresult = missed\nq: result=missed" in text
    assert 'checked here, on each lead\ncity = "Moscow"\nreads city' in text


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
    page.fill("#pg-q-input", "site_ids=3")
    page.wait_for_function("document.getElementById('pg-filter').textContent === 'site = 3'")
    page.click("#pg-edit-filter")
    assert editor_text(page) == "site = 3"
    assert q_of(page, "site_ids=3") == "site_ids=3"


def test_examples_and_the_role_selector(page: Any) -> None:
    page.select_option("#pg-examples", label="Several requests (a plan)")
    assert page.inner_text(".cm-content") == "type = form or result = missed"
    page.wait_for_selector("#pg-plan-panel:not([hidden])")
    set_filter(page, 'text contains "a"')
    q_of(page, "text=a")
    settled(page)
    assert page.query_selector('#pg-diagnostics li[data-code="W606"]') is None
    page.select_option("#pg-role", "operator")
    item = page.wait_for_selector('#pg-diagnostics li[data-code="W606"]')
    assert "operator" in item.inner_text()
    assert "role=operator" in page.url


# -- loading ---------------------------------------------------------------------------------------------


def test_works_with_the_network_cut_off_once_loaded(page: Any) -> None:
    requests: list[str] = []

    def seen(request: Any) -> None:
        requests.append(request.url)

    page.on("request", seen)
    page.context.set_offline(True)
    try:
        set_filter(page, "duration > 60 and phone_exists and created_at = 2024-01-31")
        want = "duration>=61 phone_exists=true created_at>=2024-01-31T00:00:00 created_at<=2024-01-31T23:59:59"
        assert q_of(page, want) == want
    finally:
        page.context.set_offline(False)
        page.remove_listener("request", seen)
    # Chromium asks for the theme's favicon again when the address changes; nothing else
    assert {r.rsplit("/", 1)[1] for r in requests} <= {"favicon.png"}, requests


@pytest.mark.parametrize("missing", ["pyodide/pyodide.asm.wasm", "leadq-playground.zip"])
def test_when_loading_fails_the_page_says_why_and_stays_usable(browser: Any, url: str, missing: str) -> None:
    page, errors = open_page(browser, url)
    page.route(f"**/assets/{missing}", lambda route: route.fulfill(status=404, body="gone"))
    page.goto(url)
    page.wait_for_selector('#leadq-playground[data-ready="failed"]', timeout=60_000)
    status = page.inner_text("#pg-status")
    assert "leadq could not load" in status
    assert Path(missing).name in status and "HTTP 404" in status
    assert page.get_attribute("#pg-status", "role") == "alert"
    type_filter(page, "site = 7")
    assert editor_text(page) == "site = 7"
    assert parse_qs(urlsplit(page.url).fragment)["filter"] == ["site = 7"]
    assert page.inner_text("#pg-q") == "(leadq is not loaded)"
    shot(page, f"7-load-failed-{Path(missing).name}")
    page.context.close()
    assert errors == []


# -- keyboard, layout and themes -----------------------------------------------------------------------------


def focused(page: Any) -> str:
    return str(page.evaluate("() => { const e = document.activeElement; return (e.id || '') + '.' + e.className }"))


def tab_to(page: Any, selector: str, presses: int = 25, back: bool = False) -> None:
    for _ in range(presses):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{selector} not reached with the keyboard; focus is on {focused(page)}")


def test_usable_with_the_keyboard_alone(page: Any) -> None:
    page.focus("[data-mode=filter]")  # where Tab arrives from the page's text
    tab_to(page, "#pg-method")
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    tab_to(page, ".cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.type("sitte = 1 and res")
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".cm-tooltip-autocomplete li[aria-selected='true']")
    page.wait_for_timeout(150)
    page.keyboard.press("Enter")
    page.keyboard.type("= missed")
    page.keyboard.press("Escape")  # close a completion that typing opened
    settled(page)
    tab_to(page, ".pg-fix")
    page.keyboard.press("Enter")
    assert q_of(page, "site_ids=1 result=missed") == "site_ids=1 result=missed"
    tab_to(page, "#pg-requests .pg-copy")
    page.keyboard.press("Enter")
    assert clipboard(page).endswith("?q=site_ids%3D1%20result%3Dmissed")
    tab_to(page, "[data-mode=q]", back=True)
    page.keyboard.press("Enter")
    assert page.is_visible("#pg-q-input") and page.is_hidden("#pg-editor")


def columns(page: Any) -> tuple[dict[str, float], dict[str, float]]:
    boxes = page.eval_on_selector_all(
        "#pg-filter-mode > .pg-column", "cs => cs.map(c => c.getBoundingClientRect().toJSON())"
    )
    return boxes[0], boxes[1]


def test_side_by_side_on_wide_screens_and_stacked_on_narrow_ones(page: Any) -> None:
    for width, side_by_side in ((1280, True), (420, False)):
        page.set_viewport_size({"width": width, "height": 900})
        left, right = columns(page)
        if side_by_side:
            assert right["left"] >= left["right"] and abs(right["top"] - left["top"]) < 2
        else:
            assert right["top"] >= left["bottom"] and abs(right["left"] - left["left"]) < 2
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def editor_colors(page: Any) -> tuple[str, str]:
    return tuple(
        page.evaluate(
            "() => { const s = getComputedStyle(document.querySelector('.cm-editor'));"
            " return [s.backgroundColor, s.color] }"
        )
    )  # type: ignore[return-value]


def test_light_and_dark_follow_the_docs_theme(page: Any) -> None:
    page.emulate_media(color_scheme="dark")
    palette(page, "slate")
    dark = editor_colors(page)
    code_bg = page.evaluate("() => getComputedStyle(document.querySelector('.md-typeset code')).backgroundColor")
    assert dark[0] == code_bg  # the docs' own code colours
    page.click("label.md-header__button[for^='__palette']:visible")  # the docs' theme toggle
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'default'")
    light = editor_colors(page)
    assert light != dark


# -- the docs' screenshots -----------------------------------------------------------------------------------


SCREENSHOTS = [
    ("wide-light", 1280, "light", "result = missed and site in (1, 2) and site != 3 and created_at >= 2024-01-01"),
    ("wide-dark", 1280, "dark", "type = form or result = missed order by created_at desc"),
    ("narrow-light", 420, "light", "sitte = 1 and result = mised"),
    ("narrow-dark", 420, "dark", "result = missed and site = 1 and result = completed"),
]


@pytest.mark.parametrize(("name", "width", "scheme", "text"), SCREENSHOTS)
def test_screenshots_for_the_docs(page: Any, name: str, width: int, scheme: str, text: str) -> None:
    """docs/img/playground-NAME.png, shown by docs/playground.md: the widget as it is now."""
    # tall enough for the whole widget: no scrolling, so the docs' header covers nothing
    page.set_viewport_size({"width": width, "height": 2400})
    page.emulate_media(color_scheme=scheme)
    palette(page, "slate" if scheme == "dark" else "default")
    set_filter(page, text)
    settled(page)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0) }")
    DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
    path = DOCS_IMAGES / f"playground-{name}.png"
    page.locator("#leadq-playground").screenshot(path=str(path), animations="disabled", caret="hide")
    size = json.loads(
        page.evaluate("() => JSON.stringify(document.getElementById('leadq-playground').getBoundingClientRect())")
    )
    from struct import unpack

    png_width, _ = unpack(">II", path.read_bytes()[16:24])
    assert abs(png_width - size["width"]) <= 1
