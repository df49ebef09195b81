"""Fixtures of the CLI tests: a registry seeded by hand (see ``cli_seed.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_seed import seed_registry


@pytest.fixture
def seeded_db(tmp_path: Path) -> Path:
    """A registry: cancel v1 (gates passed), cancel v2 (verification failed), return v1 (draft)."""
    return seed_registry(tmp_path / "skills.db")
