"""Shared pieces of the registry commands: opening the registry, and rich views of skills."""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from skill_registry import (
    Registry,
    RegistryError,
    RegistryNotFound,
    SkillSummary,
    UnknownSkillError,
)
from skills_runtime.cli._output import (
    EXIT_BAD_INPUT,
    describe_registry,
    fail,
    open_registry_at,
)
from skills_runtime.report import Dossier

__all__ = [
    "STATE_STYLES",
    "actor",
    "aligned_lines",
    "dossier_view",
    "format_reliability",
    "open_registry",
    "plural",
    "skills_lines",
]

STATE_STYLES = {
    "draft": "dim",
    "candidate": "yellow",
    "verified": "cyan",
    "promoted": "bold green",
    "deprecated": "magenta",
    "rejected": "red",
}


def plural(count: int, noun: str) -> str:
    """``1 skill``, ``4 skills``: a count with its noun in the right number."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def actor() -> str:
    """Who a lifecycle move from the command line is attributed to in the audit log."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry, e.g. an arbitrary uid in a container
        return "cli"


@contextmanager
def open_registry(db: str | None, *, as_json: bool) -> Iterator[Registry]:
    """Open the registry a command reads (it must exist); turn registry errors into exit 2.

    Lookups of unknown skills exit 2 with the registry's message (which names close matches).
    Other registry errors raised inside the block propagate to the command.
    """
    try:
        registry = open_registry_at(db)
    except RegistryNotFound:
        fail(
            f"no registry at {describe_registry(db)!r} (from {_db_source(db)}); learn skills "
            "into it first (`skillbank learn FILE.jsonl`), or pass --db PATH of an existing "
            "registry (`skillbank demo` keeps its own in skillbank-demo/skillbank-demo.db)",
            as_json=as_json,
        )
    except RegistryError as error:
        fail(f"--db {describe_registry(db)!r}: {error}", as_json=as_json)
    try:
        yield registry
    except UnknownSkillError as error:
        fail(str(error), as_json=as_json, exit_code=EXIT_BAD_INPUT)
    finally:
        registry.close()


def _db_source(db: str | None) -> str:
    if db is not None:
        return "--db"
    return "$SKILLBANK_DB" if os.environ.get("SKILLBANK_DB") else "the default, ./skillbank.db"


def format_reliability(reliability: dict[str, Any]) -> str:
    """``3/4 (≥0.40)``, ``3/4 (≥0.40) 2 refused`` with guard refusals, ``-`` with no uses.

    Refusals are shown because they count as successes when no write came before them: a skill
    that refuses everything would otherwise look perfectly reliable.
    """
    uses = int(reliability.get("successes", 0)) + int(reliability.get("failures", 0))
    if not uses:
        return "-"
    text = f"{reliability['successes']}/{uses} (≥{float(reliability['lower_bound']):.2f})"
    refusals = int(reliability.get("refusals", 0))
    return f"{text} {refusals} refused" if refusals else text


def _state(state: str) -> Text:
    return Text(state, style=STATE_STYLES.get(state, ""))


def _truncated(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis when longer."""
    line = " ".join(text.split())
    if len(line) <= width:
        return line
    return line[: max(width - 1, 0)] + "…" if width > 0 else ""


def aligned_lines(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[Text]:
    """A header and rows as aligned plain lines, no cell ever cut (names are what readers copy).

    Unlike a rich table, nothing is shrunk to fit the terminal: a line wider than the screen
    wraps (print with ``soft_wrap=True``), it is not cut with an ellipsis.
    """
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for number, row in enumerate([header, *rows]):
        line = Text(end="")
        for column, (cell, width) in enumerate(zip(row, widths, strict=True)):
            if column:
                line.append("  ")
            padded = cell.ljust(width) if column + 1 < len(row) else cell
            if not number:
                line.append(padded, style="bold underline")
            else:
                line.append(padded, style=_CELL_STYLES.get(cell, "bold" if not column else ""))
        line.rstrip()
        lines.append(line)
    return lines


_CELL_STYLES = {
    **STATE_STYLES,
    "ok": "green",
    "passed": "green",
    "findings": "red",
    "failed": "red",
}


def skills_lines(skills: Sequence[SkillSummary], *, width: int) -> list[Text]:
    """A header and one line per skill, sorted by name, never wider than ``width`` when it fits.

    Names are never cut (they are what a reader copies); the summary takes the room that is left
    and is cut with an ellipsis rather than wrapped, so a narrow terminal or a pipe (where rich
    assumes 80 columns) still reads one skill per line.
    """
    ordered = sorted(skills, key=lambda skill: skill.name)
    rows = [
        (
            skill.name,
            f"v{skill.version}",
            skill.state.value,
            format_reliability(skill.reliability.to_json()),
            skill.summary,
        )
        for skill in ordered
    ]
    header = ("name", "version", "state", "reliability", "summary")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    room = max(width - sum(widths) - 2 * len(widths), 0)
    lines = []
    for number, row in enumerate([header, *rows]):
        name, version, state, reliability, summary = row
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        line.append(name.ljust(widths[0]), style="bold" if number else "bold underline")
        line.append("  " + version.rjust(widths[1]) + "  ")
        line.append(state.ljust(widths[2]), style=STATE_STYLES.get(state, "") if number else "")
        line.append("  " + reliability.rjust(widths[3]) + "  ")
        line.append(_truncated(summary, room).rstrip(), style="" if number else "bold")
        line.rstrip()
        lines.append(line)
    return lines


def _when(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M")


def _parameters(schema: dict[str, Any]) -> Table:
    table = Table(title="Parameters (JSON Schema)", title_justify="left")
    for column in ("name", "schema", "required", "description"):
        table.add_column(column, overflow="fold")
    required = set(schema.get("required") or [])
    for name, spec in (schema.get("properties") or {}).items():
        shown = {k: v for k, v in spec.items() if k != "description"}
        table.add_row(
            Text(name),
            Text(json.dumps(shown)),
            "yes" if name in required else "no",
            Text(str(spec.get("description") or "")),
        )
    return table


def _evidence(item: Dossier) -> list[RenderableType]:
    parts: list[RenderableType] = []
    if item.check is None:
        parts.append(Text("check: not run", style="dim"))
    else:
        verdict = "passed" if item.check["passed"] else "failed"
        parts.append(Text(f"check: {verdict}", style="green" if item.check["passed"] else "red"))
        for finding in item.findings:
            parts.append(
                Text(
                    f"  {finding.get('code')} line {finding.get('line')}: {finding.get('message')}"
                )
            )
    if item.verify is None:
        parts.append(Text("verify: not run", style="dim"))
        return parts
    passed = bool(item.verify["passed"])
    replays = item.replays
    held = sum(bool(r.get("passed")) for r in replays)
    held_names = [str(p.get("name")) for p in item.properties if p.get("passed")]
    parts.append(
        Text(
            f"verify: {'passed' if passed else 'failed'} — {held}/{len(replays)} replays of source "
            "trajectories",
            style="green" if passed else "red",
        )
    )
    parts.append(
        Text(
            f"  {len(held_names)}/{len(item.properties)} properties held"
            + (f": {', '.join(held_names)}" if held_names else "")
        )
    )
    for reason in item.verify["report"].get("reasons") or []:
        parts.append(Text(f"  {reason}", style="red"))
    for prop in item.failed_properties:
        parts.append(Text(f"  property {prop.get('name')} failed: {prop.get('error') or ''}"))
        if prop.get("falsifying_example"):
            example = json.dumps(prop["falsifying_example"], indent=2, default=str)
            parts.append(Syntax(example, "json", word_wrap=True))
    return parts


def _call_line(name: str, arguments: Any, *, width: int) -> Text:
    shown = json.dumps(arguments, ensure_ascii=False, sort_keys=True, default=str)
    return Text("    " + _truncated(f"{name}({shown})", width - 4), no_wrap=True)


def _trajectory(trajectory: dict[str, Any], *, width: int) -> Group:
    """A source trajectory: its id, its task text, then each tool call on one line."""
    lines: list[RenderableType] = [
        Text.assemble("  ", (str(trajectory.get("id", "")), "bold")),
        Text("    " + (str(trajectory.get("task") or "").strip() or "-")),
    ]
    calls = trajectory.get("calls") or []
    if calls:
        lines.append(Text(f"    {plural(len(calls), 'tool call')}:", style="dim"))
    for call in calls:
        lines.append(_call_line(str(call.get("name")), call.get("arguments"), width=width - 2))
    return Group(*lines)


def _regression_cases(cases: list[dict[str, Any]], *, width: int) -> Group:
    """Each regression case: the trajectory it came from and the writes it expects, in order."""
    count = plural(len(cases), "regression case")
    lines: list[RenderableType] = [
        Text(f"{count} travelling with the skill (every new version must pass them)", style="bold")
    ]
    for entry in cases:
        case = entry.get("case") or {}
        writes = [c for c in case.get("calls") or [] if isinstance(c, dict) and c.get("mutates")]
        origin = f"  {case.get('trajectory_id') or '?'} (since v{entry.get('added_in_version')})"
        expects = f"expects {plural(len(writes), 'write')}" + (":" if writes else "")
        lines.append(Text(f"{origin}: {expects}"))
        for write in writes:
            lines.append(_call_line(str(write.get("name")), write.get("arguments"), width=width))
    return Group(*lines)


def dossier_view(item: Dossier, *, console: Console) -> None:
    """Print one skill version as a reviewer needs it, top to bottom."""
    header = Text.assemble(
        (item.name, "bold"),
        f" v{item.version} ",
        _state(item.state),
        "" if item.is_current else " (not current)",
        f"\n{item.summary}\n",
        f"tools: {', '.join(item.tools) or 'none'} · reliability: "
        f"{format_reliability(item.reliability)} · hash {item.content_hash[:12]}",
    )
    console.print(Panel(header, title="skill", title_align="left"))
    console.print(Syntax(item.source, "python", line_numbers=True, word_wrap=True))
    console.print(_parameters(item.parameters))
    if item.returns is not None:
        console.print(Text(f"returns: {json.dumps(item.returns)}"))
    origin = item.provenance
    author = f"{origin.get('synthesizer')} {origin.get('synthesizer_version') or ''}".strip()
    if item.trajectories:
        console.print(Text(f"Learned from (by {author}):", style="bold"))
        for trajectory in item.trajectories:
            console.print(_trajectory(trajectory, width=console.width))
    else:
        console.print(Text(f"Written by {author}; no source trajectories."))
    console.print(Panel(Group(*_evidence(item)), title="tests", title_align="left"))
    console.print(_regression_cases(item.regression_cases, width=console.width))
    versions = ", ".join(f"v{v['version']} {v['state']}" for v in item.versions)
    console.print(Text(f"versions: {versions}"))
    audit = Table(title="Audit log", title_justify="left")
    for column in ("when (UTC)", "version", "action", "move", "actor", "reason"):
        audit.add_column(column, overflow="fold")
    for entry in item.audit:
        audit.add_row(
            _when(float(entry["at"])),
            str(entry["version"]),
            entry["action"],
            f"{entry.get('from_state') or '-'} → {entry['to_state']}",
            Text(entry["actor"]),
            Text(entry["reason"]),
        )
    console.print(audit)
