"""Per-call resource limits: one frozen value passed explicitly to every executor."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from sandbox.errors import ConfigurationError

__all__ = ["LIMIT_KINDS", "Limits"]

#: Every value ``RunResult.limit`` can take.
LIMIT_KINDS = ("wall", "cpu", "memory", "output", "result_size", "tool_calls", "tool_time")


@dataclass(frozen=True, kw_only=True)
class Limits:
    """How much one call may use.

    Attributes:
        wall_seconds: Wall-clock time of the whole call (tool time included), enforced by the host.
        cpu_seconds: CPU time of the worker during the call.
        memory_mb: Address-space cap of the worker process, in MiB.
        output_bytes: Bytes of printed text captured; printing more ends the call.
        result_bytes: Bytes of the JSON-encoded return value.
        max_tool_calls: Tool calls the skill may make in one call (refused calls count).
        tool_seconds: Total seconds the host may spend running tools for one call.
        argument_bytes: Bytes of one tool call's JSON arguments; a larger call is refused
            (``ToolError``) without running the tool.
        record_bytes: Bytes the host keeps of each value in a tool-call record (arguments,
            result, error): a longer value is kept as a preview string ending in
            ``[truncated: N bytes]`` and the record is marked ``truncated``. The skill itself
            always receives the whole result.
        records_bytes: Bytes the host keeps of all tool-call records of one call together;
            past it, records keep only the tool name, the outcome and the sizes.
        message_bytes: Bytes kept of an error message (the skill's exception, a tool's error,
            a rejection); longer messages are cut and end in ``[truncated: N bytes]``.
    """

    wall_seconds: float = 10.0
    cpu_seconds: float = 5.0
    memory_mb: int = 512
    output_bytes: int = 64_000
    result_bytes: int = 1_000_000
    max_tool_calls: int = 100
    tool_seconds: float = 30.0
    argument_bytes: int = 256_000
    record_bytes: int = 4_000
    records_bytes: int = 256_000
    message_bytes: int = 2_000

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigurationError(f"Limits.{name} must be a number, got {value!r}")
            if not math.isfinite(value) or value <= 0:
                raise ConfigurationError(
                    f"Limits.{name} must be a finite number above 0, got {value!r}"
                )
        for name in ("argument_bytes", "record_bytes", "records_bytes", "message_bytes"):
            if not isinstance(getattr(self, name), int):
                raise ConfigurationError(
                    f"Limits.{name} must be a whole number of bytes, got {getattr(self, name)!r}"
                )
        if self.memory_mb < 32:
            raise ConfigurationError(
                f"Limits.memory_mb={self.memory_mb} is too small for a Python worker; use >= 32"
            )

    def to_dict(self) -> dict[str, Any]:
        """The limits as a JSON object."""
        return asdict(self)
