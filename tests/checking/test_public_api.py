"""The public surface of ``skills_runtime.checking`` is pinned."""

from __future__ import annotations

import skills_runtime.checking as checking


def test_all_lists_exactly_the_pinned_public_names() -> None:
    assert set(checking.__all__) == {
        "DEFAULT_ALLOWED_IMPORTS",
        "PRE_PARSE_CODES",
        "RULES",
        "CheckPolicy",
        "CheckReport",
        "Finding",
        "Parameter",
        "Rule",
        "Severity",
        "SkillSignature",
        "check",
        "signature_of",
        "validate_arguments",
    }
    assert all(hasattr(checking, name) for name in checking.__all__)


def test_every_rule_lives_in_its_own_module_named_after_its_code() -> None:
    import importlib

    for rule in checking.RULES:
        modules = [
            name
            for name in dir(importlib.import_module("skills_runtime.checking.rules"))
            if name.startswith(rule.code.lower() + "_")
        ]
        assert len(modules) == 1, rule.code
