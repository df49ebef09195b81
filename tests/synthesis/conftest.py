"""Real benchmark trajectories, read once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from native import TAU, TAU2, load_native

from skills_runtime.synthesis import SynthesisResult, synthesize
from skills_runtime.trajectory.model import Trajectory


@pytest.fixture(scope="session")
def tau2() -> list[Trajectory]:
    return load_native(TAU2)


@pytest.fixture(scope="session")
def tau() -> list[Trajectory]:
    return load_native(TAU)


@pytest.fixture(scope="session")
def learned_from_all(tau2: list[Trajectory], tau: list[Trajectory]) -> SynthesisResult:
    return synthesize(tau2 + tau)
