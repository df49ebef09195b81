"""The bundled τ² retail sample keeps the real data's shape and learns into one exchange skill."""

from __future__ import annotations

from pathlib import Path

from skills_runtime.synthesis import synthesize
from skills_runtime.trajectory import load_trajectories

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tau2_retail"


def test_the_sample_ships_with_its_license() -> None:
    assert "MIT License" in (SAMPLE / "LICENSE.tau2-bench").read_text(encoding="utf-8")


def test_the_sample_imports_cleanly_as_native_records() -> None:
    report = load_trajectories([SAMPLE / "exchange_family.jsonl"])
    assert report.formats == {"native": 9}
    assert not report.problems
    assert {t.split for t in report.trajectories} == {"train", "test"}


def test_the_exchange_chain_is_learned_as_skills_that_write_the_exchange() -> None:
    trajectories = load_trajectories([SAMPLE / "exchange_family.jsonl"]).trajectories
    result = synthesize(trajectories)
    writers = [s for s in result.skills if "exchange_delivered_order_items" in s.tools]
    assert writers
    covered = {tid.partition("#")[0] for s in writers for tid in s.source_trajectories}
    assert len(covered) >= 8  # of 9: one trace skips the product lookups
