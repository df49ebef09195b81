"""How ``skillbank evaluate`` reads on a terminal: the skills' numbers, the same numbers for the
raw-trajectory baseline and the recorded runs, whether the skills beat the baseline, and the
held-out runs where using the skills would have done worse than no skill."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from skills_runtime.cli._output import stdout

if TYPE_CHECKING:
    from skills_runtime.evaluate import EvaluationReport

__all__ = ["print_evaluation"]

_SHOWN = 20


def print_evaluation(report: EvaluationReport) -> None:
    """The skills' table, the comparison with the baseline, harm, and the runs not passed."""
    table = Table(title=f"Held-out replay of {report.trajectories} trajectories")
    table.add_column("measure")
    table.add_column("value", justify="right")
    covered_rate = report.passed / report.covered if report.covered else 0.0
    for label, value in (
        ("covered", f"{report.covered} ({report.coverage:.0%})"),
        ("passed", f"{report.passed} ({report.pass_rate:.0%})"),
        ("passed of covered", f"{covered_rate:.0%}"),
        ("tool calls before", str(report.calls_before)),
        ("calls after (skills + leftovers)", str(report.calls_after)),
        ("calls saved", _saved(report.calls_before, report.calls_after)),
    ):
        table.add_row(label, value)
    stdout.print(table)
    comparison = report.comparison()
    if comparison is not None and report.baseline is not None:
        _print_comparison(report, comparison, report.baseline.training)
    elif report.trajectories:
        stdout.print("no baseline: the registry keeps no training run to compare the skills with")
    for harm in report.worse_than_no_skill[:_SHOWN]:
        stdout.print(
            Text.assemble(
                ("worse than no skill", "red"),
                f" {harm.trajectory_id} ({harm.unit}): {harm.kind} by {harm.skill}: {harm.detail}",
            ),
            soft_wrap=True,
        )
    if len(report.worse_than_no_skill) > _SHOWN:
        stdout.print(f"… and {len(report.worse_than_no_skill) - _SHOWN} more (see --json)")
    missed = [row for row in report.per_trajectory if not row.get("passed")]
    for row in missed[:_SHOWN]:
        reason = row.get("reason") or "not passed"
        stdout.print(Text.assemble(("not passed", "yellow"), f" {row.get('id')}: {reason}"))
    if len(missed) > _SHOWN:
        stdout.print(f"… and {len(missed) - _SHOWN} more (see --json)")


def _print_comparison(report: EvaluationReport, comparison: dict[str, Any], runs: int) -> None:
    calls = comparison["calls_on_both"]
    table = Table(
        title=f"Skills against the raw-trajectory baseline (nearest of {runs} training runs)"
    )
    table.add_column("serving each request with")
    table.add_column("passed", justify="right")
    table.add_column(f"calls on the {calls['tasks']} passed by both", justify="right")
    total = report.trajectories
    rows = (
        ("the recorded run (no skill)", total, calls["recorded"]),
        ("skills", comparison["skills_passed"], calls["skills"]),
        ("baseline: nearest training run", comparison["baseline_passed"], calls["baseline"]),
    )
    for label, passed, spent in rows:
        share = f" ({passed / total:.0%})" if total else ""
        table.add_row(label, f"{passed}{share}", str(spent))
    stdout.print(table)
    beat = comparison["skills_beat_baseline"]
    stdout.print(Text(comparison["verdict"], style="green" if beat else "yellow"), soft_wrap=True)
    worse = {harm.trajectory_id for harm in report.worse_than_no_skill}
    stdout.print(f"held-out runs where the skills would do worse than no skill: {len(worse)}")


def _saved(before: int, after: int) -> str:
    if not before:
        return "-"
    ratio = f", {before / after:.2f}x fewer" if after else ""
    return f"{before - after} ({(before - after) / before:.0%}{ratio})"
