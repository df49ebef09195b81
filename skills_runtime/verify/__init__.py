"""Verification of skills: replay of recorded cases and property tests, inside a sandbox worker.

``verify(source, cases=..., tool_schemas=...)`` returns a :class:`VerificationReport`; it never
raises for anything the skill did. ``render_test_module`` writes the same verification as a
readable pytest module a reviewer can run.
"""

from __future__ import annotations

from skills_runtime.verify.fakes import FakeTools
from skills_runtime.verify.render import render_test_module
from skills_runtime.verify.report import PropertyResult, VerificationReport, VerifySettings
from skills_runtime.verify.strategies import arguments_strategy, strategy_for_schema
from skills_runtime.verify.verifier import observed_arguments, verify

__all__ = [
    "FakeTools",
    "PropertyResult",
    "VerificationReport",
    "VerifySettings",
    "arguments_strategy",
    "observed_arguments",
    "render_test_module",
    "strategy_for_schema",
    "verify",
]
