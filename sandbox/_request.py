"""Validation of what the host asks for (misuse raises; skill behaviour never does).

:class:`RequestExecutor` is the front half every executor of ours shares: ``run`` and
``run_trusted`` check the host's call, turn it into a worker request and pick the limits; a
subclass only says how a request is executed.
"""

from __future__ import annotations

import abc
import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sandbox.errors import ConfigurationError
from sandbox.limits import Limits
from sandbox.result import RunResult
from sandbox.tools import Tool

__all__ = ["RequestExecutor", "run_request", "tools_tuple", "trusted_request"]


def tools_tuple(tools: Iterable[Tool]) -> tuple[Tool, ...]:
    """The granted tools, checked for type and unique names."""
    granted = tuple(tools)
    names: set[str] = set()
    for tool in granted:
        if not isinstance(tool, Tool):
            raise ConfigurationError(
                f"tools must be sandbox.Tool values, got {type(tool).__name__}"
            )
        if tool.name in names:
            raise ConfigurationError(f"tool {tool.name!r} is granted twice")
        names.add(tool.name)
    return granted


def _json(value: Any, what: str) -> Any:
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError, RecursionError) as exc:
        raise ConfigurationError(f"{what} must be JSON values: {exc}") from None


@functools.lru_cache(maxsize=64)
def _limits_json(limits: Limits) -> dict[str, Any]:
    # Limits are frozen and few: their JSON form is built once, not on every call. The dict is
    # only ever encoded, never changed.
    return limits.to_dict()


def run_request(source: str, entry: str, args: Mapping[str, Any], limits: Limits) -> dict[str, Any]:
    """The worker request for running restricted ``source``."""
    if not isinstance(source, str):
        raise ConfigurationError(f"source must be a str, got {type(source).__name__}")
    if not isinstance(entry, str) or not entry.isidentifier():
        raise ConfigurationError(f"entry {entry!r} must be a function name")
    if not isinstance(args, Mapping) or not all(isinstance(key, str) for key in args):
        raise ConfigurationError("args must be a mapping of argument names to JSON values")
    if "tools" in args:
        raise ConfigurationError("args must not contain 'tools': grant tools with tools=...")
    return {
        "op": "run",
        "source": source,
        "entry": entry,
        "args": _json(dict(args), "args"),
        "limits": _limits_json(limits),
    }


def trusted_request(target: str, payload: Any, limits: Limits) -> dict[str, Any]:
    """The worker request for running a trusted ``package.module:function``."""
    module, _, attribute = target.partition(":") if isinstance(target, str) else ("", "", "")
    if not module or not attribute:
        raise ConfigurationError(f"target {target!r} must look like 'package.module:function'")
    return {
        "op": "trusted",
        "target": target,
        "payload": _json(payload, "payload"),
        "limits": _limits_json(limits),
    }


class RequestExecutor(abc.ABC):
    """Base of the executors: validated requests in, :class:`RunResult` out.

    Attributes:
        limits: Default limits of calls that give none.
    """

    limits: Limits

    def run(
        self,
        source: str,
        *,
        entry: str,
        args: Mapping[str, Any],
        tools: Iterable[Tool] = (),
        limits: Limits | None = None,
    ) -> RunResult:
        """Run restricted ``source`` by calling its function ``entry`` with ``args``.

        Args:
            source: Skill module source (annotations allowed).
            entry: Name of the function to call.
            args: Keyword arguments (JSON values).
            tools: Tools granted for this call.
            limits: Limits of this call; ``None`` uses the executor's.

        Returns:
            The result; never raises for anything the skill did.

        Raises:
            ConfigurationError: Bad arguments from the host.
            ExecutorClosed: The executor was closed.
        """
        call_limits = limits if limits is not None else self.limits
        request = run_request(source, entry, args, call_limits)
        return self._execute(request, tools_tuple(tools), call_limits, trusted=False)

    def run_trusted(
        self,
        target: str,
        payload: Any,
        *,
        tools: Iterable[Tool] = (),
        limits: Limits | None = None,
    ) -> RunResult:
        """Import and call TRUSTED ``"package.module:function"`` as ``function(payload, tools)``."""
        call_limits = limits if limits is not None else self.limits
        request = trusted_request(target, payload, call_limits)
        return self._execute(request, tools_tuple(tools), call_limits, trusted=True)

    @abc.abstractmethod
    def _execute(
        self, request: dict[str, Any], tools: tuple[Tool, ...], limits: Limits, *, trusted: bool
    ) -> RunResult:
        """Execute a validated worker request with ``tools`` granted under ``limits``."""
