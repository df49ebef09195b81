"""Run skills in the host process: fast, for TRUSTED code only — NOT an isolation boundary.

The language layer (restricted compilation, guards, helper namespaces) and the tool bridge
(grants, schemas, budgets, records) apply, and output and result sizes are capped. Nothing else
is enforced: no wall-clock, CPU or memory limit, and a flaw in the language layer is a flaw in
the host. Use :class:`sandbox.ProcessPool` for anything not written by you.
"""

from __future__ import annotations

import json
import time
from typing import Any

from sandbox._hygiene import reset_shared_state
from sandbox._request import Request, RequestExecutor
from sandbox._runner import encode_value, run_request
from sandbox.bridge import ToolBridge
from sandbox.errors import ToolError
from sandbox.limits import Limits
from sandbox.result import Rejection, RunResult
from sandbox.tools import Tool

__all__ = ["InProcessExecutor"]


class _OutputExceeded(BaseException):
    """Raised by the print sink once the cap is crossed (the verdict is kept by the sink)."""


class InProcessExecutor(RequestExecutor):
    """Executor running calls in the current process (trusted code; not isolation).

    Args:
        limits: Default limits; only output, result size and tool budgets are enforced.
    """

    def __init__(self, *, limits: Limits | None = None) -> None:
        self.limits = limits if limits is not None else Limits()

    def close(self) -> None:
        """Nothing to release (present for symmetry with ``ProcessPool``)."""

    def _execute(
        self, request: Request, tools: tuple[Tool, ...], limits: Limits, *, trusted: bool
    ) -> RunResult:
        bridge = ToolBridge(tools, limits)
        parts: list[str] = []
        size = [0]
        exceeded = [False]

        def sink(text: str) -> None:
            size[0] += len(text.encode("utf-8", "replace"))
            if size[0] > limits.output_bytes:
                exceeded[0] = True
                raise _OutputExceeded
            parts.append(text)

        def dispatch(name: str, arguments: dict[str, Any]) -> Any:
            ok, value = bridge.call(name, arguments)
            if not ok:
                raise ToolError(value)
            return value

        started = time.perf_counter()
        cpu_started = time.process_time()
        try:
            status, payload = run_request(request.message(), dispatch, sink)
        finally:
            reset_shared_state()
        stats = {
            "wall_seconds": round(time.perf_counter() - started, 6),
            "cpu_seconds": round(time.process_time() - cpu_started, 6),
            "max_rss_kib": None,
            "tool_seconds": round(bridge.tool_seconds, 6),
        }
        records = bridge.records
        # Budget and output verdicts are the harness's, whatever the skill did afterwards.
        if bridge.exceeded is not None:
            return RunResult(
                status="limit",
                limit=bridge.exceeded,  # type: ignore[arg-type]
                tool_calls=records,
                stats=stats,
            )
        if exceeded[0]:
            return RunResult(status="limit", limit="output", tool_calls=records, stats=stats)
        output = "".join(parts)
        if status == "memory":
            return RunResult(status="limit", limit="memory", tool_calls=records, stats=stats)
        if status == "rejected":
            return RunResult(status="rejected", rejection=Rejection(**payload), stats=stats)
        if status == "error":
            return RunResult(
                status="error", error=payload, output=output, tool_calls=records, stats=stats
            )
        text, problem = encode_value(payload)
        if text is None:
            return RunResult(
                status="error", error=problem, output=output, tool_calls=records, stats=stats
            )
        if len(text.encode("utf-8")) > limits.result_bytes:
            return RunResult(status="limit", limit="result_size", tool_calls=records, stats=stats)
        return RunResult(
            status="ok",
            value=json.loads(text),
            output=output,
            tool_calls=records,
            stats=stats,
        )
