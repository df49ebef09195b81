"""The main job on the bundled bookshop example, as a library function the CLI only renders.

:func:`run_demo` learns skills from the bookshop's recorded trajectories (import, synthesize, check,
verify, store), promotes the ones whose gates passed, exports them as tools, and calls one as an
agent would: in the sandbox, its tool calls crossing the bridge to the real bookshop tools. Each
step is reported as a :class:`DemoStep` (a title, a plain-words explanation, JSON data) through
``on_step`` as it finishes, so a caller can show progress. It works offline and uses a fresh
registry file each run.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from skill_registry import Registry, State
from skills_runtime.errors import ConfigurationError, InvalidInput
from skills_runtime.report import Dossier, dossier, library, render_html
from skills_runtime.tools import Toolset
from skills_runtime.trajectory import load_trajectories

__all__ = ["EXAMPLE_DIRECTORY", "DemoResult", "DemoStep", "run_demo"]

EXAMPLE_DIRECTORY = Path(__file__).resolve().parent.parent / "examples" / "bookshop"
"""The bundled example (present in a clone of the repository)."""

DEMO_ACTOR = "skillbank demo"

# The demo's agent asks for this: cancel a pending order (the order is picked from the bookshop's
# database so that none of the learned trajectories touched it).
_CALLED_WRITE = "cancel_order"


@dataclass(frozen=True)
class DemoStep:
    """One finished step: ``key`` names it for renderers, ``text`` explains it in plain words."""

    key: str
    title: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "text": self.text, "data": self.data}


@dataclass(frozen=True)
class DemoResult:
    """What the demo did: the skills it learned (with states), the exported tools, the call."""

    db: Path
    workdir: Path
    skills: list[dict[str, Any]]
    tools: list[dict[str, Any]]
    call: dict[str, Any]
    steps: list[DemoStep]
    report: Path

    @property
    def ok(self) -> bool:
        """Whether at least one skill was promoted and the agent's call returned a value."""
        promoted = any(skill["state"] == State.PROMOTED.value for skill in self.skills)
        return promoted and self.call.get("status") == "ok"

    def to_json(self) -> dict[str, Any]:
        return {
            "skills": self.skills,
            "call": self.call,
            "tools": self.tools,
            "db": str(self.db),
            "report": str(self.report),
            "steps": [step.to_json() for step in self.steps],
        }


def _example_module(name: str) -> ModuleType:
    """Import ``examples.bookshop.<name>`` from the source tree, wherever the process runs."""
    qualified = f"examples.bookshop.{name}"
    if "examples" not in sys.modules:
        root = EXAMPLE_DIRECTORY.parent
        init = root / "__init__.py"
        if not init.is_file():
            raise ConfigurationError(
                f"the bundled example is missing ({root} not found); the demo runs from a clone "
                "of the skillbank repository"
            )
        spec = importlib.util.spec_from_file_location(
            "examples", init, submodule_search_locations=[str(root)]
        )
        if spec is None or spec.loader is None:  # pragma: no cover -- a file path always has one
            raise ConfigurationError(f"cannot import the bundled example from {root}")
        package = importlib.util.module_from_spec(spec)
        sys.modules["examples"] = package
        spec.loader.exec_module(package)
    return importlib.import_module(qualified)


def bookshop_toolset() -> tuple[Toolset, ModuleType]:
    """The bookshop's toolset on a fresh copy of its database, and its module (for ``current``)."""
    tools = _example_module("tools")
    tools.reset()
    toolset = tools.toolset
    assert isinstance(toolset, Toolset)
    return toolset, tools


DEMO_DB = "skillbank-demo.db"
DEFAULT_WORKDIR = Path("skillbank-demo")


def _demo_directory(workdir: Path | None) -> Path:
    """Where this run goes. An earlier run's registry is never wiped: without ``--workdir`` the
    next free ``skillbank-demo-N`` is used; a named workdir that holds one is refused."""
    if workdir is not None:
        directory = workdir.resolve()
        if (directory / DEMO_DB).exists():
            raise InvalidInput(
                f"--workdir {str(directory)!r} already holds the registry of an earlier demo "
                f"({DEMO_DB}); it is kept: name another --workdir, or remove that one first"
            )
        return directory
    directory = DEFAULT_WORKDIR.resolve()
    number = 1
    while (directory / DEMO_DB).exists():
        number += 1
        directory = Path(f"{DEFAULT_WORKDIR}-{number}").resolve()
    return directory


def _fresh_db(workdir: Path, db: Path | None) -> Path:
    if db is None:
        path = workdir / DEMO_DB
        # No registry here (checked before): what is left are orphans of an interrupted run.
        for stale in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
        return path
    if db.exists():
        raise InvalidInput(
            f"--db {str(db)!r} already exists; the demo starts from an empty registry: remove "
            "the file or name another path"
        )
    return db


def _why_not(item: Dossier) -> str | None:
    """The first reason a version did not pass its gates (None when it passed)."""
    if item.check is not None and not item.check["passed"]:
        finding = next(iter(item.findings), {})
        return (
            f"check: {finding.get('code', '')} line {finding.get('line')}: {finding.get('message')}"
        )
    if item.verify is not None and not item.verify["passed"]:
        reasons = item.verify["report"].get("reasons") or ["verification failed"]
        return f"verify: {reasons[0]}"
    return None


def _skill_rows(registry: Registry) -> list[dict[str, Any]]:
    rows = []
    for summary in registry.list_skills():
        item = dossier(registry, summary.name)
        rows.append(
            {
                "name": item.name,
                "version": item.version,
                "state": item.state,
                "summary": item.summary,
                "tools": item.tools,
                "source_trajectories": [t["id"] for t in item.trajectories],
                "check": None if item.check is None else item.check["passed"],
                "verify": None if item.verify is None else item.verify["passed"],
                "replays": len(item.replays),
                "properties": [p.get("name") for p in item.properties],
                "why_not": _why_not(item),
            }
        )
    return rows


def _pick_order(store_data: dict[str, Any], learned_from: set[str]) -> dict[str, Any] | None:
    """A pending order no trajectory used (so the call does something the traces never did)."""
    for order_id in sorted(store_data["orders"]):
        order = store_data["orders"][order_id]
        if order["status"] == "pending" and order_id not in learned_from:
            customer = store_data["customers"][order["customer_id"]]
            return {"order": order, "customer": customer}
    return None


def _arguments_for(parameters: dict[str, Any], known: dict[str, Any]) -> dict[str, Any] | None:
    """Fill the skill's parameters from what the customer said (None if one is unknown)."""
    arguments = {}
    for name in parameters.get("required") or list(parameters.get("properties") or {}):
        if name not in known:
            return None
        arguments[name] = known[name]
    return arguments


def _progress_of(progress: Callable[[str], None]) -> Callable[[str, int, int], None]:
    def report(skill: str, done: int, total: int) -> None:
        if skill:
            progress(f"checking and verifying {skill} ({done + 1}/{total}) in the sandbox")

    return report


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def run_demo(
    *,
    workdir: Path | None = None,
    db: Path | None = None,
    on_step: Callable[[DemoStep], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Learn, check, verify, promote, export and call skills on the bundled bookshop example.

    Args:
        workdir: Where the registry, the exported tools and the HTML report go (default
            ``./skillbank-demo``, or ``./skillbank-demo-2`` and so on when an earlier run's
            registry is there: it is never wiped). A named workdir must not hold a demo registry.
        db: The registry file (default: ``WORKDIR/skillbank-demo.db``). An explicit path must
            not exist yet.
        on_step: Called with each step as it finishes.
        progress: Called with a line of text while the long step (learning) advances.

    Raises:
        InvalidInput: ``db`` already exists, ``workdir`` holds an earlier demo's registry or
            cannot be made a directory.
        ConfigurationError: The bundled example is not there (not a clone of the repository).
    """
    from skills_runtime.pipeline import learn
    from skills_runtime.toolkit import Toolkit

    steps: list[DemoStep] = []

    def report(step: DemoStep) -> None:
        steps.append(step)
        if on_step is not None:
            on_step(step)

    # With --db the registry goes elsewhere; the workdir only gets the exports.
    directory = _demo_directory(workdir) if db is None else (workdir or DEFAULT_WORKDIR).resolve()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as unusable:
        raise InvalidInput(
            f"--workdir {str(directory)!r} cannot be used as a directory ({unusable.strerror}); "
            "name a directory you can write to, or a new path to create"
        ) from unusable
    path = _fresh_db(directory, db)
    toolset, bookshop = bookshop_toolset()
    trajectories = EXAMPLE_DIRECTORY / "trajectories.jsonl"

    imported = load_trajectories([trajectories])
    families: dict[str, int] = {}
    for trajectory in imported.trajectories:
        family = str(trajectory.metadata.get("family", "?"))
        families[family] = families.get(family, 0) + 1
    report(
        DemoStep(
            "import",
            "1. Import recorded trajectories",
            f"Read {len(imported.trajectories)} trajectories of a customer-service agent in an "
            f"online bookshop ({sum(len(t.calls) for t in imported.trajectories)} tool calls, "
            f"{sum(t.outcome.value == 'failure' for t in imported.trajectories)} failed tasks). "
            "Each is one task: the customer's request and every tool call the agent made, with "
            "its result.",
            {
                "path": str(trajectories),
                "trajectories": len(imported.trajectories),
                "families": families,
                "tools": list(toolset.names),
            },
        )
    )

    started = time.perf_counter()
    with Registry.open(path, create=True) as registry:
        learned = learn(
            [trajectories],
            registry=registry,
            incremental=False,
            progress=None if progress is None else _progress_of(progress),
        )
        seconds = time.perf_counter() - started
        rows = _skill_rows(registry)
        verified = [row for row in rows if row["state"] == State.VERIFIED.value]
        report(
            DemoStep(
                "learn",
                "2. Learn skills: synthesize → check → verify → store",
                f"Grouped the trajectories into procedures and wrote one typed Python function "
                f"per procedure: {_count(len(rows), 'skill')} in {seconds:.1f} s. Each was checked "
                "statically (libcst rules) and verified in the sandbox: replayed against every "
                "trajectory it was learned from, and run on generated inputs (hypothesis). "
                f"{len(verified)} passed both gates and are 'verified'.",
                {
                    "skills": rows,
                    "unexplained": [
                        {"trajectory_id": u.trajectory_id, "reason": u.reason}
                        for u in learned.unexplained
                    ],
                    "seconds": round(seconds, 2),
                },
            )
        )

        for row in verified:
            registry.promote(
                row["name"],
                version=row["version"],
                actor=DEMO_ACTOR,
                reason="passed the static check and the verification",
            )
        rows = _skill_rows(registry)
        refused = [row for row in rows if row["state"] != State.PROMOTED.value]
        report(
            DemoStep(
                "promote",
                "3. Promote what passed",
                "Promotion is gated: the registry lets a version become 'promoted' only when its "
                "latest check and verification reports passed. Agents are offered promoted "
                f"skills only. Promoted {len(rows) - len(refused)}; "
                + (
                    "every skill passed."
                    if not refused
                    else f"left behind: {', '.join(r['name'] for r in refused)}."
                ),
                {"skills": rows},
            )
        )

        toolkit = Toolkit(registry, toolset, record=True)
        exported = toolkit.openai_tools()
        (directory / "tools.openai.json").write_text(
            json.dumps(exported, indent=2) + "\n", encoding="utf-8"
        )
        target = next((row for row in rows if _CALLED_WRITE in row["tools"]), None)
        target = target if target and target["state"] == State.PROMOTED.value else None
        shown = dossier(registry, target["name"]) if target else None
        report(
            DemoStep(
                "export",
                "4. Export the skills as tools",
                f"{_count(len(exported), 'promoted skill')} exported as OpenAI tools (also "
                "available for Anthropic and MCP). The schema comes from the typed signature; the "
                f"description from the docstring. Written to {directory / 'tools.openai.json'}.",
                {
                    "path": str(directory / "tools.openai.json"),
                    "tools": exported,
                    "shown": target["name"] if target else None,
                    "source": shown.source if shown else None,
                },
            )
        )

        learned_orders = {
            str(call.arguments.get("order_id"))
            for trajectory in imported.trajectories
            for call in trajectory.calls
        }
        call: dict[str, Any] = {"status": "skipped", "skill": None}
        pick = _pick_order(bookshop.current().snapshot(), learned_orders)
        if target is None or shown is None or pick is None:
            text = "No promoted skill cancels orders, so the agent had nothing to call."
        else:
            known = {
                "email": pick["customer"]["email"],
                "order_id": pick["order"]["order_id"],
                "reason": "no longer needed",
            }
            arguments = _arguments_for(shown.parameters, known)
            if arguments is None:
                text = f"The skill {target['name']} asks for parameters the demo cannot fill."
            else:
                outcome = toolkit.execute(target["name"], arguments)
                after = bookshop.current().get_order(pick["order"]["order_id"])["status"]
                call = {
                    "skill": target["name"],
                    "arguments": arguments,
                    "status": outcome.status,
                    "value": outcome.value,
                    "error": outcome.error,
                    "tool_calls": list(outcome.tool_calls),
                    "seconds": round(outcome.seconds, 3),
                    "order_status_after": after,
                }
                asked = (
                    f"An agent called {target['name']} once, for a request no trajectory covered "
                    f"(order {arguments.get('order_id')} of {arguments.get('email')}). "
                )
                if outcome.ok:
                    text = asked + (
                        "The skill ran in an isolated sandbox worker; each of its "
                        f"{len(outcome.tool_calls)} tool calls crossed the bridge to the real "
                        f"bookshop tools, and the order is now '{after}'. One call replaced the "
                        "model turns of a whole lookup chain."
                    )
                else:
                    error = outcome.error or {}
                    text = asked + (
                        f"The call did not succeed ({outcome.status}: {error.get('message', '')}); "
                        f"the order is still '{after}'. An agent gets this error back as the "
                        "tool's result, never as a crash."
                    )
        report(DemoStep("call", "5. Call a skill as an agent would", text, call))

        final_rows = _skill_rows(registry)
        page = directory / "report.html"
        page.write_text(render_html(library(registry), title="Bookshop skills"), encoding="utf-8")
    report(
        DemoStep(
            "done",
            "Done",
            f"The registry is {path}; an HTML report of the library is {page}. "
            f"Explore with `skillbank list --db {path}` and `skillbank show NAME --db {path}`.",
            {"db": str(path), "report": str(page)},
        )
    )
    return DemoResult(
        db=path,
        workdir=directory,
        skills=final_rows,
        tools=exported,
        call=call,
        steps=steps,
        report=page,
    )
