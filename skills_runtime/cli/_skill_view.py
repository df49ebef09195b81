"""Shared pieces of the registry commands: opening the registry, and rich views of skills."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from skill_registry import (
    Registry,
    RegistryError,
    SkillSummary,
    UnknownSkillError,
)
from skills_runtime.cli._output import EXIT_BAD_INPUT, default_db_path, fail
from skills_runtime.report import Dossier

__all__ = [
    "STATE_STYLES",
    "actor",
    "dossier_view",
    "format_reliability",
    "open_registry",
    "skills_table",
]

STATE_STYLES = {
    "draft": "dim",
    "candidate": "yellow",
    "verified": "cyan",
    "promoted": "bold green",
    "deprecated": "magenta",
    "rejected": "red",
}


def actor() -> str:
    """Who a lifecycle move from the command line is attributed to in the audit log."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry, e.g. an arbitrary uid in a container
        return "cli"


@contextmanager
def open_registry(db: Path | None, *, as_json: bool) -> Iterator[Registry]:
    """Open the registry a command reads (it must exist); turn registry errors into exit 2.

    Lookups of unknown skills exit 2 with the registry's message (which names close matches).
    Other registry errors raised inside the block propagate to the command.
    """
    path = default_db_path(db)
    if not path.exists():
        fail(
            f"no registry at {str(path)!r}; learn skills first (`skillbank learn FILE.jsonl`), "
            "pass --db PATH or set $SKILLBANK_DB",
            as_json=as_json,
        )
    try:
        registry = Registry.open(path)
    except RegistryError as error:
        fail(f"--db {str(path)!r}: {error}", as_json=as_json)
    try:
        yield registry
    except UnknownSkillError as error:
        fail(str(error), as_json=as_json, exit_code=EXIT_BAD_INPUT)
    finally:
        registry.close()


def format_reliability(reliability: dict[str, Any]) -> str:
    """``3/4 (≥0.40)`` or ``-`` when the version has no recorded uses."""
    uses = int(reliability.get("successes", 0)) + int(reliability.get("failures", 0))
    if not uses:
        return "-"
    return f"{reliability['successes']}/{uses} (≥{float(reliability['lower_bound']):.2f})"


def _state(state: str) -> Text:
    return Text(state, style=STATE_STYLES.get(state, ""))


def skills_table(skills: Sequence[SkillSummary], *, title: str = "Skills") -> Table:
    """Name, version, state, reliability and summary of each skill."""
    table = Table(title=title)
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("version", justify="right")
    table.add_column("state")
    table.add_column("reliability", justify="right")
    table.add_column("summary", overflow="fold")
    for skill in skills:
        table.add_row(
            Text(skill.name),
            str(skill.version),
            _state(skill.state.value),
            format_reliability(skill.reliability.to_json()),
            Text(skill.summary),
        )
    return table


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
    parts.append(
        Text(
            f"verify: {'passed' if passed else 'failed'} — {held}/{len(replays)} replays of source "
            f"trajectories, {sum(bool(p.get('passed')) for p in item.properties)}/"
            f"{len(item.properties)} properties held",
            style="green" if passed else "red",
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
        sources = Table(title=f"Learned from (by {author})", title_justify="left")
        sources.add_column("trajectory")
        sources.add_column("task", overflow="fold")
        for trajectory in item.trajectories:
            sources.add_row(Text(trajectory.get("id", "")), Text(trajectory.get("task") or "-"))
        console.print(sources)
    else:
        console.print(Text(f"Written by {author}; no source trajectories."))
    console.print(Panel(Group(*_evidence(item)), title="tests", title_align="left"))
    versions = ", ".join(f"v{v['version']} {v['state']}" for v in item.versions)
    console.print(
        f"regression cases travelling with the skill: {len(item.regression_cases)}; "
        f"versions: {versions}"
    )
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
