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
from dataclasses import dataclass
from typing import Any

from sandbox._protocol import encode_text
from sandbox.errors import ConfigurationError
from sandbox.limits import Limits
from sandbox.result import RunResult
from sandbox.tools import Tool

__all__ = ["Request", "RequestExecutor", "run_request", "tools_tuple", "trusted_request"]

_SOURCE_CACHED_CHARS = 1 << 16
"""Sources up to this size keep their JSON text between calls (skills are called again and
again with the same source; larger ones are encoded per call rather than held twice)."""


@dataclass(frozen=True, slots=True)
class Request:
    """A checked worker request, held as the JSON text a worker receives.

    Built once per call and written to the worker as it is: the arguments are encoded once
    (which is also the check that they are JSON values), the limits and the source's text are
    reused across calls.
    """

    body: bytes

    def message(self) -> dict[str, Any]:
        """The request as a fresh JSON value (for running it in this process)."""
        message: dict[str, Any] = json.loads(self.body)
        return message


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


def _json_text(value: Any, what: str) -> bytes:
    try:
        return encode_text(value)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ConfigurationError(f"{what} must be JSON values: {exc}") from None


@functools.lru_cache(maxsize=64)
def _limits_json(limits: Limits) -> bytes:
    # Limits are frozen and few: their JSON text is built once, not on every call.
    return encode_text(limits.to_dict())


_cached_text = functools.lru_cache(maxsize=128)(encode_text)


def _source_json(source: str) -> bytes:
    return _cached_text(source) if len(source) <= _SOURCE_CACHED_CHARS else encode_text(source)


def run_request(source: str, entry: str, args: Mapping[str, Any], limits: Limits) -> Request:
    """The worker request for running restricted ``source``."""
    if not isinstance(source, str):
        raise ConfigurationError(f"source must be a str, got {type(source).__name__}")
    if not isinstance(entry, str) or not entry.isidentifier():
        raise ConfigurationError(f"entry {entry!r} must be a function name")
    if not isinstance(args, Mapping) or not all(isinstance(key, str) for key in args):
        raise ConfigurationError("args must be a mapping of argument names to JSON values")
    if "tools" in args:
        raise ConfigurationError("args must not contain 'tools': grant tools with tools=...")
    return Request(
        b'{"op":"run","source":%s,"entry":%s,"args":%s,"limits":%s}'
        % (
            _source_json(source),
            # An identifier holds no quote, backslash or control character: ASCII ones are
            # their own JSON text between quotes.
            b'"%s"' % entry.encode("ascii") if entry.isascii() else encode_text(entry),
            _json_text(args if type(args) is dict else dict(args), "args"),
            _limits_json(limits),
        )
    )


def trusted_request(target: str, payload: Any, limits: Limits) -> Request:
    """The worker request for running a trusted ``package.module:function``."""
    module, _, attribute = target.partition(":") if isinstance(target, str) else ("", "", "")
    if not module or not attribute:
        raise ConfigurationError(f"target {target!r} must look like 'package.module:function'")
    return Request(
        b'{"op":"trusted","target":%s,"payload":%s,"limits":%s}'
        % (encode_text(target), _json_text(payload, "payload"), _limits_json(limits))
    )


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
        self, request: Request, tools: tuple[Tool, ...], limits: Limits, *, trusted: bool
    ) -> RunResult:
        """Execute a validated worker request with ``tools`` granted under ``limits``."""
