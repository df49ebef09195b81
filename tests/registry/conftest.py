"""Fixtures of the registry tests: a real SQLite file in a temporary directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from skill_registry import Registry


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    """A fresh registry file."""
    with Registry.open(tmp_path / "skills.db", create=True) as opened:
        yield opened
