"""``skillbank trajectories PATH...``: import trajectories, summarize them, store nothing.

Exit codes: 0 when everything imported cleanly; 1 when the files were read but some records or
calls had problems (malformed records, arguments kept raw, unpaired calls, orphan results,
duplicate ids); 2 for bad usage: an unknown ``--format``, or a path that is missing or not a file
(the JSON document is still printed, with those paths among its problems).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from skills_runtime.cli._effects import (
    ContextOption,
    EffectsFileOption,
    ReadsOption,
    WritesOption,
    declared_from_options,
    print_effects,
)
from skills_runtime.cli._output import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    JsonOption,
    emit,
    fail,
    stdout,
)
from skills_runtime.cli.app import app
from skills_runtime.effects import EffectTable, infer_by_domain
from skills_runtime.errors import InvalidInput
from skills_runtime.trajectory import FORMATS, ImportReport, load_trajectories
from skills_runtime.trajectory.failures import failure_of

__all__ = ["summarize", "trajectories"]

_SHOWN_PROBLEMS = 50


@app.command("trajectories", reads_only=True)
def trajectories(
    paths: list[Path] = typer.Argument(  # noqa: B008 -- typer declares parameters by default value
        ..., help="Files of trajectories: JSON (one, or a list) or JSONL (one per line)."
    ),
    format: str = typer.Option(
        "auto", "--format", help=f"Record format: {' | '.join(FORMATS)} (auto detects per record)."
    ),
    writes: list[str] | None = WritesOption,
    reads: list[str] | None = ReadsOption,
    context: list[str] | None = ContextOption,
    effects_file: Path | None = EffectsFileOption,
    as_json: bool = JsonOption,
) -> None:
    """Parse trajectory files and summarize them (nothing is stored).

    It also decides, for every tool, whether its calls read or change state, and shows the
    evidence; correct a decision with --writes, --reads, --context or --effects FILE (learn
    takes the same options).

    Exit 0 when everything imported, 1 when some records had problems, 2 for bad usage
    (an unknown --format, a path that is missing or not a file).
    """
    try:
        report = load_trajectories(paths, format=format)
    except InvalidInput as error:
        fail(f"--format: {error}", as_json=as_json)
    declared = declared_from_options(writes, reads, context, effects_file, as_json=as_json)
    effects = infer_by_domain(report.trajectories, declared=declared)
    document = summarize(report, effects)
    unusable = [path for path in paths if not path.is_file()]
    if unusable:
        exit_code = EXIT_BAD_INPUT
    elif report.problems:
        exit_code = EXIT_FAILED
    else:
        exit_code = EXIT_OK
    emit(
        document,
        as_json=as_json,
        human=lambda: _render(report, paths, effects),
        exit_code=exit_code,
    )


def summarize(report: ImportReport, effects: EffectTable | None = None) -> dict[str, Any]:
    """The JSON summary of an import: counts, formats, splits, outcomes, tools, problems, and
    (when given) every tool's effect with its evidence."""
    calls = [call for trajectory in report.trajectories for call in trajectory.calls]
    decided = effects if effects is not None else infer_by_domain(report.trajectories)
    splits = Counter(trajectory.split or "(none)" for trajectory in report.trajectories)
    return {
        "trajectories": len(report.trajectories),
        "tool_calls": len(calls),
        "formats": dict(report.formats),
        "problems": [problem.to_json() for problem in report.problems],
        "splits": dict(sorted(splits.items())),
        "outcomes": dict(Counter(t.outcome.value for t in report.trajectories)),
        "tools": dict(Counter(call.name for call in calls).most_common()),
        "requests": sum(len(t.requests) for t in report.trajectories),
        "write_calls": sum(decided.is_write(call.name) for call in calls),
        "error_results": sum(call.is_error for call in calls),
        "failed_calls": sum(failure_of(call) is not None for call in calls),
        "unpaired_calls": sum(not call.paired for call in calls),
        "orphan_results": sum(len(t.orphan_results) for t in report.trajectories),
        "effects": decided.to_json(),
    }


def _render(report: ImportReport, paths: list[Path], effects: EffectTable) -> None:
    table = Table(title="Trajectories")
    for column in ("file", "trajectories", "tool calls", "splits", "problems"):
        table.add_column(
            column,
            justify="left" if column in ("file", "splits") else "right",
            overflow="fold",
        )
    for path in dict.fromkeys(str(path) for path in paths):
        mine = [
            trajectory
            for trajectory, source in zip(report.trajectories, report.sources, strict=True)
            if source == path
        ]
        splits = Counter(trajectory.split or "-" for trajectory in mine)
        table.add_row(
            path,
            str(len(mine)),
            str(sum(len(trajectory.calls) for trajectory in mine)),
            ", ".join(f"{split} {count}" for split, count in sorted(splits.items())),
            str(sum(problem.path == path for problem in report.problems)),
        )
    stdout.print(table)
    formats = ", ".join(f"{name} {count}" for name, count in report.formats.items()) or "none"
    stdout.print(
        f"{len(report.trajectories)} trajectories, {report.tool_calls} tool calls "
        f"(formats: {formats})"
    )
    for problem in report.problems[:_SHOWN_PROBLEMS]:
        stdout.print(Text.assemble(("problem", "yellow"), f" {problem}"))
    hidden = len(report.problems) - _SHOWN_PROBLEMS
    if hidden > 0:
        stdout.print(f"… and {hidden} more problems (use --json to see all)")
    print_effects(effects)
