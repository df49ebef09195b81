"""``skillbank learn`` and ``skillbank evaluate``: learn skills from trajectories, measure held-out.

``learn`` exits 0 when it stored skills and every one passed its gates, 1 when some skill failed a
gate (it is still stored, as a draft or candidate, with the reasons), 2 for bad input (a file that
cannot be read, files that hold no trajectory but only problems, an unusable registry).
``evaluate`` exits 0 when it ran (the numbers are the result), 2 for bad input (the same).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from skill_registry import Registry, RegistryError
from skills_runtime.cli._output import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    DbOption,
    JsonOption,
    default_db_path,
    emit,
    fail,
    require_files,
    stderr,
    stdout,
)
from skills_runtime.cli.app import app
from skills_runtime.errors import InvalidInput
from skills_runtime.trajectory import Problem

if TYPE_CHECKING:
    from skills_runtime.evaluate import EvaluationReport
    from skills_runtime.pipeline import LearnReport

__all__ = ["evaluate_command", "learn_command"]

_PathsArgument = typer.Argument(..., help="Trajectory files (native JSONL, OpenAI, Anthropic).")
_SplitOption = typer.Option(None, "--split", help="Only trajectories of this split, e.g. train.")
_TRAJECTORY_FILES = "trajectory files (JSON or JSONL)"
_SHOWN_PROBLEMS = 20


@app.command("learn")
def learn_command(
    paths: list[Path] = typer.Argument(  # noqa: B008 -- typer declares parameters by default value
        None, help="Trajectory files (native JSONL, OpenAI, Anthropic)."
    ),
    split: str | None = _SplitOption,
    recorded: bool = typer.Option(
        False,
        "--recorded",
        help="Also learn from host-tool calls agents made through `serve --record-host-calls`.",
    ),
    db: Path | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Learn skills: import, synthesize, check, verify (in the sandbox) and store them.

    Example: skillbank learn ../shared/data/tau2_retail.jsonl --split train --db skills.db
    """
    paths = paths or []
    if not paths and not recorded:
        fail(
            "nothing to learn from: give trajectory files, or --recorded to learn from the "
            "calls agents made through `skillbank serve --record-host-calls`",
            as_json=as_json,
        )
    require_files(paths, as_json=as_json, what=_TRAJECTORY_FILES)
    try:
        with Registry.open(default_db_path(db)) as registry:
            report = _learn_with_progress(
                paths, registry, split, recorded=recorded, show=not as_json
            )
    except (RegistryError, InvalidInput) as error:
        fail(str(error), as_json=as_json)
    if not report.trajectories and report.problems:
        exit_code = EXIT_BAD_INPUT
    elif any(not skill.gate.passed for skill in report.skills):
        exit_code = EXIT_FAILED
    else:
        exit_code = EXIT_OK
    emit(
        report.to_json(),
        as_json=as_json,
        human=lambda: _print_learned(report),
        exit_code=exit_code,
    )


def _learn_with_progress(
    paths: list[Path], registry: Registry, split: str | None, *, recorded: bool, show: bool
) -> LearnReport:
    # Imported on use, not at the top: `skillbank --help` and the other commands
    # need not load the pipeline (checker, verifier, sandbox).
    from skills_runtime.pipeline import learn

    if not show:
        return learn(paths, registry=registry, split=split, recorded=recorded)
    with Progress(
        TextColumn("[bold]gating[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def advance(name: str, done: int, total: int) -> None:
            bar.update(task, description=name, completed=done, total=total)

        return learn(paths, registry=registry, split=split, recorded=recorded, progress=advance)


def _print_learned(report: LearnReport) -> None:
    if not report.trajectories:
        stdout.print("Nothing was learned: no trajectory could be read. The registry is unchanged.")
        _print_problems(report.problems)
        return
    kept = f", {report.kept} kept from earlier runs" if report.kept else ""
    table = Table(
        title=f"Learned from {report.trajectories} trajectories "
        f"({report.trajectories - report.kept} given{kept})"
    )
    for column in ("skill", "version", "state", "from", "check", "verify"):
        table.add_column(column)
    for skill in report.skills:
        verification = skill.gate.verification
        table.add_row(
            skill.name,
            str(skill.version),
            skill.state,
            str(len(skill.source_trajectories)),
            "[green]ok[/]" if skill.gate.check.get("ok") else "[red]findings[/]",
            "-"
            if verification is None
            else ("[green]passed[/]" if verification.passed else "[red]failed[/]"),
        )
    stdout.print(table)
    for skill in report.skills:
        for reason in skill.gate.reasons[:3]:
            stdout.print(f"  [yellow]{skill.name}[/]: {reason}", highlight=False)
    stdout.print(
        f"{len(report.unexplained)} trajectory unit(s) fit no family (see --json for reasons); "
        + ", ".join(f"{stage} {value:.1f}s" for stage, value in report.seconds.items())
    )
    _print_problems(report.problems)


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems[:_SHOWN_PROBLEMS]:
        stdout.print(f"[red]problem[/] {problem}", highlight=False, soft_wrap=True)
    if len(problems) > _SHOWN_PROBLEMS:
        stdout.print(f"… and {len(problems) - _SHOWN_PROBLEMS} more problems (see --json)")


@app.command("evaluate")
def evaluate_command(
    paths: list[Path] = _PathsArgument,
    split: str | None = _SplitOption,
    db: Path | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Replay held-out trajectories against the stored skills; report coverage and pass rate.

    Example: skillbank evaluate ../shared/data/tau2_retail.jsonl --split test --db skills.db
    """
    from skills_runtime.pipeline import evaluate_stored  # the pipeline is heavy: load it on use

    require_files(paths, as_json=as_json, what=_TRAJECTORY_FILES)
    try:
        with Registry.open(default_db_path(db)) as registry:
            report, imported = evaluate_stored(paths, registry=registry, split=split)
    except (RegistryError, InvalidInput) as error:
        fail(str(error), as_json=as_json)
    document = report.to_json()
    document["problems"] = [problem.to_json() for problem in imported.problems]
    emit(
        document,
        as_json=as_json,
        human=lambda: _print_evaluation(report, imported.problems),
        exit_code=EXIT_BAD_INPUT if not report.trajectories and imported.problems else EXIT_OK,
    )


def _print_evaluation(report: EvaluationReport, problems: Sequence[Problem]) -> None:
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
    missed = [row for row in report.per_trajectory if not row.get("passed")]
    for row in missed[:_SHOWN_MISSES]:
        reason = row.get("reason") or "not passed"
        stdout.print(f"[yellow]not passed[/] {row.get('id')}: {reason}", highlight=False)
    if len(missed) > _SHOWN_MISSES:
        stdout.print(f"… and {len(missed) - _SHOWN_MISSES} more (see --json)")
    _print_problems(problems)


_SHOWN_MISSES = 20


def _saved(before: int, after: int) -> str:
    if not before:
        return "-"
    ratio = f", {before / after:.2f}x fewer" if after else ""
    return f"{before - after} ({(before - after) / before:.0%}{ratio})"
