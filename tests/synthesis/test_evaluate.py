"""Held-out evaluation on the real benchmarks: learn on train, replay test."""

from __future__ import annotations

from typing import Any

from skills_runtime.evaluate import evaluate, exec_runner
from skills_runtime.synthesis import synthesize
from skills_runtime.trajectory.model import Trajectory


def _held_out(trajectories: list[Trajectory]) -> dict[str, object]:
    learned = synthesize(t for t in trajectories if t.split == "train")
    test = [t for t in trajectories if t.split == "test"]
    return evaluate(learned.skills, test, runner=exec_runner).to_json()


def test_tau2_retail_test_passes_half_of_all_and_nine_tenths_of_covered(
    tau2: list[Trajectory],
) -> None:
    report = _held_out(tau2)
    assert report["trajectories"] == 40
    assert report["pass_rate"] >= 0.5
    assert report["pass_rate_covered"] >= 0.9


def test_tau2_retail_passed_test_trajectories_take_at_least_half_the_calls_they_need(
    tau2: list[Trajectory],
) -> None:
    report = _held_out(tau2)
    assert isinstance(report["calls_after_needed"], int)
    assert report["calls_before"] >= 2 * report["calls_after_needed"]
    assert report["calls_after_needed"] <= report["calls_after"]


def test_tau_retail_test_passes_half_of_all_and_nine_tenths_of_covered(
    tau: list[Trajectory],
) -> None:
    report = _held_out(tau)
    assert report["trajectories"] == 115
    assert report["pass_rate"] >= 0.5
    assert report["pass_rate_covered"] >= 0.9


def test_a_skill_wrapping_only_a_write_saves_no_calls(tau: list[Trajectory]) -> None:
    report = _held_out(tau)
    rows = report["per_skill"]
    assert isinstance(rows, list)
    wrappers = [row for row in rows if row["name"].endswith("_only") and row["passed"]]
    assert wrappers
    assert all(row["calls_saved"] == 0 for row in wrappers)
    assert report["calls_after"] == report["calls_before"]


def test_per_trajectory_rows_say_why_a_trajectory_is_not_passed(tau2: list[Trajectory]) -> None:
    report = _held_out(tau2)
    rows = report["per_trajectory"]
    assert isinstance(rows, list)
    assert {"id", "covered", "passed", "skills", "reason"} <= set(rows[0])
    assert all(row["reason"] for row in rows if not row["passed"])
    assert all(row["skills"] for row in rows if row["passed"])


def _against_baseline(trajectories: list[Trajectory]) -> dict[str, Any]:
    learned = synthesize(t for t in trajectories if t.split == "train")
    sources = {tid for skill in learned.skills for tid in skill.source_trajectories}
    training = [t for t in trajectories if t.id in sources]
    test = [t for t in trajectories if t.split == "test"]
    report = evaluate(learned.skills, test, runner=exec_runner, training=training)
    return report.to_json()


def test_tau2_retail_skills_beat_the_raw_trajectory_baseline(tau2: list[Trajectory]) -> None:
    report = _against_baseline(tau2)

    comparison = report["comparison"]
    assert comparison["skills_beat_baseline"]
    assert comparison["skills_passed"] > comparison["baseline_passed"]
    assert report["baseline"]["trajectories"] == report["trajectories"]


def test_tau_retail_skills_beat_the_raw_trajectory_baseline(tau: list[Trajectory]) -> None:
    comparison = _against_baseline(tau)["comparison"]

    assert comparison["skills_beat_baseline"]
    assert comparison["skills_passed"] > comparison["baseline_passed"]
    calls = comparison["calls_on_both"]
    assert calls["skills"] <= calls["baseline"]
