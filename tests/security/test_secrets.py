"""Secrets planted in the host (an environment variable, a global) stay in the host."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox import ProcessPool

from .helpers import ENV_SECRET, ENV_SECRET_NAME, HOST_SECRET, assert_unharmed, attack, cases

ATTACKS = {
    "env_name": ("def f():\n    return environ['" + ENV_SECRET_NAME + "']", ("error", "NameError")),
    "host_global_name": ("def f():\n    return HOST_SECRET", ("error", "NameError")),
    "tool_closure_globals": (
        "def f(tools):\n    return getattr(tools.get_order, '__globals__')['HOST_SECRET']",
        ("error", "AttributeError"),
    ),
    "namespace_function_globals": (
        "def f():\n    return getattr(dates.today, '__globals__')",
        ("error", "AttributeError"),
    ),
    "proc_environ": (
        "def f():\n    return open('/proc/self/environ').read()",
        ("error", "NameError"),
    ),
}


@pytest.mark.parametrize(("source", "expected"), cases(ATTACKS))
def test_planted_secrets_are_unreachable(
    attack_pool: ProcessPool, canary: Path, source: str, expected: tuple[str, Any]
) -> None:
    attack(attack_pool, source, expected, canary)


def test_workers_get_a_scrubbed_environment_and_a_temporary_cwd(
    attack_pool: ProcessPool, canary: Path
) -> None:
    result = attack_pool.run_trusted("security.probes:environment", None)
    assert result.status == "ok", result
    assert sorted(result.value["env"]) == ["LANG", "LC_ALL", "PATH"]
    assert "sandbox-worker-" in result.value["cwd"]
    assert ENV_SECRET not in result.to_json()
    assert_unharmed(attack_pool, result, canary)


def test_workers_run_under_resource_limits(attack_pool: ProcessPool, canary: Path) -> None:
    result = attack_pool.run_trusted("security.probes:rlimits", None)
    assert result.status == "ok", result
    assert result.value == {
        "as": [256 * 1024 * 1024, 256 * 1024 * 1024],
        "core": [0, 0],
        "fsize": [0, 0],
        "nofile": [64, 64],
        "nproc": [0, 0],
        "session_leader": True,
        "isolated": 1,
    }
    assert_unharmed(attack_pool, result, canary)


def test_the_host_secret_global_exists_only_in_the_host() -> None:
    assert HOST_SECRET.startswith("host-global-secret")
