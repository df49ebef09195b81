"""Trusted probes run inside workers to observe the isolation layer from the inside."""

from __future__ import annotations

import os
import resource
import sys
from typing import Any


def environment(payload: Any, tools: Any) -> dict[str, Any]:
    """The worker's environment variable names and working directory."""
    return {"env": sorted(os.environ), "cwd": os.getcwd()}


def rlimits(payload: Any, tools: Any) -> dict[str, Any]:
    """The worker's resource limits and isolation flags."""
    names = {
        "as": resource.RLIMIT_AS,
        "core": resource.RLIMIT_CORE,
        "fsize": resource.RLIMIT_FSIZE,
        "nofile": resource.RLIMIT_NOFILE,
        "nproc": resource.RLIMIT_NPROC,
    }
    found: dict[str, Any] = {key: list(resource.getrlimit(value)) for key, value in names.items()}
    found["session_leader"] = os.getsid(0) == os.getpid()
    found["isolated"] = sys.flags.isolated
    return found
