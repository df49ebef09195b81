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

from sandbox.caps import keep_text
from sandbox.errors import SkillPrecondition, ToolError
from sandbox.restricted import CompiledSkill, LimitWatch, Rejection, compile_skill
from skills_runtime.replay import ReplayCase
from skills_runtime.verify.coverage import StatementCoverage
from skills_runtime.verify.execution import SKILL_FILENAME, Dispatch, SkillRunner
from skills_runtime.verify.hints import answer_hints
from skills_runtime.verify.properties import run_properties
from skills_runtime.verify.replaying import run_replays
from skills_runtime.verify.report import COVERAGE, PropertyResult, VerifySettings

__all__ = ["GUARDS", "bounded", "run_session", "session_payload"]

GUARDS: tuple[type[BaseException], ...] = (SkillPrecondition,)
"""What a skill raises to refuse (a guard said no). A tool saying no is the ``ToolError`` the
tools raised, told apart by identity (see ``verify.execution``)."""

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
    tool_effects: Mapping[str, bool | None] | None = None,
) -> dict[str, Any]:
    """The JSON document :func:`run_session` reads.

    ``tool_effects`` says which tools write (``True``), only read (``False``) or are unknown
    (``None``); a guard may refuse only before any tool that may write.
    """
    return {
        "source": source,
        "entry": entry,
        "parameters_schema": dict(parameters_schema),
        "returns_schema": None if returns_schema is None else dict(returns_schema),
        "tool_schemas": {name: dict(schema) for name, schema in tool_schemas.items()},
        "cases": [case.to_json() for case in cases],
        "observed": {name: list(values) for name, values in observed.items()},
        "settings": settings.to_json(),
        "tool_effects": dict(tool_effects or {}),
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
    source = str(payload["source"])
    settings = VerifySettings.from_json(payload.get("settings") or {})
    cases = [ReplayCase.from_json(case) for case in payload.get("cases") or ()]
    parameters_schema = payload.get("parameters_schema") or {"type": "object"}
    reads = _reads(cases, payload.get("tool_effects") or {})
    coverage = StatementCoverage(source, SKILL_FILENAME)
    replays = run_replays(
        skill,
        cases,
        parameters_schema=parameters_schema,
        error_type=ToolError,
        guards=GUARDS,
        call_seconds=settings.call_seconds,
        max_tool_calls=settings.max_tool_calls,
        reads=reads,
        coverage=coverage,
    )
    properties = run_properties(
        skill,
        parameters_schema=parameters_schema,
        returns_schema=payload.get("returns_schema"),
        tool_schemas=payload.get("tool_schemas") or {},
        cases=cases,
        observed=payload.get("observed") or {},
        error_type=ToolError,
        guards=GUARDS,
        verify_settings=settings,
        reads=reads,
        hints=answer_hints(source),
        coverage=coverage,
    )
    properties.append(_coverage_result(coverage, properties))
    return {
        "rejected": None,
        # What the skill sent (tool arguments, error messages) is kept bounded: the report is
        # stored in the registry with every version.
        "replays": [bounded(outcome.to_json()) for outcome in replays],
        "properties": [bounded(result.to_json()) for result in properties],
        "seconds": time.perf_counter() - started,
    }


_TEXT_BYTES = 2_000
_ITEMS = 100


def bounded(value: Any) -> Any:
    """A copy of a JSON value with every string cut to 2,000 bytes and every list to 100 items
    (a cut list of strings, such as reasons, ends with one saying how many were left out)."""
    if isinstance(value, str):
        return keep_text(value, _TEXT_BYTES)
    if isinstance(value, dict):
        return {keep_text(str(key), _TEXT_BYTES): bounded(item) for key, item in value.items()}
    if isinstance(value, list):
        kept = [bounded(item) for item in value[:_ITEMS]]
        if len(value) > _ITEMS and all(isinstance(item, str) for item in kept):
            kept.append(f"… [truncated: {len(value) - _ITEMS} more items]")
        return kept
    return value


def _runner(compiled: CompiledSkill, entry: str) -> SkillRunner:
    def run(arguments: Mapping[str, Any], dispatch: Dispatch, watch: LimitWatch) -> Any:
        # Printed text is dropped: the worker's stdout is not the skill's to write on.
        return compiled.call(
            entry, arguments, dispatch=dispatch, on_print=lambda _text: None, watch=watch
        )

    return run


def _reads(cases: list[ReplayCase], effects: Mapping[str, Any]) -> frozenset[str]:
    """Tools known to only read: declared so, or recorded only as reads and never declared."""
    recorded: dict[str, bool] = {}
    for case in cases:
        for call in case.calls:
            recorded[call.name] = recorded.get(call.name, False) or call.mutates
    known = {name: not writes for name, writes in recorded.items()}
    known.update({name: effect is False for name, effect in effects.items() if effect is not None})
    return frozenset(name for name, read_only in known.items() if read_only)


def _coverage_result(
    coverage: StatementCoverage, properties: list[PropertyResult]
) -> PropertyResult:
    """Whether every statement ran in some replay or generated example."""
    examples = max((result.examples for result in properties), default=0)
    if any(result.name == "within_limits" and not result.passed for result in properties):
        return PropertyResult(
            name=COVERAGE,
            passed=False,
            examples=examples,
            error="not checked: the search stopped when the skill exceeded a limit",
        )
    missing = coverage.missing()
    branches = coverage.missing_branches()
    if not missing and not branches:
        return PropertyResult(name=COVERAGE, passed=True, examples=examples)
    what = [f"{len(missing)} statement(s)"] if missing else []
    if branches:
        what.append(f"{len(branches)} branch expression(s)")
    return PropertyResult(
        name=COVERAGE,
        passed=False,
        examples=examples,
        error=(
            f"{' and '.join(what)} never ran in any replay or generated example: "
            f"{coverage.describe_missing()}; a gate cannot vouch for code it never ran — add a "
            "recorded trajectory that takes this path, or remove the code if no input reaches it"
        ),
    )
