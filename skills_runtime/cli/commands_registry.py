"""Reading the registry: ``list``, ``show``, ``diff``, ``search`` and ``report --html``.

Every command reads the registry named by ``--db`` (default ``$SKILLBANK_DB``, else
``./skillbank.db``), which must exist. Unknown skills and versions exit 2 with a message naming
close matches. Lifecycle moves live in ``commands_lifecycle``.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from skill_registry import State
from skills_runtime.cli._output import DbOption, JsonOption, emit, fail, stdout
from skills_runtime.cli._skill_view import dossier_view, open_registry, plural, skills_lines
from skills_runtime.cli.app import app
from skills_runtime.report import Dossier, dossier, library, render_html

__all__ = [
    "diff",
    "list_skills",
    "report",
    "report_changes",
    "schema_diff",
    "search",
    "show",
]

_STATES = ", ".join(state.value for state in State)


def _state_or_fail(state: str | None, *, as_json: bool) -> State | None:
    if state is None:
        return None
    try:
        return State(state)
    except ValueError:
        fail(f"--state {state!r} is not a state; use one of: {_STATES}", as_json=as_json)


@app.command(
    "list",
    reads_only=True,
    epilog="Example: skillbank list --state promoted --db skills.db",
)
def list_skills(
    state: str | None = typer.Option(
        None, "--state", metavar="STATE", help=f"Only skills in: {_STATES}."
    ),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """List skills with their current version, state, reliability and summary."""
    wanted = _state_or_fail(state, as_json=as_json)
    with open_registry(db, as_json=as_json) as registry:
        skills = registry.list_skills(state=wanted)
    document = {"skills": [skill.to_json() for skill in skills]}

    def human() -> None:
        if not skills:
            stdout.print("No skills" + (f" in state {state!r}." if state else " yet."))
            return
        for line in skills_lines(skills, width=stdout.width):
            stdout.print(line, soft_wrap=False, no_wrap=True, overflow="ellipsis")

    emit(document, as_json=as_json, human=human)


@app.command(
    "show",
    reads_only=True,
    epilog="Example: skillbank show cancel_order_by_email --version 1",
)
def show(
    name: str = typer.Argument(..., help="The skill's name."),
    version: int | None = typer.Option(None, "--version", help="A version (default: current)."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Show one skill version: code, schema, provenance, check and test results, audit log."""
    with open_registry(db, as_json=as_json) as registry:
        item = dossier(registry, name, version=version)
    emit(item.to_json(), as_json=as_json, human=lambda: dossier_view(item, console=stdout))


def _verdict(evidence: dict[str, Any] | None) -> str:
    if evidence is None:
        return "not run"
    return "passed" if evidence["passed"] else "failed"


def report_changes(old: Dossier, new: Dossier) -> dict[str, Any]:
    """How the evidence changed between two versions: verdicts, findings, failed properties."""
    changes: dict[str, Any] = {}
    for kind in ("check", "verify"):
        before, after = _verdict(getattr(old, kind)), _verdict(getattr(new, kind))
        if before != after:
            changes[kind] = {"from": before, "to": after}
    old_codes = {f.get("code") for f in old.findings}
    new_codes = {f.get("code") for f in new.findings}
    if old_codes != new_codes:
        changes["findings"] = {
            "added": sorted(str(c) for c in new_codes - old_codes),
            "removed": sorted(str(c) for c in old_codes - new_codes),
        }
    old_failed = {str(p.get("name")) for p in old.failed_properties}
    new_failed = {str(p.get("name")) for p in new.failed_properties}
    if old_failed != new_failed:
        changes["failed_properties"] = {
            "added": sorted(new_failed - old_failed),
            "removed": sorted(old_failed - new_failed),
        }
    if old.tools != new.tools:
        changes["tools"] = {"from": old.tools, "to": new.tools}
    if old.schema != new.schema:
        changes["schema"] = {"from": old.schema, "to": new.schema}
    return changes


_DIFF_STYLES = {"+": "green", "-": "red", "@": "cyan"}


def _print_diff(text: str) -> None:
    """Print a unified diff line by line, never wrapped, so what is copied is still a patch."""
    for line in text.splitlines():
        style = "bold" if line.startswith(("+++", "---")) else _DIFF_STYLES.get(line[:1], "")
        stdout.print(
            Text(line, style=style), soft_wrap=True, no_wrap=True, overflow="ignore", crop=False
        )


def schema_diff(old: dict[str, Any], new: dict[str, Any], *, name: str, v1: int, v2: int) -> str:
    """A unified diff of two schemas as pretty JSON (keys sorted, so only real changes show)."""

    def pretty(schema: dict[str, Any]) -> list[str]:
        text = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False)
        return [line + "\n" for line in text.splitlines()]

    return "".join(
        difflib.unified_diff(
            pretty(old), pretty(new), fromfile=f"{name} v{v1} schema", tofile=f"{name} v{v2} schema"
        )
    )


@app.command(
    "diff",
    reads_only=True,
    epilog="Example: skillbank diff cancel_order_by_email 1 2 --db shop.db",
)
def diff(
    name: str = typer.Argument(..., help="The skill's name."),
    v1: int = typer.Argument(..., help="The older version."),
    v2: int = typer.Argument(..., help="The newer version."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Unified diff of two versions' sources, and how their check and test reports changed."""
    with open_registry(db, as_json=as_json) as registry:
        old = dossier(registry, name, version=v1)
        new = dossier(registry, name, version=v2)
    text = "".join(
        difflib.unified_diff(
            old.source.splitlines(keepends=True),
            new.source.splitlines(keepends=True),
            fromfile=f"{name} v{v1}",
            tofile=f"{name} v{v2}",
        )
    )
    changes = report_changes(old, new)
    document = {"name": name, "from": v1, "to": v2, "diff": text, "reports": changes}

    def human() -> None:
        if text:
            _print_diff(text)
        else:
            stdout.print(f"The sources of v{v1} and v{v2} are identical.")
        for key, change in changes.items():
            if key == "schema":
                stdout.print(Text("schema:", style="bold"))
                _print_diff(schema_diff(change["from"], change["to"], name=name, v1=v1, v2=v2))
            else:
                stdout.print(Text.assemble((key, "bold"), f": {json.dumps(change)}"))

    emit(document, as_json=as_json, human=human)


@app.command(
    "search",
    reads_only=True,
    epilog='Example: skillbank search "customer wants to cancel an order" --k 3',
)
def search(
    query: str = typer.Argument(..., help="A task description, in plain words."),
    k: int = typer.Option(5, "--k", min=1, help="How many skills at most."),
    state: list[str] = typer.Option(  # noqa: B008 -- typer declares options by default value
        ["promoted"],
        "--state",
        metavar="STATE",
        help=f"Only versions in these states (repeatable): {_STATES}.",
    ),
    all_states: bool = typer.Option(False, "--all-states", help="Search versions in any state."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Rank skills for a task description (full-text over names, docs, parameters and tasks)."""
    states = None if all_states else [State(s) for s in state if _state_or_fail(s, as_json=as_json)]
    with open_registry(db, as_json=as_json) as registry:
        hits = registry.search(query, k=k, states=states)
    document = {"query": query, "results": [hit.to_json() for hit in hits]}

    def human() -> None:
        if not hits:
            scope = "any state" if all_states else ", ".join(state)
            stdout.print(Text(f"No skill matches {query!r} (searched: {scope})."))
            return
        table = Table(title=f"Skills for {query!r}")
        for column in ("score", "name", "version", "state", "summary"):
            table.add_column(column, overflow="fold", no_wrap=column == "name")
        for hit in hits:
            table.add_row(
                f"{hit.score:.3f}", hit.name, str(hit.version), hit.state.value, Text(hit.summary)
            )
        stdout.print(table)

    emit(document, as_json=as_json, human=human)


@app.command(
    "report",
    reads_only=True,
    writes_file="html",
    epilog="Example: skillbank report --html library.html && xdg-open library.html",
)
def report(
    html: Path = typer.Option(  # noqa: B008 -- typer declares options by default value
        ..., "--html", help="Where to write the HTML page."
    ),
    state: str | None = typer.Option(
        None, "--state", metavar="STATE", help=f"Only skills in: {_STATES}."
    ),
    title: str = typer.Option("Skill library", "--title", help="The page's title."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Write a static, self-contained HTML page of the library: code, tests, provenance, states."""
    _state_or_fail(state, as_json=as_json)
    with open_registry(db, as_json=as_json) as registry:
        dossiers = library(registry, states=(state,) if state else ())
    try:
        html.write_text(render_html(dossiers, title=title), encoding="utf-8")
    except OSError as error:
        fail(f"--html {str(html)!r}: cannot write the page ({error.strerror})", as_json=as_json)
    document = {"path": str(html), "skills": [d.name for d in dossiers]}
    emit(
        document,
        as_json=as_json,
        human=lambda: stdout.print(f"Wrote {plural(len(dossiers), 'skill')} to {html}"),
    )
