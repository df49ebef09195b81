"""``skillbank demo``: the main job on the bundled bookshop example, step by step.

The steps themselves live in :mod:`skills_runtime.demo`; this module only renders them (a panel
per step as it finishes) or prints ``{"skills": [...], "call": {...}, ...}`` with ``--json``.
Exit 0 when a skill was promoted and the agent's call returned a value, 1 otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from skill_registry import RegistryError
from skills_runtime.cli._output import (
    EXIT_FAILED,
    EXIT_OK,
    JsonOption,
    emit,
    fail,
    stderr,
    stdout,
)
from skills_runtime.cli._skill_view import STATE_STYLES
from skills_runtime.cli.app import app
from skills_runtime.errors import SkillbankError

if TYPE_CHECKING:
    from skills_runtime.demo import DemoStep

__all__ = ["demo", "render_step"]

_RESULT_CHARS = 160


def _skills(rows: list[dict[str, Any]]) -> Group:
    table = Table(title="Skills")
    # Names never wrap (they are what a reader copies); each tool chain gets its own line below.
    widest = max((len(row["name"]) for row in rows), default=4)
    table.add_column("name", no_wrap=True, min_width=widest)
    table.add_column("v", no_wrap=True)
    table.add_column("state", no_wrap=True)
    table.add_column("gates", no_wrap=True)

    def gates(check: bool | None, verify: bool | None) -> Text:
        if check is None:
            return Text("-", style="dim")
        if not check:
            return Text("check failed", style="red")
        if verify is None:
            return Text("not verified", style="dim")
        return Text("passed", style="green") if verify else Text("verify failed", style="red")

    chains = []
    for row in rows:
        table.add_row(
            Text(row["name"], style="bold"),
            str(row["version"]),
            Text(row["state"], style=STATE_STYLES.get(row["state"], "")),
            gates(row["check"], row["verify"]),
        )
        chains.append(
            Text.assemble(
                (row["name"], "bold"),
                f" ({len(row['source_trajectories'])} traces): ",
                " → ".join(row["tools"]),
            )
        )
    return Group(table, *chains)


def _state_changes(rows: list[dict[str, Any]]) -> Group:
    """One line per skill: its state move in the promote step (``verified → promoted``).

    The learn step already printed the table; the demo promotes exactly the verified versions,
    so a promoted row was verified a step ago and any other row did not move.
    """
    lines = []
    for row in rows:
        previous = "verified" if row["state"] == "promoted" else row["state"]
        state = Text(row["state"], style=STATE_STYLES.get(row["state"], ""))
        if previous and previous != row["state"]:
            move = Text.assemble((previous, STATE_STYLES.get(previous, "")), " → ", state)
        else:
            move = Text.assemble(state, (" (unchanged)", "dim"))
        lines.append(Text.assemble((row["name"], "bold"), f" v{row['version']}: ", move))
    return Group(*lines)


def _tool_schema(tool: dict[str, Any]) -> Syntax:
    """The tool declaration as pretty JSON, each description cut to its first line.

    Multi-line docstrings would show as literal ``\\n`` escapes inside JSON strings; the full
    text is in the written file.
    """

    def shorten(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: (
                    _first_line(item)
                    if key == "description" and isinstance(item, str)
                    else shorten(item)
                )
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [shorten(item) for item in value]
        return value

    text = json.dumps(shorten(tool), indent=2, ensure_ascii=False)
    return Syntax(text, "json", word_wrap=True)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) <= 1:
        return lines[0] if lines else ""
    return lines[0] + " …"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _RESULT_CHARS else text[: _RESULT_CHARS - 1] + "…"


def _calls(call: dict[str, Any]) -> Table:
    table = Table(title="Tool calls made by the skill, through the bridge")
    # Tool names stay whole (a reader looks them up); arguments and results fold.
    table.add_column("#", no_wrap=True, justify="right")
    table.add_column("tool", no_wrap=True)
    table.add_column("arguments", overflow="fold", ratio=1)
    table.add_column("result", overflow="fold", ratio=1)
    for number, inner in enumerate(call.get("tool_calls") or [], start=1):
        outcome = inner.get("error") or inner.get("result")
        table.add_row(
            str(number),
            Text(str(inner.get("name")), style="bold"),
            Text(_short(inner.get("arguments"))),
            Text(_short(outcome), style="red" if inner.get("error") else ""),
        )
    return table


def _body(step: DemoStep) -> list[RenderableType]:
    parts: list[RenderableType] = [Text(step.text)]
    data = step.data
    if step.key == "import":
        families = ", ".join(f"{name} ×{count}" for name, count in data["families"].items())
        parts.append(Text(f"procedures in the recordings: {families}", style="dim"))
    elif step.key == "promote":
        parts.append(_state_changes(data["skills"]))
    elif step.key == "learn":
        parts.append(_skills(data["skills"]))
        for row in data["skills"]:
            if row.get("why_not"):
                parts.append(Text(f"{row['name']} did not pass — {row['why_not']}", style="red"))
        for unexplained in data.get("unexplained") or []:
            parts.append(
                Text(f"not learned: {unexplained['trajectory_id']} — {unexplained['reason']}")
            )
    elif step.key == "export":
        if data.get("source"):
            parts.append(Text(f"The generated source of {data['shown']}:", style="bold"))
            parts.append(Syntax(data["source"], "python", line_numbers=True, word_wrap=True))
        shown = [t for t in data["tools"] if t.get("function", {}).get("name") == data.get("shown")]
        if shown:
            parts.append(Text("Its tool schema, as an agent receives it:", style="bold"))
            parts.append(_tool_schema(shown[0]))
        if data.get("path"):
            parts.append(Text(f"Written to {data['path']}.", style="dim"))
    elif step.key == "call" and data.get("skill"):
        parts.append(Text(f"{data['skill']}({json.dumps(data['arguments'])})", style="bold"))
        if data.get("tool_calls"):
            parts.append(_calls(data))
        if data.get("status") == "ok":
            parts.append(Text("result: " + _short(data.get("value")), style="green"))
        else:
            error = data.get("error") or {}
            parts.append(
                Text(f"error: {error.get('type', '')}: {error.get('message', '')}", style="red")
            )
    return parts


def render_step(step: DemoStep) -> None:
    """Print one finished step as a panel."""
    style = "green" if step.key == "done" else "blue"
    stdout.print(
        Panel(Group(*_body(step)), title=step.title, title_align="left", border_style=style)
    )


@app.command(
    "demo",
    epilog="Example: skillbank demo            (or: skillbank demo --json --workdir /tmp/demo)",
)
def demo(
    db: Path | None = typer.Option(  # noqa: B008 -- typer declares options by default value
        None, "--db", help="Registry file to create (default: WORKDIR/skillbank-demo.db, fresh)."
    ),
    workdir: Path | None = typer.Option(  # noqa: B008 -- typer declares options by default value
        None,
        "--workdir",
        help="Where the registry, exported tools and report go (./skillbank-demo).",
    ),
    as_json: bool = JsonOption,
) -> None:
    """Learn skills from the bundled bookshop trajectories, check, verify, promote, export, call.

    Runs offline in well under a minute. Everything it makes lands in --workdir: the registry,
    tools.openai.json and report.html. Exit 0 when a skill was promoted and the call succeeded.
    """
    # Imported on use, not at the top: `skillbank --help` and the other commands
    # need not load the pipeline (checker, verifier, sandbox).
    from skills_runtime.demo import run_demo

    try:
        if as_json:
            result = run_demo(workdir=workdir, db=db)
        else:
            with stderr.status("learning skills from the bookshop trajectories") as status:
                result = run_demo(
                    workdir=workdir,
                    db=db,
                    on_step=render_step,
                    progress=lambda line: status.update(line),
                )
    except (SkillbankError, RegistryError) as error:
        fail(str(error), as_json=as_json)
    emit(
        result.to_json(),
        as_json=as_json,
        human=lambda: None,
        exit_code=EXIT_OK if result.ok else EXIT_FAILED,
    )
