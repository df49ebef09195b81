"""Fixtures of the registry tests: every registry test runs on a real SQLite file in a temporary
directory and on a real PostgreSQL server (a fresh tenant of a database of its own)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from skill_registry import Registry


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a new registry goes: a file path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "skills.db")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def registry(registry_location: str) -> Iterator[Registry]:
    """A fresh registry."""
    with Registry.open(registry_location, create=True) as opened:
        yield opened
