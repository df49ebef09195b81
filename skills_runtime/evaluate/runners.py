"""Runners: how evaluation runs a skill's source against tools answering from a recording.

A runner is ``(source, entry, arguments, tools) -> RunOutcome``. :func:`sandbox_runner` runs
untrusted source in the sandbox's isolated workers; :func:`exec_runner` runs trusted source with
plain ``exec`` (tests of the engine, the synthesizer's own output). Whatever the skill does comes
back as a :class:`RunOutcome`: its value, or why it failed and the type of what it raised (a
``SkillPrecondition`` is a guard refusing the request).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sandbox
from skills_runtime.replay import RecordedTools

__all__ = [
    "RunOutcome",
    "Runner",
    "SandboxRunner",
    "SkillPrecondition",
    "exec_runner",
    "sandbox_runner",
]


@dataclass(frozen=True)
class RunOutcome:
    """What one run of a skill gave: its value, or why it failed."""

    value: Any = None
    failure: str | None = None
    error_type: str = ""
    """The type of what the skill raised (``SkillPrecondition`` for a guard), when it raised."""

    @property
    def refused(self) -> bool:
        """Whether a guard of the skill refused the request (it raised ``SkillPrecondition``)."""
        return self.error_type == "SkillPrecondition"


Runner = Callable[[str, str, Mapping[str, Any], RecordedTools], RunOutcome]
"""``(source, entry, arguments, tools) -> RunOutcome``; ``tools(name, arguments)`` answers calls."""


class SkillPrecondition(Exception):
    """The guard exception skill code raises (the sandbox provides its own as a builtin)."""


class _Tools:
    def __init__(self, dispatch: RecordedTools) -> None:
        self._dispatch = dispatch

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda **arguments: self._dispatch(name, arguments)


def exec_runner(
    source: str, entry: str, arguments: Mapping[str, Any], tools: RecordedTools
) -> RunOutcome:
    """Run trusted skill source with plain ``exec`` in this process: fast, and *not* isolation.

    For tests of the engine and for the synthesizer's own output only; untrusted code goes
    through :func:`sandbox_runner`.
    """
    namespace: dict[str, Any] = {
        "__builtins__": {**vars(builtins), "SkillPrecondition": SkillPrecondition}
    }
    try:
        exec(compile(source, f"<skill {entry}>", "exec"), namespace)
        value = namespace[entry](_Tools(tools), **dict(arguments))
    except Exception as error:  # the skill's failure is data, reported as the run's outcome
        return RunOutcome(None, f"{type(error).__name__}: {error}", type(error).__name__)
    return RunOutcome(value, None)


@dataclass(frozen=True)
class SandboxRunner:
    """Runs skill source in isolated sandbox workers, tools answered by the host recording.

    Pass one warm ``sandbox.ProcessPool`` as ``executor`` for a whole evaluation, so that each
    run pays a message round trip rather than a worker start.

    Args:
        executor: Where to run (``None``: the sandbox's shared default pool).
        limits: Limits of each run (``None``: the executor's).
    """

    executor: sandbox.Executor | None = None
    limits: sandbox.Limits | None = None

    def __call__(
        self, source: str, entry: str, arguments: Mapping[str, Any], tools: RecordedTools
    ) -> RunOutcome:
        names = sorted({call.name for call in tools.calls})
        granted = [
            sandbox.Tool(name=name, function=_host_tool(tools, name), schema={"type": "object"})
            for name in names
        ]
        result = sandbox.run(
            source,
            entry=entry,
            args=dict(arguments),
            tools=granted,
            limits=self.limits,
            executor=self.executor,
        )
        if result.status == "ok":
            return RunOutcome(result.value, None)
        if result.status == "rejected" and result.rejection is not None:
            rejection = result.rejection
            return RunOutcome(None, f"rejected at line {rejection.line}: {rejection.message}")
        detail = result.error or {}
        message = detail.get("message") if isinstance(detail, dict) else str(detail)
        raised = str(detail.get("type") or "") if isinstance(detail, dict) else ""
        kind = f" ({result.limit})" if result.status == "limit" else ""
        return RunOutcome(None, f"{result.status}{kind}: {message}", raised)


def sandbox_runner(
    source: str, entry: str, arguments: Mapping[str, Any], tools: RecordedTools
) -> RunOutcome:
    """Run skill source in the sandbox's shared warm pool (see :class:`SandboxRunner`)."""
    return SandboxRunner()(source, entry, arguments, tools)


def _host_tool(tools: RecordedTools, name: str) -> Callable[..., Any]:
    def call(**arguments: Any) -> Any:
        return tools(name, arguments)

    call.__name__ = name
    return call
