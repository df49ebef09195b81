"""The verification session: the trusted function the sandbox worker runs, one per verification.

``sandbox.run_trusted("skills_runtime.verify.session:run_session", payload)`` imports this module
only inside the limited child. There hypothesis (trusted) drives the skill (compiled and run by
``sandbox.restricted``, never trusted): replays first, then the property search. Everything in and
out is JSON.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from sandbox.errors import SkillPrecondition, ToolError
from sandbox.restricted import CompiledSkill, Rejection, compile_skill
from skills_runtime.replay import ReplayCase
from skills_runtime.verify.execution import SKILL_FILENAME, Dispatch, SkillRunner
from skills_runtime.verify.properties import run_properties
from skills_runtime.verify.replaying import run_replays
from skills_runtime.verify.report import VerifySettings

__all__ = ["EXPECTED_ERRORS", "run_session", "session_payload"]

EXPECTED_ERRORS: tuple[type[BaseException], ...] = (SkillPrecondition, ToolError)
"""What a skill may raise as an outcome: a guard said no, or a tool did."""

TARGET = "skills_runtime.verify.session:run_session"


def session_payload(
    *,
    source: str,
    entry: str,
    parameters_schema: Mapping[str, Any],
    returns_schema: Mapping[str, Any] | None,
    tool_schemas: Mapping[str, Mapping[str, Any]],
    cases: list[ReplayCase],
    observed: Mapping[str, list[Any]],
    settings: VerifySettings,
) -> dict[str, Any]:
    """The JSON document :func:`run_session` reads."""
    return {
        "source": source,
        "entry": entry,
        "parameters_schema": dict(parameters_schema),
        "returns_schema": None if returns_schema is None else dict(returns_schema),
        "tool_schemas": {name: dict(schema) for name, schema in tool_schemas.items()},
        "cases": [case.to_json() for case in cases],
        "observed": {name: list(values) for name, values in observed.items()},
        "settings": settings.to_json(),
    }


def run_session(payload: Mapping[str, Any], tools: Any = None) -> dict[str, Any]:
    """Compile the skill, replay every case, search the properties; return the findings as JSON.

    Args:
        payload: A document built by :func:`session_payload`.
        tools: Unused: a verification grants the skill no real tool.

    Returns:
        ``{"rejected": message|None, "replays": [...], "properties": [...], "seconds": s}``.
    """
    started = time.perf_counter()
    compiled = compile_skill(str(payload["source"]), filename=SKILL_FILENAME)
    if isinstance(compiled, Rejection):
        where = f"line {compiled.line}: " if compiled.line is not None else ""
        return {"rejected": f"{where}{compiled.message}", "replays": [], "properties": []}
    entry = str(payload["entry"])
    if entry not in compiled.functions:
        return {
            "rejected": f"the skill defines no function {entry!r}; it defines "
            f"{list(compiled.functions)}",
            "replays": [],
            "properties": [],
        }
    skill = _runner(compiled, entry)
    settings = VerifySettings.from_json(payload.get("settings") or {})
    cases = [ReplayCase.from_json(case) for case in payload.get("cases") or ()]
    parameters_schema = payload.get("parameters_schema") or {"type": "object"}
    replays = run_replays(
        skill,
        cases,
        parameters_schema=parameters_schema,
        error_type=ToolError,
        expected=EXPECTED_ERRORS,
        call_seconds=settings.call_seconds,
        max_tool_calls=settings.max_tool_calls,
    )
    properties = run_properties(
        skill,
        parameters_schema=parameters_schema,
        returns_schema=payload.get("returns_schema"),
        tool_schemas=payload.get("tool_schemas") or {},
        cases=cases,
        observed=payload.get("observed") or {},
        error_type=ToolError,
        expected=EXPECTED_ERRORS,
        verify_settings=settings,
    )
    return {
        "rejected": None,
        "replays": [outcome.to_json() for outcome in replays],
        "properties": [result.to_json() for result in properties],
        "seconds": time.perf_counter() - started,
    }


def _runner(compiled: CompiledSkill, entry: str) -> SkillRunner:
    def run(arguments: Mapping[str, Any], dispatch: Dispatch) -> Any:
        # Printed text is dropped: the worker's stdout is not the skill's to write on.
        return compiled.call(entry, arguments, dispatch=dispatch, on_print=lambda _text: None)

    return run
