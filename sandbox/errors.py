"""Errors of the ``sandbox`` package.

Anything a skill does is reported as data (:class:`sandbox.RunResult`), never raised. Exceptions are
for misuse of this API by the host and for infrastructure failures::

    SandboxError
    ├── ConfigurationError(SandboxError, ValueError)   bad limits, tools, arguments or options
    ├── ExecutorClosed(SandboxError, RuntimeError)     a closed pool was asked to run something
    ├── PoolBusy(SandboxError, RuntimeError)           every worker busy, the queue full or too slow
    └── MissingEntry(SandboxError, LookupError)        compiled source defines no such function

Two more classes are visible *inside* skill code as builtins (they are not host errors)::

    Exception
    ├── SkillPrecondition   a guard of a skill found that a precondition does not hold
    └── ToolError           a tool call failed (not granted, bad arguments, the tool raised)

Host code that dispatches tool calls for a skill (``CompiledSkill.call``) raises ``ToolError`` to
report a failed call; the skill sees it and may catch it.
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "ExecutorClosed",
    "MissingEntry",
    "PoolBusy",
    "SandboxError",
    "SkillPrecondition",
    "ToolError",
]


class SandboxError(Exception):
    """Base of every error the sandbox raises on purpose in the host."""


class ConfigurationError(SandboxError, ValueError):
    """The host passed something unusable: the message names what and how to fix it."""


class ExecutorClosed(SandboxError, RuntimeError):
    """The executor was closed; create a new one."""


class PoolBusy(SandboxError, RuntimeError):
    """No worker could take the call in time: nothing ran; try again after ``retry_after``.

    Attributes:
        retry_after: Seconds after which a retry is likely to find a free worker.
        waiting: Calls that were waiting for a worker when this one was refused.
    """

    def __init__(self, message: str, *, retry_after: float, waiting: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.waiting = waiting


class MissingEntry(SandboxError, LookupError):
    """The compiled source defines no function of the requested entry name."""


class SkillPrecondition(Exception):
    """A precondition of this skill does not hold (raised by guards of synthesized skills)."""


class ToolError(Exception):
    """A tool call failed; the message says why. Skills may catch it."""
