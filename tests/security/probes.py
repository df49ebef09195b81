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


def helper_caches(payload: Any, tools: Any) -> dict[str, Any]:
    """What the caches behind the skills' helper namespaces hold right now, in this worker.

    Runs in the same warm worker right after a skill (``run_trusted`` takes the pool's idle
    worker): whatever the skill left in a shared cache is visible here.
    """
    import re

    from sandbox.namespaces import NAMESPACES

    secret = str(payload["secret"])
    patterns = [str(key) for key in re._cache]  # type: ignore[attr-defined]
    memoised = {
        f"{name}.{index}": member.cache_info().currsize
        for name, namespace in NAMESPACES.items()
        for index, member in enumerate(namespace.members())
        if callable(getattr(member, "cache_info", None))
    }
    return {
        "pid": os.getpid(),
        "re_patterns": len(patterns),
        "secret_in_re_cache": any(secret in key for key in patterns),
        "re_templates": re._compile_repl.cache_info().currsize,  # type: ignore[attr-defined]
        "memoised": memoised,
    }


def collector_state(payload: Any, tools: Any) -> dict[str, Any]:
    """The garbage collector's generation counts in this worker, right after a skill ran."""
    import gc

    return {"pid": os.getpid(), "counts": list(gc.get_count())}
