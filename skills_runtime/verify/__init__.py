"""Verification of skills: replay of recorded cases and property tests, inside a sandbox worker.

``verify(source, cases=..., tool_schemas=...)`` returns a :class:`VerificationReport`; it never
raises for anything the skill did. ``render_test_module`` writes the same verification as a
readable pytest module a reviewer can run.

Names are imported on first use: the verification worker imports
``skills_runtime.verify.session`` and should not pay for libcst or the sandbox's host side.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {
    "FakeTools": "fakes",
    "PropertyResult": "report",
    "VerificationReport": "report",
    "VerifySettings": "report",
    "arguments_strategy": "strategies",
    "observed_arguments": "verifier",
    "render_test_module": "render",
    "strategy_for_schema": "strategies",
    "verify": "verifier",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'skills_runtime.verify' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"skills_runtime.verify.{home}"), name)
    globals()[name] = value
    return value
