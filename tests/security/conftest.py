"""Fixtures of the security suite: a shared pool with small limits and planted secrets."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import ProcessPool

from .helpers import ATTACK_LIMITS, ENV_SECRET, ENV_SECRET_NAME

# Planted before any worker starts: a scrubbed environment must not carry it into workers.
os.environ[ENV_SECRET_NAME] = ENV_SECRET


@pytest.fixture(scope="session")
def attack_pool() -> Iterator[ProcessPool]:
    """The pool every attack runs in (shared, to keep the suite fast)."""
    with ProcessPool(size=2, limits=ATTACK_LIMITS) as pool:
        yield pool


@pytest.fixture(scope="session")
def canary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file outside every worker's temporary directory that no attack may touch."""
    path = tmp_path_factory.mktemp("canary") / "canary.txt"
    path.write_text("untouched")
    return path
