"""``verify()``: replay + property tests of one skill, in one sandbox worker process.

The host derives the skill's schemas from its source with libcst (annotations are never
evaluated), then hands source, schemas and cases to
:func:`skills_runtime.verify.session.run_session`, running in a resource-limited worker. A limit,
a crash or a rejection of the source becomes a failed report with the reason; nothing the skill
does makes ``verify`` raise.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import sandbox
from skills_runtime.replay import ReplayCase
from skills_runtime.verify.report import (
    PropertyResult,
    VerificationReport,
    VerifySettings,
    replay_outcome_from_json,
)
from skills_runtime.verify.session import TARGET, session_payload

__all__ = ["observed_arguments", "verify"]

_PERMISSIVE_TOOL = {"type": "object"}


def verify(
    source: str,
    *,
    cases: Sequence[ReplayCase],
    tool_schemas: Mapping[str, Mapping[str, Any]],
    observed: Mapping[str, Sequence[Any]] | None = None,
    settings: VerifySettings = VerifySettings(),  # noqa: B008 - frozen value, safe as a default
    executor: sandbox.Executor | None = None,
    tool_effects: Mapping[str, bool | None] | None = None,
) -> VerificationReport:
    """Verify a skill: replay every case, then search for inputs that break a property.

    Args:
        source: The typed skill source (one public function whose first parameter is ``tools``).
        cases: Recordings the skill must reproduce: its source trajectories and the regression
            cases of earlier versions.
        tool_schemas: JSON Schema of each tool's arguments; tool calls are validated against them.
            A tool the skill calls without a schema here is accepted with any object arguments.
        observed: Values seen for each parameter; by default taken from the cases' arguments.
        settings: Search effort and limits (fixed, so reports are reproducible).
        executor: A sandbox executor (e.g. a warm pool); by default the sandbox's own.
        tool_effects: Tool name → writes (``True``), only reads (``False``) or unknown
            (``None``). A guard may refuse only before any tool that may write; by default a
            tool counts as read-only when every recording of it is a read.

    Returns:
        The report; ``passed`` only if the worker finished, every replay passed and every
        property held.
    """
    from skills_runtime.checking import signature_of

    started = time.perf_counter()
    try:
        signature = signature_of(source)
    except Exception as error:  # a source that does not parse is a finding, not a crash
        return _failed(
            f"the skill's signature cannot be read: {error}", "rejected", started, settings
        )
    schemas = {name: dict(schema) for name, schema in tool_schemas.items()}
    for tool in signature.tools_called:
        schemas.setdefault(tool, dict(_PERMISSIVE_TOOL))
    payload = session_payload(
        source=source,
        entry=signature.name,
        parameters_schema=signature.parameters_schema,
        returns_schema=signature.returns_schema,
        tool_schemas=schemas,
        cases=list(cases),
        observed={k: list(v) for k, v in (observed or observed_arguments(cases)).items()},
        settings=settings,
        tool_effects=tool_effects,
    )
    limits = sandbox.Limits(
        wall_seconds=settings.wall_seconds,
        cpu_seconds=settings.cpu_seconds,
        memory_mb=settings.memory_mb,
        result_bytes=16_000_000,
    )
    result = sandbox.run_trusted(TARGET, payload, limits=limits, executor=executor)
    if result.status != "ok" or not isinstance(result.value, Mapping):
        return _failed(_sandbox_reason(result), str(result.status), started, settings)
    value = result.value
    if value.get("rejected"):
        return _failed(
            f"the sandbox refused the skill: {value['rejected']}", "rejected", started, settings
        )
    replays = tuple(replay_outcome_from_json(item) for item in value.get("replays") or ())
    properties = tuple(PropertyResult.from_json(item) for item in value.get("properties") or ())
    reasons = [
        f"replay {outcome.trajectory_id}: {'; '.join(outcome.reasons)}"
        for outcome in replays
        if not outcome.passed
    ]
    reasons += [f"property {prop.name}: {prop.error}" for prop in properties if not prop.passed]
    return VerificationReport(
        passed=not reasons and bool(properties),
        replays=replays,
        properties=properties,
        seconds=time.perf_counter() - started,
        status="ok",
        reasons=tuple(reasons),
        settings=settings,
    )


def observed_arguments(cases: Sequence[ReplayCase]) -> dict[str, list[Any]]:
    """The values each parameter took across the cases (the realistic inputs to mix in)."""
    observed: dict[str, list[Any]] = {}
    for case in cases:
        for name, value in case.arguments.items():
            observed.setdefault(name, []).append(value)
    return observed


def _sandbox_reason(result: Any) -> str:
    if result.status == "limit":
        return f"the verification exceeded the sandbox's {result.limit} limit"
    if result.status == "rejected" and result.rejection is not None:
        return f"the sandbox refused to run the verification: {result.rejection.message}"
    error = result.error or {}
    return (
        f"the verification worker ended with status {result.status!r}: "
        f"{error.get('type', '?')}: {error.get('message', '')}"
    )


def _failed(
    reason: str, status: str, started: float, settings: VerifySettings
) -> VerificationReport:
    return VerificationReport(
        passed=False,
        seconds=time.perf_counter() - started,
        status=status,
        reasons=(reason,),
        settings=settings,
    )
