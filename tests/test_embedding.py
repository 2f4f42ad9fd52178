"""What tools that embed leadq rely on: fingerprints, the version, types at the boundary,
warnings in one call, and thread safety."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import compilable_trees

import leadq

# -- fingerprints ------------------------------------------------------------------------------

#: Recorded once; a change here breaks every stored fingerprint (docs/versioning.md).
RECORDED = {
    ("site in (2,1) and result=missed", False): "lq1:d9044a439353743846ddbef8f5e56403a26c85f920bcc71815c4f0f69904b938",
    ("site in (2,1) and result=missed", True): "lq1:3a2b6a41d049a44e799d0b5d25db55ec7c78750320f4cf31cbfb867faf8d539c",
    ("created_at = lastweek", False): "lq1:5f9d5e1f04d52e6a18b7c3027e1ad108b0fbc799c873f8e6e6b21fbd9277f757",
    # several requests: the canonical form of their union
    ("type != chat", False): "lq1:9cb584f57d52044605e1b6da163fe9d638deba09f491dd5f9a83169849e777bb",
    ("site = 1 order by created_at desc limit 20", False):
        "lq1:5e76d43f596eac66b8ee687c5d89e258e566fe3030ea168727d48e919e03b2fa",
}  # fmt: skip


@pytest.mark.parametrize(("case", "want"), RECORDED.items(), ids=[t for t, _ in RECORDED])
def test_fingerprints_match_the_recorded_values(case: tuple[str, bool], want: str) -> None:
    text, shape = case
    assert leadq.fingerprint(text, shape=shape) == want


def test_fingerprints_are_the_same_in_another_process() -> None:
    code = "import leadq; print(leadq.fingerprint('site in (2,1) and result=missed'))"
    for seed in ("0", "12345"):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": seed}
        )
        assert out.stdout.strip() == RECORDED[("site in (2,1) and result=missed", False)]


def test_what_means_the_same_shares_a_fingerprint() -> None:
    same = {
        leadq.fingerprint("site in (2,1) and result=missed"),
        leadq.fingerprint("result = missed and site in (1, 2)"),
        leadq.fingerprint("(site = 1 or site = 2) and not result = completed"),
        leadq.fingerprint("site_ids=1,2 result=missed", q=True),
        leadq.fingerprint("site in :s and result = missed", {"s": [2, 1]}),
    }
    assert len(same) == 1
    assert leadq.fingerprint("type != chat") == leadq.fingerprint("type in (form, callback)")
    assert leadq.fingerprint("site = 1") != leadq.fingerprint("site = 2")
    assert leadq.fingerprint("site = 1") != leadq.fingerprint("site = 1", schema=leadq.LEADS_LIST_ROUTED)


def test_shape_drops_every_constant() -> None:
    shapes = {
        leadq.fingerprint(t, shape=True) for t in ("site in (1, 2)", "site = 5", "site_ids=7", "site in (3,4,5,6)")
    }
    assert len(shapes) == 1
    assert leadq.fingerprint("created_at >= 2024-01-01", shape=True) == leadq.fingerprint(
        "created_at > 2020-05-05T10:00:00", shape=True
    )
    assert leadq.fingerprint("created_at = lastweek", shape=True) == leadq.fingerprint("created_at = today", shape=True)
    assert leadq.fingerprint("site = 1", shape=True) != leadq.fingerprint("department = 1", shape=True)


def test_relative_periods_keep_their_keyword() -> None:
    meaning = leadq.fingerprint("created_at = lastweek")
    want = "Leads.list\nvalues\nq\ncreated_at=lastweek"
    assert meaning == "lq1:" + hashlib.sha256(want.encode()).hexdigest()


# -- by meaning, not by the plan's shape ----------------------------------------------------------

_CONDITIONS = (
    "type = form", "type = chat", "result = missed", "site = 1", "site in (1, 2)", "site = 3",
    "duration > 60", "duration between 10 and 100", "phone_exists", "not email_exists",
    'text contains "ab"', 'text contains "a"', "duration < 30", "created_at = lastweek",
)  # fmt: skip
_conjunction = st.lists(st.sampled_from(_CONDITIONS), min_size=1, max_size=3, unique=True)
_union = st.lists(_conjunction, min_size=1, max_size=4)


def _or(terms: list[list[str]]) -> str:
    return " or ".join("(" + " and ".join(t) + ")" for t in terms)


def _fingerprint(text: str) -> str | None:
    try:
        return leadq.fingerprint(text)
    except leadq.LeadqError:
        return None


@settings(max_examples=examples(60), deadline=None)
@given(_union, st.randoms(use_true_random=False), _conjunction, st.sampled_from(_CONDITIONS))
def test_rewrites_that_keep_the_meaning_keep_the_fingerprint(
    terms: list[list[str]], random: Any, extra: list[str], common: str
) -> None:
    text = _or(terms)
    want = _fingerprint(text)
    if want is None:
        return
    reordered = [random.sample(t, len(t)) for t in random.sample(terms, len(terms))]
    absorbed = [*terms, [*terms[0], *extra]]  # A or (A and B) is A
    distributed = _or([[common, *t] for t in terms])  # (c and A) or (c and B) ...
    factored = f"{common} and ({text})"  # ... is c and (A or B)
    assert _fingerprint(_or(reordered)) == want, _or(reordered)
    assert _fingerprint(_or(absorbed)) == want, _or(absorbed)
    assert _fingerprint(distributed) == _fingerprint(factored), (distributed, factored)
    # A or B is A or (B and not A): another plan (the audit's pair), when q can say `not A`
    disjoint = " or ".join(
        "(" + " and ".join([*t, *(f"not ({' and '.join(u)})" for u in terms[:k])]) + ")" for k, t in enumerate(terms)
    )
    assert _fingerprint(disjoint) in (want, None), disjoint


@settings(max_examples=examples(60), deadline=None)
@given(_union, _union)
def test_equal_fingerprints_mean_equal_leads(a: list[list[str]], b: list[list[str]]) -> None:
    from strategies import NOW, leads

    left, right = _or(a), _or(b)
    if _fingerprint(left) is None or _fingerprint(left) != _fingerprint(right):
        return
    for lead in leads(leadq.parse(f"({left}) or ({right})"), 0, 60, leadq.LEADS_LIST):
        now = {"now": NOW}
        assert leadq.evaluate(left, lead, **now) == leadq.evaluate(right, lead, **now), (left, right, lead)


def test_the_audits_pairs_share_a_fingerprint() -> None:
    assert leadq.fingerprint("type = form or result = missed") == leadq.fingerprint(
        "type = form or (result = missed and type != form)"
    )
    assert leadq.fingerprint("fields id, name") == leadq.fingerprint("fields name, id")
    assert leadq.fingerprint("fields site(url, id), id") == leadq.fingerprint("fields id, site(id, url)")
    assert leadq.fingerprint("type = form or result = missed") != leadq.fingerprint("type = chat or result = missed")


def test_a_filter_with_no_meaning_has_no_fingerprint() -> None:
    with pytest.raises(leadq.LeadqError):
        leadq.fingerprint("site != 3")


@settings(max_examples=examples(200), deadline=None)
@given(compilable_trees())
def test_a_compiled_q_has_its_filters_fingerprint(tree: leadq.Node) -> None:
    text = leadq.format(tree)
    a = leadq.analyze(text)
    if a.q is not None:
        assert leadq.fingerprint(text) == leadq.fingerprint(a.q, q=True)


# -- the version ---------------------------------------------------------------------------------


def test_version_has_one_source() -> None:
    assert leadq.__version__ == version("leadq")


# -- types at the boundary ---------------------------------------------------------------------------

CALLS: dict[str, Callable[[], Any]] = {
    "compile(None)": lambda: leadq.compile(None),  # type: ignore[arg-type]
    "check(b'x')": lambda: leadq.check(b"site = 1"),  # type: ignore[arg-type]
    "analyze(1)": lambda: leadq.analyze(1),  # type: ignore[arg-type]
    "parse(None)": lambda: leadq.parse(None),  # type: ignore[arg-type]
    "format('site=1')": lambda: leadq.format("site=1"),  # type: ignore[arg-type]
    "decompile(None)": lambda: leadq.decompile(None),  # type: ignore[arg-type]
    "plan(None)": lambda: leadq.plan(None),  # type: ignore[arg-type]
    "plan(max_requests=0)": lambda: leadq.plan("site = 1", max_requests=0),
    "explain(None)": lambda: leadq.explain(None),  # type: ignore[arg-type]
    "fingerprint(None)": lambda: leadq.fingerprint(None),  # type: ignore[arg-type]
    "compile(schema=1)": lambda: leadq.compile("site = 1", schema=1),  # type: ignore[arg-type]
    "compile(params=[])": lambda: leadq.compile("site = 1", [1]),  # type: ignore[arg-type]
    "evaluate(None)": lambda: leadq.evaluate(None, {}),  # type: ignore[arg-type]
    "evaluate_q(None)": lambda: leadq.evaluate_q(None, {}),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_wrong_argument_types_are_a_type_error_naming_the_argument(call: Callable[[], Any]) -> None:
    with pytest.raises(TypeError) as caught:
        call()
    assert " must be " in str(caught.value), caught.value


def test_every_public_function_says_what_it_raises() -> None:
    for name in leadq.__all__:
        value = getattr(leadq, name)
        if callable(value) and not isinstance(value, type) and name != "render_diagnostics":
            assert "Raises:" in (value.__doc__ or ""), name


def test_help_is_short() -> None:
    import pydoc

    assert len(pydoc.render_doc(leadq.compile).splitlines()[2]) < 200
    assert repr(leadq.LEADS_LIST) == "<Schema Leads.list: 19 criteria>"


def test_a_method_is_named_or_given_as_a_schema() -> None:
    assert leadq.schema("leads.LISTROUTED") is leadq.LEADS_LIST_ROUTED is leadq.METHODS["Leads.listRouted"]
    assert list(leadq.METHODS).index("Leads.list") + 1 == list(leadq.METHODS).index("Leads.listRouted")
    assert leadq.compile("creator_type = visitor", schema="Leads.listRouted") == "creator_type=visitor"
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.check("site = 1", schema="Leads.lst")
    (d,) = caught.value.diagnostics
    assert (d.code, d.start, d.end, d.hint) == ("E211", 0, 9, "did you mean `Leads.list`?")
    with pytest.raises(TypeError):
        leadq.METHODS["Chats.x"] = leadq.LEADS_LIST  # type: ignore[index]


def test_criteria_can_be_browsed() -> None:
    rows = {c.display: (c.kind.name, c.description) for c in leadq.LEADS_LIST.criteria}
    assert rows["result"][0] == "enum" and "processed" in rows["result"][1]
    assert all(description for _, description in rows.values())


# -- warnings in one call ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "q", "codes"),
    [
        ('text contains "a b"', "text=a b", ["W601"]),
        ("result in (missed, completed)", "", ["W603"]),
        ("", "", ["I703"]),
    ],
)
def test_one_call_gives_the_q_and_every_warning(text: str, q: str, codes: list[str]) -> None:
    a = leadq.analyze(text)
    assert (a.q, [d.code for d in a.diagnostics]) == (q, codes)
    assert leadq.compile(text) == q  # the simple path stays


# -- thread safety ---------------------------------------------------------------------------------------


def _corpus(n: int) -> list[str]:
    from tables import rows

    base = [t for t, _ in rows("compile.tsv") + rows("spec_examples.tsv")]
    base += [t for t, _ in rows("errors.tsv")]
    return [f"({base[i % len(base)]}) and duration > {i % 97}" if i % 3 else base[i % len(base)] for i in range(n)]


def _summary(text: str) -> tuple[str | None, tuple[tuple[str, int, int], ...]]:
    a = leadq.analyze(text)
    return a.q, tuple((d.code, d.start, d.end) for d in a.diagnostics)


def test_sixteen_threads_give_the_sequential_results() -> None:
    texts = _corpus(examples(20_000))
    sequential = [_summary(t) for t in texts]
    with ThreadPoolExecutor(16) as pool:
        threaded = list(pool.map(_summary, texts, chunksize=50))
    assert threaded == sequential
