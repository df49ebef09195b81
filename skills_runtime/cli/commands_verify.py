"""``skillbank verify`` and ``skillbank add``: run the gates on a version; register an edited one.

``verify NAME`` checks and verifies a stored version (its own recordings plus every regression
case of the skill), records both reports at the version's content hash and moves it
``draft → candidate → verified`` as far as they allow. Exit 0 when it passed, 1 when not, 2 for an
unknown skill (the message names close matches).

``add FILE.py --name NAME`` registers a hand- or model-written source as a new draft version of
NAME, then gates it the same way (unless ``--no-verify``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table
from rich.text import Text

from skill_registry import InvalidRecord, RegistryError
from skills_runtime.cli._interrupt import reporting_interrupts
from skills_runtime.cli._output import (
    EXIT_FAILED,
    EXIT_OK,
    DbOption,
    JsonOption,
    describe_registry,
    emit,
    fail,
    open_registry_at,
    stdout,
)
from skills_runtime.cli._progress import progress
from skills_runtime.cli._skill_view import STATE_STYLES, actor, open_registry
from skills_runtime.cli.app import app

if TYPE_CHECKING:
    from skills_runtime.gates import GateResult

__all__ = ["add", "verify"]

FileArgument = typer.Argument(..., help="The skill source (.py).")


@app.command()
def verify(
    name: str = typer.Argument(..., help="The skill to verify."),
    version: int | None = typer.Option(None, "--version", help="A version (default: latest)."),
    write_tests: Path | None = typer.Option(  # noqa: B008 -- typer declares options by default
        None,
        "--write-tests",
        help="Also write the verification as a readable pytest module to this file.",
    ),
    as_json: bool = JsonOption,
    db: str | None = DbOption,
) -> None:
    """Replay and property-test a skill version in the sandbox; record the reports.

    Example: skillbank verify cancel_order_by_email --write-tests test_cancel_order.py
    """
    # Imported on use, not at the top: `skillbank --help` and the other commands
    # need not load the gates (checker, verifier, sandbox).
    from skills_runtime.gates import regression_suite, run_gates, stored_tool_schemas
    from skills_runtime.verify import render_test_module

    with open_registry(db, as_json=as_json) as registry:
        record = registry.get(name, version=version)  # unknown names exit 2 with close matches
        with (
            reporting_interrupts(registry, as_json=as_json),
            progress("verifying", quiet=as_json) as advance,
        ):
            advance(f"{name} v{record.version} (check, replays, properties)", 0, None)
            result = run_gates(registry, name, version=version, actor=actor())
        if write_tests is not None:
            module = render_test_module(
                name,
                record.source,
                [case for case, _ in regression_suite(registry, name)],
                stored_tool_schemas(registry, name),
            )
            try:
                write_tests.write_text(module, encoding="utf-8")
            except OSError as error:
                fail(f"--write-tests {str(write_tests)!r}: {error}", as_json=as_json)
    document = result.to_json()
    if write_tests is not None:
        document["tests_written"] = str(write_tests)
    emit(
        document,
        as_json=as_json,
        human=lambda: _show(result),
        exit_code=EXIT_OK if result.passed else EXIT_FAILED,
    )


@app.command()
def add(
    file: Path = FileArgument,
    name: str | None = typer.Option(
        None,
        "--name",
        help="The skill this source is a version of (default: the name of its function).",
    ),
    author: str | None = typer.Option(
        None, "--author", help="'human:<who>' or 'model:<name>' (default: the current user)."
    ),
    no_verify: bool = typer.Option(False, "--no-verify", help="Register only; do not gate."),
    as_json: bool = JsonOption,
    db: str | None = DbOption,
) -> None:
    """Register an edited or hand-written source as a new draft version, then gate it.

    Example: skillbank add cancel_order_by_email.py --name cancel_order_by_email
    """
    # Heavy: loaded on use.
    from skills_runtime.checking import CheckPolicy, Finding, signature_of
    from skills_runtime.checking.checker import parse_for_check
    from skills_runtime.errors import InvalidInput
    from skills_runtime.gates import add_edited_version, run_gates

    try:
        source = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {str(file)!r}: {error}; pass a UTF-8 Python file", as_json=as_json)
    if not source.strip():
        fail(f"{str(file)!r} is empty; pass a skill source", as_json=as_json)
    # Refused at the door: a source that does not parse is no version of anything. (One that
    # parses but breaks a rule is stored as a draft: the gates report it, and a reviewer fixes it.)
    unparsable = parse_for_check(source, policy=CheckPolicy())
    if isinstance(unparsable, Finding):
        fail(
            f"{str(file)!r} does not parse ({unparsable.code} line {unparsable.line}: "
            f"{unparsable.message}); fix it and add it again — nothing was stored",
            as_json=as_json,
        )
    if name is None:
        try:
            name = signature_of(source).name
        except InvalidInput as error:
            fail(
                f"{str(file)!r}: cannot tell which skill this is ({error}); pass --name NAME",
                as_json=as_json,
            )
    who = author or f"human:{actor().removeprefix('cli:')}"
    try:
        registry = open_registry_at(db, create=True)
    except RegistryError as error:
        fail(f"--db {describe_registry(db)!r}: {error}", as_json=as_json)
    try:
        with reporting_interrupts(registry, as_json=as_json):
            try:
                record = add_edited_version(registry, name, source, author=who)
            except InvalidRecord as error:  # a name or author the registry cannot store
                fail(f"{error}; nothing was stored", as_json=as_json)
            result = None
            if not no_verify:
                with progress("verifying", quiet=as_json) as advance:
                    advance(f"{name} v{record.version} (check, replays, properties)", 0, None)
                    result = run_gates(registry, name, version=record.version, actor=actor())
            record = registry.get(name, version=record.version)
    finally:
        registry.close()
    document: dict[str, Any] = {
        "name": record.name,
        "version": record.version,
        "content_hash": record.content_hash,
        "state": record.state.value,
        "provenance": record.provenance.to_json(),
        "gates": None if result is None else result.to_json(),
    }
    passed = result is None or result.passed

    def human() -> None:
        stdout.print(
            f"{record.name} v{record.version} added by {record.provenance.synthesizer} "
            f"(parent v{record.provenance.parent_version})"
        )
        if result is not None:
            _show(result)

    emit(document, as_json=as_json, human=human, exit_code=EXIT_OK if passed else EXIT_FAILED)


def _show(result: GateResult) -> None:
    style = STATE_STYLES.get(result.state, "")
    verdict = ("passed", "green") if result.passed else ("failed", "red")
    stdout.print(
        Text.assemble(f"{result.name} v{result.version}: ", verdict, " → ", (result.state, style))
    )
    check = result.check
    stdout.print(f"  check: {'ok' if check.get('ok') else 'errors'}")
    for finding in check.get("findings") or ():
        stdout.print(Text(f"    {finding['code']} line {finding['line']}: {finding['message']}"))
    report = result.verification
    if report is None:
        return
    table = Table(title="verification", show_lines=False)
    table.add_column("what")
    table.add_column("verdict")
    table.add_column("details", overflow="fold")
    passing = sum(1 for outcome in report.replays if outcome.passed)
    if passing:
        table.add_row(Text(f"{passing} replays"), _verdict(True), Text("same writes, same result"))
    for outcome in report.failed_replays:
        table.add_row(
            Text(f"replay {outcome.trajectory_id}"),
            _verdict(outcome.passed),
            Text("; ".join(outcome.reasons)),
        )
    for prop in report.properties:
        details = f"{prop.examples} examples"
        if not prop.passed:
            details = f"{prop.error}"
            if prop.falsifying_example is not None:
                details += "\nfalsifying example: " + json.dumps(
                    prop.falsifying_example, ensure_ascii=False, default=str
                )
        table.add_row(Text(f"property {prop.name}"), _verdict(prop.passed), Text(details))
    stdout.print(table)
    if report.status != "ok":
        stdout.print(Text(f"  sandbox: {report.status}: {'; '.join(report.reasons)}"))
    for broken in result.broken_regressions:
        stdout.print(
            Text(
                f"  breaks regression case {broken.trajectory_id} (from v{broken.added_in_version})"
                f": {'; '.join(broken.reasons)}"
            )
        )
    stdout.print(f"  {report.seconds:.2f} s")


def _verdict(passed: bool) -> Text:
    return Text("pass", style="green") if passed else Text("FAIL", style="bold red")
