"""Fixtures of the export tests: a real registry file with promoted skills, a real toolset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import sandbox
from export import hosttools, skills
from skill_registry import Registry
from skills_runtime.toolkit import Toolkit


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "skills.db"
    with Registry.open(path, create=True) as registry:
        for source in (skills.CANCEL, skills.STATUS, skills.FAILS, skills.SPINS):
            skills.store(registry, source)
    return path


@pytest.fixture
def registry(db_path: Path) -> Iterator[Registry]:
    with Registry.open(db_path) as opened:
        yield opened


@pytest.fixture
def toolkit(registry: Registry) -> Toolkit:
    limits = sandbox.Limits(wall_seconds=3.0, cpu_seconds=1.0)
    return Toolkit(registry, hosttools.toolset, limits=limits)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
