"""Moving skills through their lifecycle: ``promote``, ``deprecate``, ``reject``, ``rollback``,
and ``review`` (walk the candidates one by one).

Promotion is gated by the registry: a version whose latest check and verify reports did not both
pass is refused, and the command exits 1 with the reason. Every move is audit-logged with the
reason given and the user running the command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from rich.syntax import Syntax
from rich.text import Text

from skill_registry import GateNotPassed, InvalidTransition, Registry, State, VersionRecord
from skills_runtime.cli._output import (
    EXIT_FAILED,
    DbOption,
    JsonOption,
    emit,
    fail,
    stderr,
    stdout,
)
from skills_runtime.cli._skill_view import STATE_STYLES, actor, open_registry, plural
from skills_runtime.cli.app import app
from skills_runtime.report import dossier

__all__ = ["deprecate", "promote", "reject", "review", "rollback"]

_REVIEWABLE = (State.CANDIDATE, State.VERIFIED)

ReasonOption = typer.Option(..., "--reason", help="Why (kept in the audit log).")
VersionOption = typer.Option(None, "--version", help="A version (default: see above).")


def _moved(record: VersionRecord, previous: str) -> dict[str, Any]:
    return {
        "name": record.name,
        "version": record.version,
        "state": record.state.value,
        "previous_state": previous,
        "is_current": record.is_current,
    }


def _move(
    name: str,
    version: int | None,
    *,
    db: str | None,
    as_json: bool,
    verb: str,
    move: Callable[[Registry], VersionRecord],
    default_version: Callable[[Registry], int],
) -> None:
    with open_registry(db, as_json=as_json) as registry:
        number = version if version is not None else default_version(registry)
        previous = registry.get(name, version=number).state.value
        try:
            record = move(registry)
        except (GateNotPassed, InvalidTransition) as error:
            fail(
                f"cannot {verb} {name!r} v{number}: {refusal(error, name, number)}",
                as_json=as_json,
                exit_code=EXIT_FAILED,
            )
    document = _moved(record, previous)
    style = STATE_STYLES.get(record.state.value, "")
    emit(
        document,
        as_json=as_json,
        human=lambda: stdout.print(
            Text.assemble(f"{name} v{record.version}: {previous} → ", (record.state.value, style))
        ),
    )


def refusal(error: GateNotPassed | InvalidTransition, name: str, version: int) -> str:
    """Why a move was refused, with the next step as a command (the registry's own message
    speaks to Python callers)."""
    if isinstance(error, GateNotPassed) and error.missing:
        return (
            f"{', '.join(error.missing)} for this version's source; run "
            f"`skillbank verify {name} --version {version}` (it checks, verifies and records both "
            "reports), then try again"
        )
    return str(error)


def _latest(name: str) -> Callable[[Registry], int]:
    return lambda registry: registry.versions(name)[-1].version


def _current(name: str) -> Callable[[Registry], int]:
    return lambda registry: registry.get(name).version


# Registry.promote, .deprecate and .reject: (registry, name, *, version, actor, reason) -> record.
_Transition = Callable[..., VersionRecord]


def _transition_command(
    verb: str,
    transition: _Transition,
    *,
    default_version: Callable[[str], Callable[[Registry], int]],
    example_reason: str,
    doc: str,
) -> Callable[..., None]:
    """Register ``skillbank VERB NAME [--version V] --reason TEXT`` for one registry transition."""

    def command(
        name: str = typer.Argument(..., help="The skill's name."),
        version: int | None = VersionOption,
        reason: str = ReasonOption,
        db: str | None = DbOption,
        as_json: bool = JsonOption,
    ) -> None:
        _move(
            name,
            version,
            db=db,
            as_json=as_json,
            verb=verb,
            move=lambda r: transition(r, name, version=version, actor=actor(), reason=reason),
            default_version=default_version(name),
        )

    command.__name__ = command.__qualname__ = verb
    command.__doc__ = doc
    epilog = f'Example: skillbank {verb} cancel_order_by_email --reason "{example_reason}"'
    return app.command(verb, epilog=epilog)(command)


promote = _transition_command(
    "promote",
    Registry.promote,
    default_version=_latest,
    example_reason="reviewed the code",
    doc=(
        "Promote a version (default: the latest) so agents get it; refused unless its gates "
        "passed.\n\nExit 1 when the registry refuses: the check or the verification did not "
        "pass (or never ran)\nat the version's content hash, or its state cannot be promoted."
    ),
)
deprecate = _transition_command(
    "deprecate",
    Registry.deprecate,
    default_version=_current,
    example_reason="policy changed",
    doc="Deprecate a version (default: the current one): agents stop getting it.",
)
reject = _transition_command(
    "reject",
    Registry.reject,
    default_version=_latest,
    example_reason="skips the status check",
    doc="Reject a version (default: the latest) that should never be promoted.",
)


@app.command(
    "rollback",
    epilog="Example: skillbank rollback cancel_order_by_email --to 1",
)
def rollback(
    name: str = typer.Argument(..., help="The skill's name."),
    to: int = typer.Option(..., "--to", help="The earlier version to make current."),
    reason: str = typer.Option("rollback", "--reason", help="Why (kept in the audit log)."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Make an earlier version current (and promoted) again; its gates must still pass."""
    _move(
        name,
        to,
        db=db,
        as_json=as_json,
        verb="roll back",
        move=lambda r: r.rollback(name, to_version=to, actor=actor(), reason=reason),
        default_version=lambda _registry: to,
    )


def _pending(registry: Registry) -> list[VersionRecord]:
    """The latest version of each skill, when it waits for a decision, by skill name.

    A version a newer one superseded is stale: reviewing it would promote old code. Rejected
    versions supersede nothing (the version before them is still the latest live one).
    """
    waiting: list[VersionRecord] = []
    for skill in sorted(registry.list_skills(), key=lambda s: s.name):
        live = [v for v in registry.versions(skill.name) if v.state is not State.REJECTED]
        if live and live[-1].state in _REVIEWABLE:
            waiting.append(live[-1])
    return waiting


def _show_briefly(registry: Registry, record: VersionRecord, *, position: str) -> None:
    item = dossier(registry, record.name, version=record.version)
    verdicts = []
    for kind in ("check", "verify"):
        evidence = getattr(item, kind)
        verdict = "not run" if evidence is None else ("passed" if evidence["passed"] else "failed")
        verdicts.append(f"{kind} {verdict}")
    stderr.rule(f"{position} {record.name} v{record.version} ({record.state.value})")
    stderr.print(Text(item.summary))
    stderr.print(Syntax(item.source, "python", line_numbers=True, word_wrap=True))
    learned = ", ".join(t["id"] for t in item.trajectories) or "-"
    stderr.print(Text(f"{'; '.join(verdicts)} · learned from: {learned}"))


class _EndOfInput(Exception):
    """The reviewer's input ended (Ctrl-D, or a pipe ran dry): stop as if they had quit."""


def _ask(question: str, *, default: str | None) -> str:
    try:
        answer = typer.prompt(question, default=default, err=True, type=str, show_default=False)
    except (EOFError, typer.Abort) as error:
        raise _EndOfInput from error
    return str(answer).strip()


def _choice() -> str:
    """Ask until the answer is one of the choices; an invalid one is named, with the choices."""
    while True:
        answer = _ask("[p]romote, [r]eject, [s]kip, [q]uit (Enter: skip)", default="s")
        for choice, word in _WORDS.items():
            if answer.lower() in (choice, word):
                return choice
        stderr.print(
            Text(f"{answer!r} is not a choice: answer p, r, s or q (promote, reject, skip, quit).")
        )


_WORDS = {"p": "promote", "r": "reject", "s": "skip", "q": "quit"}


def _decide(registry: Registry, record: VersionRecord) -> dict[str, Any] | None:
    """Ask about one version; None when the reviewer quits."""
    choice = _choice()
    entry = {"name": record.name, "version": record.version, "previous_state": record.state.value}
    if choice == "q":
        return None
    if choice == "s":
        return {**entry, "decision": "skip", "state": record.state.value}
    if choice == "p":
        reason = _ask("reason for promoting (Enter for 'reviewed')", default="reviewed")
    else:
        reason = ""
        while not reason:
            reason = _ask("reason for rejecting (required)", default=None)
    try:
        if choice == "p":
            moved = registry.promote(
                record.name, version=record.version, actor=actor(), reason=reason
            )
        else:
            moved = registry.reject(
                record.name, version=record.version, actor=actor(), reason=reason
            )
    except (GateNotPassed, InvalidTransition) as error:
        why = refusal(error, record.name, record.version)
        stderr.print(Text.assemble(("refused: ", "red"), why))
        return {**entry, "decision": "refused", "state": record.state.value, "reason": why}
    decision = "promote" if choice == "p" else "reject"
    stderr.print(f"{record.name} v{record.version} → {moved.state.value}")
    return {**entry, "decision": decision, "state": moved.state.value, "reason": reason}


@app.command(
    "review",
    epilog=(
        "Example: skillbank review --db skills.db\n\n"
        "For each skill answer p (promote; then a reason, Enter for 'reviewed'), r (reject; then "
        "a reason, required), s or Enter (skip) or q (quit). End of input stops like q.\n\n"
        "Scripted: printf 'p\\nread the code\\ns\\n' | skillbank review --db skills.db --json"
    ),
)
def review(
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Walk the latest candidate or verified version of each skill: promote, reject or skip.

    The code and test results of each version are shown on stderr with the prompts, with its
    place in the walk ([3/12]); the summary of the decisions is the command's output. Promoting
    then asks for a reason (Enter keeps 'reviewed'); rejecting asks for one (required). End of
    input stops the walk like q. Exit 1 when a promotion was refused by the gates.
    """
    decisions: list[dict[str, Any]] = []
    with open_registry(db, as_json=as_json) as registry:
        waiting = _pending(registry)
        if not waiting:
            emit(
                {"reviewed": [], "remaining": 0},
                as_json=as_json,
                human=lambda: stdout.print("Nothing to review: no candidate or verified versions."),
            )
        for number, record in enumerate(waiting, start=1):
            _show_briefly(registry, record, position=f"[{number}/{len(waiting)}]")
            try:
                decision = _decide(registry, record)
            except _EndOfInput:
                stderr.print("")
                stderr.print(Text("End of input: stopping the review.", style="dim"))
                break
            if decision is None:
                break
            decisions.append(decision)
    refused = any(d["decision"] == "refused" for d in decisions)

    def human() -> None:
        if not decisions:
            stdout.print("No decisions made.")
        for d in decisions:
            line = f"{d['name']} v{d['version']}: {d['decision']} → {d['state']}"
            stdout.print(Text(line), soft_wrap=True)
        remaining = len(waiting) - len(decisions)
        if remaining:
            stdout.print(f"{plural(remaining, 'version')} left to review.")

    emit(
        {"reviewed": decisions, "remaining": len(waiting) - len(decisions)},
        as_json=as_json,
        human=human,
        exit_code=EXIT_FAILED if refused else 0,
    )
