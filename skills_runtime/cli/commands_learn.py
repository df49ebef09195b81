"""``skillbank learn`` and ``skillbank evaluate``: learn skills from trajectories, measure held-out.

``learn`` exits 0 when it stored skills and every one passed its gates, 1 when some skill failed a
gate (it is still stored, as a draft or candidate, with the reasons), 2 for bad input (a file that
cannot be read, files that hold no trajectory but only problems, an unusable registry).
``evaluate`` exits 0 when it ran (the numbers are the result), 2 for bad input (the same).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.text import Text

from skill_registry import Registry, RegistryError
from skills_runtime.cli._effects import (
    ContextOption,
    EffectsFileOption,
    ReadsOption,
    ToolsetEffectsOption,
    WritesOption,
    declared_from_options,
    print_effects,
)
from skills_runtime.cli._evaluation_view import print_evaluation
from skills_runtime.cli._interrupt import reporting_interrupts
from skills_runtime.cli._output import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    DbOption,
    JsonOption,
    describe_registry,
    emit,
    fail,
    open_registry_at,
    require_files,
    stdout,
)
from skills_runtime.cli._progress import progress
from skills_runtime.cli._skill_view import aligned_lines, open_registry
from skills_runtime.cli.app import app
from skills_runtime.effects import Declared
from skills_runtime.errors import InvalidInput
from skills_runtime.trajectory import (
    FORMATS,
    ImportReport,
    Problem,
    Trajectory,
    TrajectoryFiles,
    load_trajectories,
)

if TYPE_CHECKING:
    from skills_runtime.evaluate import EvaluationReport
    from skills_runtime.pipeline import LearnReport

__all__ = ["evaluate_command", "learn_command"]

_PathsArgument = typer.Argument(
    ..., help="Trajectory files: native JSONL, OpenAI, Anthropic, MCP logs (--format)."
)
_SplitOption = typer.Option(None, "--split", help="Only trajectories of this split, e.g. train.")
_FormatOption = typer.Option(
    "auto", "--format", help=f"Record format: {' | '.join(FORMATS)} (auto detects per record)."
)
_SHOWN_PROBLEMS = 20
_SHOWN_REASONS = 8


@app.command("learn")
def learn_command(
    paths: list[Path] = typer.Argument(  # noqa: B008 -- typer declares parameters by default value
        None, help="Trajectory files: native JSONL, OpenAI, Anthropic, MCP logs (--format)."
    ),
    split: str | None = _SplitOption,
    format: str = _FormatOption,
    recorded: bool = typer.Option(
        False,
        "--recorded",
        help="Also learn from host-tool calls agents made through `serve --record-host-calls`.",
    ),
    writes: list[str] | None = WritesOption,
    reads: list[str] | None = ReadsOption,
    context: list[str] | None = ContextOption,
    effects_file: Path | None = EffectsFileOption,
    tools: str | None = ToolsetEffectsOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Learn skills: import, synthesize, check, verify (in the sandbox) and store them.

    Which tools change state is decided from the traces (see `skillbank trajectories`) and
    stored with each skill; --writes, --reads, --context and --effects FILE override it.

    Example: skillbank learn ../shared/data/tau2_retail.jsonl --split train --db skills.db
    """
    from skills_runtime.pipeline import LearnReport, split_missing

    paths = paths or []
    if not paths and not recorded:
        fail(
            "nothing to learn from: give trajectory files, or --recorded to learn from the "
            "calls agents made through `skillbank serve --record-host-calls`",
            as_json=as_json,
        )
    declared = declared_from_options(
        writes, reads, context, effects_file, as_json=as_json, tools=tools
    )
    files = _files(paths, format=format, as_json=as_json)
    found, splits = _first_of_split(files, split)
    if paths and found is None and split is not None and files.count:
        fail(f"--split: {split_missing(split, splits)}", as_json=as_json)
    if paths and found is None:
        # Nothing to learn from what was given: the registry is not opened (so not created).
        imported = ImportReport((), files.problems, files.formats)
        report = LearnReport((), (), files.problems, 0)
        emit(
            report.to_json(),
            as_json=as_json,
            human=lambda: _print_nothing(imported, describe_registry(db)),
            exit_code=EXIT_BAD_INPUT,
        )
    try:
        with open_registry_at(db, create=True) as registry:
            report = _learn_with_progress(
                paths,
                registry,
                split=split,
                format=format,
                recorded=recorded,
                quiet=as_json,
                declared=declared,
            )
    except (RegistryError, InvalidInput) as error:
        fail(str(error), as_json=as_json)
    exit_code = EXIT_FAILED if any(not skill.gate.passed for skill in report.skills) else EXIT_OK
    emit(
        report.to_json(),
        as_json=as_json,
        human=lambda: _print_learned(report),
        exit_code=exit_code,
    )


def _import(paths: list[Path], *, format: str, as_json: bool) -> ImportReport:
    """The trajectories in ``paths``; unreadable paths and an unknown format exit 2."""
    require_files(paths, as_json=as_json)
    try:
        return load_trajectories(paths, format=format)
    except InvalidInput as error:
        fail(f"--format: {error}", as_json=as_json)


def _files(paths: list[Path], *, format: str, as_json: bool) -> TrajectoryFiles:
    """The files, to be read lazily; unreadable paths and an unknown format exit 2."""
    require_files(paths, as_json=as_json)
    try:
        return TrajectoryFiles(paths, format=format)
    except InvalidInput as error:
        fail(f"--format: {error}", as_json=as_json)


def _first_of_split(
    files: TrajectoryFiles, split: str | None
) -> tuple[Trajectory | None, set[str]]:
    """The first trajectory of the split, read no further than it; else the splits present
    (the files were then read to the end, and their problems are known)."""
    splits: set[str] = set()
    for trajectory in files:
        if split is None or trajectory.split == split:
            return trajectory, splits
        if trajectory.split is not None:
            splits.add(trajectory.split)
    return None, splits


def _learn_with_progress(
    paths: Sequence[Path],
    registry: Registry,
    *,
    split: str | None,
    format: str,
    recorded: bool,
    quiet: bool,
    declared: Declared,
) -> LearnReport:
    # Imported on use, not at the top: `skillbank --help` and the other commands
    # need not load the pipeline (checker, verifier, sandbox).
    from skills_runtime.pipeline import learn

    with reporting_interrupts(registry, as_json=quiet), progress("gating", quiet=quiet) as advance:
        return learn(
            paths,
            registry=registry,
            split=split,
            format=format,
            recorded=recorded,
            progress=advance,
            declared=declared,
        )


def _print_nothing(imported: ImportReport, db: str) -> None:
    stdout.print(
        Text(
            "Nothing was learned: no trajectory could be read. "
            f"The registry {str(db)!r} was not opened or changed."
        )
    )
    _print_problems(imported.problems)


def _print_learned(report: LearnReport) -> None:
    kept = f", {report.kept} kept from earlier runs" if report.kept else ""
    stdout.print(
        Text(
            f"Learned from {report.trajectories} trajectories "
            f"({report.trajectories - report.kept} given{kept})",
            style="bold",
        )
    )
    rows = [
        (
            skill.name,
            str(skill.version),
            skill.state,
            str(len(skill.source_trajectories)),
            "ok" if skill.gate.check.get("ok") else "findings",
            "-"
            if skill.gate.verification is None
            else ("passed" if skill.gate.verification.passed else "failed"),
        )
        for skill in report.skills
    ]
    for line in aligned_lines(("skill", "version", "state", "from", "check", "verify"), rows):
        stdout.print(line, soft_wrap=True)
    for skill in report.skills:
        for reason in skill.gate.reasons[:3]:
            stdout.print(Text.assemble((skill.name, "yellow"), f": {reason}"), soft_wrap=True)
    if report.unchanged:
        stdout.print(
            Text(
                f"{len(report.unchanged)} skill(s) not learned again: their procedures gained "
                f"nothing since they were learned ({', '.join(report.unchanged)})"
            ),
            soft_wrap=True,
        )
    for old in report.superseded:
        action = (
            "deprecated"
            if old.deprecated
            else f"still promoted: deprecate it once {old.by} is promoted"
        )
        stdout.print(
            Text(
                f"{old.name} v{old.version} superseded by {old.by} v{old.by_version}, learned "
                f"from all its procedures ({action})"
            ),
            soft_wrap=True,
        )
    print_effects(report.effects)
    _print_outcomes(report.stats)
    _print_unexplained(report.unexplained_counts)
    stdout.print(", ".join(f"{stage} {value:.1f}s" for stage, value in report.seconds.items()))
    _print_problems(report.problems)


def _print_unexplained(counts: dict[str, int]) -> None:
    total = sum(counts.values())
    stdout.print(
        f"{total} trajectory unit(s) fit no family"
        + (" (see --json for examples of each reason):" if total else "")
    )
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    for reason, count in ranked[:_SHOWN_REASONS]:
        stdout.print(Text(f"  {count:>6}  {reason}"), soft_wrap=True)
    if len(ranked) > _SHOWN_REASONS:
        stdout.print(f"  … and {len(ranked) - _SHOWN_REASONS} more reasons (see --json)")


def _print_outcomes(stats: dict[str, int]) -> None:
    known = {key.removeprefix("units_"): n for key, n in stats.items() if key.startswith("units_")}
    if not known:
        return
    said = ", ".join(f"{n} {outcome}" for outcome, n in sorted(known.items()))
    stdout.print(
        Text(
            f"Procedures by the outcome their recordings state: {said}"
            + (
                " (unknown: learned from where they agree with runs known to have succeeded)"
                if known.get("unknown")
                else ""
            )
        ),
        soft_wrap=True,
    )


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems[:_SHOWN_PROBLEMS]:
        stdout.print(Text.assemble(("problem", "red"), f" {problem}"), soft_wrap=True)
    if len(problems) > _SHOWN_PROBLEMS:
        stdout.print(f"… and {len(problems) - _SHOWN_PROBLEMS} more problems (see --json)")


@app.command("evaluate", reads_only=True)
def evaluate_command(
    paths: list[Path] = _PathsArgument,
    split: str | None = _SplitOption,
    format: str = _FormatOption,
    writes: list[str] | None = WritesOption,
    reads: list[str] | None = ReadsOption,
    context: list[str] | None = ContextOption,
    effects_file: Path | None = EffectsFileOption,
    tools: str | None = ToolsetEffectsOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Replay held-out trajectories against the stored skills; report coverage and pass rate.

    Beside the skills, a baseline replays for each held-out run the most similar training run
    (kept in the registry) with rebound arguments; the report says whether the skills beat it,
    and lists held-out runs where using the skills would do worse than no skill (a wrong or
    extra write, a refused request).

    Tools are read or write as the skills were learned (their provenance keeps it), else as the
    held-out traces show; --writes, --reads, --context and --effects FILE override both.

    Example: skillbank evaluate ../shared/data/tau2_retail.jsonl --split test --db skills.db
    """
    from skills_runtime.evaluate import EvaluationReport
    from skills_runtime.pipeline import evaluate_stored  # the pipeline is heavy: load it on use

    declared = declared_from_options(
        writes, reads, context, effects_file, as_json=as_json, tools=tools
    )
    imported = _import(paths, format=format, as_json=as_json)
    if not imported.trajectories:
        # Nothing readable to replay: say so without needing (or touching) a registry.
        _emit_evaluation(EvaluationReport(0, 0, 0, 0, 0, (), ()), imported.problems, as_json)
    try:
        with (
            open_registry(db, as_json=as_json) as registry,
            progress("replaying", quiet=as_json) as advance,
        ):
            report, _ = evaluate_stored(
                registry=registry,
                trajectories=imported.trajectories,
                split=split,
                progress=advance,
                declared=declared,
            )
    except (RegistryError, InvalidInput) as error:
        fail(str(error), as_json=as_json)
    _emit_evaluation(report, imported.problems, as_json)


def _emit_evaluation(
    report: EvaluationReport, problems: Sequence[Problem], as_json: bool
) -> NoReturn:
    document = report.to_json()
    document["problems"] = [problem.to_json() for problem in problems]
    emit(
        document,
        as_json=as_json,
        human=lambda: _print_evaluation(report, problems),
        exit_code=EXIT_BAD_INPUT if not report.trajectories and problems else EXIT_OK,
    )


def _print_evaluation(report: EvaluationReport, problems: Sequence[Problem]) -> None:
    print_evaluation(report)
    _print_problems(problems)
