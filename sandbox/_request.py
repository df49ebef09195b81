"""Validation of what the host asks for (misuse raises; skill behaviour never does)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sandbox.errors import ConfigurationError
from sandbox.limits import Limits
from sandbox.tools import Tool

__all__ = ["run_request", "tools_tuple", "trusted_request"]


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
        "limits": limits.to_dict(),
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
        "limits": limits.to_dict(),
    }
