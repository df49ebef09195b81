"""The checker allows exactly the builtins the sandbox provides, less its own deny-list."""

from __future__ import annotations

import pytest
from sources import BODY, skill

import sandbox
from skills_runtime.checking import check
from skills_runtime.checking.names import ALLOWED_BUILTINS, DENIED_BUILTINS


def test_every_name_the_checker_allows_exists_in_the_sandbox_builtins() -> None:
    assert ALLOWED_BUILTINS <= sandbox.SKILL_BUILTINS


def test_every_sandbox_builtin_is_allowed_unless_the_checker_denies_it() -> None:
    withheld = sandbox.SKILL_BUILTINS - ALLOWED_BUILTINS
    assert withheld == sandbox.SKILL_BUILTINS & DENIED_BUILTINS.keys()


@pytest.mark.parametrize("name", sorted(DENIED_BUILTINS.keys() & sandbox.SKILL_BUILTINS))
def test_a_denied_name_is_refused_even_though_the_sandbox_provides_it(name: str) -> None:
    assert "SK112" in check(skill(f"    x = {name}\n" + BODY)).codes


@pytest.mark.parametrize(
    "line",
    ["n = math.floor(1.5)", "text = json.dumps([order_id])", "ok = re.match('W', order_id)"],
)
def test_the_sandbox_helper_namespaces_pass_the_name_rule(line: str) -> None:
    assert "SK112" not in check(skill(f"    {line}\n" + BODY)).codes
