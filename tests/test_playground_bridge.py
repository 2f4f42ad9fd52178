"""The playground's Python side (playground/src/bridge.py), here in CPython: the places
it converts between the page and leadq, the method menu it builds from the registry, and
what it answers. The page itself is tested in a browser by tests/test_playground.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "playground" / "src"))
import bridge  # noqa: E402


def utf16(text: str) -> int:
    """What JavaScript's `text.length` says."""
    return len(text.encode("utf-16-le")) // 2


ASTRAL = st.sampled_from(["🚚", "😀", "𝄞", "𠀀", "👍🏽"])
TEXTS = st.lists(st.one_of(st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"]), ASTRAL), max_size=30).map(
    "".join
)


@given(TEXTS)
def test_places_agree_with_utf16_on_every_character_boundary(text: str) -> None:
    places = bridge.Places(text)
    for i in range(len(text) + 1):
        page = places.to_page(i)
        assert page == utf16(text[:i])
        assert places.to_leadq(page) == i


@given(TEXTS, st.integers(-3, 80))
def test_a_page_offset_anywhere_is_a_place_in_the_text(text: str, offset: int) -> None:
    places = bridge.Places(text)
    i = places.to_leadq(offset)
    assert 0 <= i <= len(text)
    # the start of the character the offset falls in (or the text's end)
    assert places.to_page(i) <= max(0, min(offset, utf16(text)))
    assert i == len(text) or places.to_page(i + 1) > max(0, min(offset, utf16(text)))


def test_an_offset_inside_a_surrogate_pair_is_the_start_of_its_character() -> None:
    places = bridge.Places('a"🚚"b')
    assert [places.to_leadq(u) for u in range(7)] == [0, 1, 2, 2, 3, 4, 5]
    assert [places.to_page(i) for i in range(6)] == [0, 1, 2, 4, 5, 6]


@given(st.dictionaries(st.text(), st.text(), max_size=4))
def test_the_request_url_is_quoted_as_the_command_line_quotes_it(params: dict[str, str]) -> None:
    url = bridge._request(leadq.LEADS_LIST, params)["url"]
    assert url == f"{leadq.LEADS_LIST.endpoint}?{urlencode(params, quote_via=quote, safe='')}"


def answer(name: str, *args: Any) -> Any:
    return json.loads(getattr(bridge, name)(*args))


def test_diagnostics_and_their_fix_after_an_emoji_are_in_page_units() -> None:
    text = 'text contains "🚚" and reslt = missed'
    (d,) = answer("analyze", text, "Leads.list", "")["diagnostics"]
    assert (d["code"], d["fix"]) == ("E201", "result")
    # in JavaScript: text.slice(d.from, d.to)
    page = text.encode("utf-16-le")
    assert page[2 * d["from"] : 2 * d["to"]].decode("utf-16-le") == "reslt"
    fixed = (page[: 2 * d["from"]] + d["fix"].encode("utf-16-le") + page[2 * d["to"] :]).decode("utf-16-le")
    assert fixed == 'text contains "🚚" and result = missed'


def test_completion_and_hover_after_an_emoji() -> None:
    text = 'text contains "🚚" and res'
    found = answer("complete", text, utf16(text), "Leads.list")
    assert (found["from"], found["to"]) == (utf16(text) - 3, utf16(text))
    assert found["items"][0]["label"] == "result"
    text = 'text contains "🚚" and result = missed'
    at = utf16('text contains "🚚" and re')
    h = answer("hover", text, at, "Leads.list")
    assert (h["from"], h["to"]) == (utf16('text contains "🚚" and '), utf16('text contains "🚚" and result'))
    assert "result" in h["text"]


def test_a_completion_cursor_inside_its_insert_text_is_in_page_units() -> None:
    # a value with an astral character before the cursor's place: `"🚚|"`
    assert bridge.Places('"🚚"').to_page(2) == 3


def test_the_menu_groups_every_method_of_the_registry_by_resource() -> None:
    menu = answer("methods")
    shipped = getattr(leadq, "METHODS", None) or {
        "Leads.list": leadq.LEADS_LIST,
        "Leads.listRouted": leadq.LEADS_LIST_ROUTED,
    }
    assert [name for group in menu["groups"] for name in group["methods"]] == list(shipped)
    for group in menu["groups"]:
        assert {name.partition(".")[0] for name in group["methods"]} == {group["resource"]}
    assert len({group["resource"] for group in menu["groups"]}) == len(menu["groups"])
    assert menu["default"] == "Leads.list"
    assert answer("roles", "Leads.list") == list(leadq.LEADS_LIST.roles)


def test_a_larger_registry_reaches_the_menu_and_every_look_up(monkeypatch: pytest.MonkeyPatch) -> None:
    extra = leadq.Schema(
        "Chats.list", leadq.LEADS_LIST.criteria, ("bot",), endpoint="https://example.invalid/chats/list"
    )
    methods = {"Leads.list": leadq.LEADS_LIST, "Chats.list": extra, "Leads.listRouted": leadq.LEADS_LIST_ROUTED}
    monkeypatch.setattr(leadq, "METHODS", methods, raising=False)
    bridge.registry.cache_clear()
    try:
        menu = answer("methods")
        assert [(g["resource"], g["methods"]) for g in menu["groups"]] == [
            ("Leads", ["Leads.list", "Leads.listRouted"]),
            ("Chats", ["Chats.list"]),
        ]
        a = answer("analyze", "site = 1", "Chats.list", "")
        assert a["method"] == "Chats.list"
        assert a["requests"][0]["url"] == "https://example.invalid/chats/list?q=site_ids%3D1"
        assert answer("decompile", "site_ids=1", "Chats.list")["method"] == "Chats.list"
        assert answer("roles", "Chats.list") == ["bot"]
    finally:
        monkeypatch.undo()
        bridge.registry.cache_clear()


def test_an_unknown_method_means_the_default() -> None:
    assert answer("analyze", "site = 1", "Nope.list", "")["method"] == "Leads.list"


def test_a_plan_is_a_request_each_with_the_tail() -> None:
    a = answer("analyze", "type = form or result = missed order by created_at desc", "Leads.list", "")
    assert a["q"] is None and a["plan"] == {"disjoint": False}
    assert [r["params"] for r in a["requests"]] == [
        {"q": "type=form", "sort": "created_at:d"},
        {"q": "result=missed", "sort": "created_at:d"},
    ]
    assert a["requests"][0]["url"] == "https://web-api.livetex.ru/leads/list?q=type%3Dform&sort=created_at%3Ad"


def test_the_explanation_is_structured() -> None:
    text = "result = missed and site = 1 and result = completed"
    e = answer("analyze", text, "Leads.list", "")["explanation"]
    assert [(p["text"], p["line"], p["column"]) for p in e["contradiction"]] == [
        ("result = missed", 1, 1),
        ("result = completed", 1, 34),
    ]
    assert e["run"] is None  # a filter that matches no lead is not worth running
    e = answer("analyze", "site = 1 and site in (1,2) and duration > 0", "Leads.list", "")["explanation"]
    assert e["fields"] == [{"field": "site_ids", "meaning": "= 1"}, {"field": "duration", "meaning": ">= 1"}]
    assert [(p["text"], p["why"]) for p in e["redundant"]] == [("site in (1,2)", "implied by the other conditions")]
    e = answer("analyze", 'result = missed and city = "Moscow"', "Leads.list", "")["explanation"]
    assert e["run"]["sent"] == "result = missed" and e["run"]["requests"] == ["result=missed"]
    assert e["run"]["checked"] == 'city = "Moscow"' and e["run"]["reads"] == ["city"]


def test_the_pages_calls_import_no_lark() -> None:
    """The playground ships no Lark (playground/hook.py): leadq must not need it at run time."""
    script = f"""
import sys
sys.path.insert(0, {str(ROOT / "playground" / "src")!r})
import bridge
bridge.methods()
for text in ("site = 1 and created_at = 2024-01-31", "type = form or result = missed", "sitte = (", 'city = "x"'):
    bridge.analyze(text, "Leads.list", "operator")
bridge.complete("site = 1 and re", 15, "Leads.listRouted")
bridge.hover("site = 1", 1, "Leads.list")
bridge.decompile("site_ids=1 created_at>=2024-01-01T00:00:00", "Leads.list")
assert not [m for m in sys.modules if m.split(".")[0] == "lark"], sorted(sys.modules)
"""
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT)


def test_the_build_cache_is_the_users_and_shared_by_checkouts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The docs build keeps the compiled standard library and the dependency wheels in the
    user's cache folder, so that a fresh clone does not make them again."""
    sys.path.insert(0, str(ROOT / "playground"))
    import hook

    monkeypatch.delenv("LEADQ_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert hook._cache() == tmp_path / "xdg" / "leadq" / "playground"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert hook._cache() == tmp_path / "home" / ".cache" / "leadq" / "playground"
    monkeypatch.setenv("LEADQ_CACHE_DIR", str(tmp_path / "mine"))
    assert hook._cache() == tmp_path / "mine" / "playground"
    assert not str(hook._cache()).startswith(str(ROOT))  # never inside the checkout
