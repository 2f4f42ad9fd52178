"""An unknown role is an error wherever the library takes one: a misspelt role would
silently turn W606 and E313 off (an operator's run returned 278 leads instead of 228)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import leadq
from leadq.batch import check_many
from leadq.schemas.schema import checked_role

CALLS: dict[str, Callable[[Any], object]] = {
    "analyze": lambda role: leadq.analyze('text contains "a"', role=role),
    "check": lambda role: leadq.check('text contains "a"', role=role),
    "pushdown": lambda role: leadq.pushdown('text contains "a" or city = "x"', role=role),
    "check_many": lambda role: list(check_many(['text contains "a"'], role=role)),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
@pytest.mark.parametrize("role", ["operater", "Operator", " operator"])
def test_a_misspelt_role_is_refused_with_the_nearest(call: Callable[[Any], object], role: str) -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        call(role)
    (d,) = caught.value.diagnostics
    assert (d.code, d.start, d.end, d.hint) == ("E212", 0, len(role), "did you mean `operator`?")


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_a_role_that_is_no_str_is_a_type_error(call: Callable[[Any], object]) -> None:
    with pytest.raises(TypeError, match="role must be a str"):
        call(1)


def test_an_unknown_role_lists_the_roles() -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.check("site = 1", role="boss")
    (d,) = caught.value.diagnostics
    assert d.code == "E212" and d.hint is not None and d.hint.startswith("its roles: admin, ")


def test_a_known_role_still_warns() -> None:
    assert [d.code for d in leadq.check('text contains "a"', role="operator")] == ["W606"]
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.pushdown('text contains "a" or city = "x"', role="operator")
    assert "E313" in [d.code for d in caught.value.diagnostics]


def test_every_role_of_each_method_passes() -> None:
    for schema in (leadq.LEADS_LIST, leadq.LEADS_LIST_ROUTED):
        assert schema.roles
        for role in schema.roles:
            assert checked_role(role, schema) == role
        assert checked_role(None, schema) is None
    assert leadq.check("site = 1", role="operator", schema="leads.listRouted") == []


def test_the_command_refuses_a_misspelt_role(tmp_path: Any) -> None:
    import subprocess
    import sys

    saved = tmp_path / "f.leadq"
    saved.write_text("site = 1\n", encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "leadq", "check", str(saved), "--role", "operater"], capture_output=True, text=True
    )
    assert r.returncode == 2
    assert r.stderr.startswith("leadq: E212 `operater` is no API role that may call Leads.list")
    assert "did you mean `operator`?" in r.stderr


def test_a_role_that_may_not_call_the_method(tmp_path: Any) -> None:
    import subprocess
    import sys

    with pytest.raises(leadq.LeadqError) as caught:
        leadq.check('title = "x"', schema="Locations.list", role="operator")
    assert [d.code for d in caught.value.diagnostics] == ["E212"]
    saved = tmp_path / "f.leadq"
    saved.write_text('title = "x"\n', encoding="utf-8")
    command = [sys.executable, "-m", "leadq", "check", "--role", "operator"]
    r = subprocess.run([*command, "--method", "Locations.list", str(saved)], capture_output=True, text=True)
    assert r.returncode == 2 and "E212" in r.stderr and "Traceback" not in r.stderr
    named = tmp_path / "f.json"  # a file naming its method: E212 on each of its filters
    named.write_text('{"method": "Locations.list", "a": "title = \\"x\\""}', encoding="utf-8")
    r = subprocess.run([*command, str(named)], capture_output=True, text=True)
    assert r.returncode == 1 and "E212" in r.stdout and "Traceback" not in r.stderr
