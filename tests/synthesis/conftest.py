"""Real benchmark trajectories, imported once per session through the public loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from skills_runtime.synthesis import SynthesisResult, synthesize
from skills_runtime.trajectory import load_trajectories
from skills_runtime.trajectory.model import Trajectory

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
TAU2 = DATA / "tau2_retail.jsonl"
TAU = DATA / "taubench_retail.jsonl"


def load(path: Path) -> list[Trajectory]:
    """Every trajectory of a benchmark file; the file must import without problems."""
    report = load_trajectories([path])
    assert not report.problems, report.problems[:3]
    return list(report.trajectories)


@pytest.fixture(scope="session")
def tau2() -> list[Trajectory]:
    return load(TAU2)


@pytest.fixture(scope="session")
def tau() -> list[Trajectory]:
    return load(TAU)


@pytest.fixture(scope="session")
def learned_from_all(tau2: list[Trajectory], tau: list[Trajectory]) -> SynthesisResult:
    return synthesize(tau2 + tau)
