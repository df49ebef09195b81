"""Skills as tools: ``export`` (schemas for agents), ``call`` (run one skill), ``serve`` (MCP).

``export`` prints ``{"tools": [...]}`` in the chosen provider's shape. ``call`` runs a skill in the
sandbox with the host's tools and prints ``{"status", "value", "error", "tool_calls", "seconds"}``
(exit 1 when the skill raised or hit a limit, 2 for bad arguments or an unknown skill). ``serve``
runs an MCP server of the promoted skills over stdio or streamable HTTP.

With ``--tools``, only skills whose host tools the toolset provides are offered; the others are
named (``left_out`` in ``export``'s JSON, one warning line on stderr when ``serve`` starts).
``export`` without ``--tools`` has no toolset to check against and offers every skill.
"""

from __future__ import annotations

import gc
import json
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.text import Text

from sandbox import inert_text
from skill_registry import State
from skills_runtime.cli._interrupt import EXIT_INTERRUPTED
from skills_runtime.cli._output import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    DbOption,
    JsonOption,
    emit,
    fail,
    stderr,
    stdout,
)
from skills_runtime.cli._skill_view import open_registry
from skills_runtime.cli.app import app
from skills_runtime.errors import ConfigurationError, InvalidInput, UnknownSkill
from skills_runtime.export.formats import FORMATS, parse_format
from skills_runtime.export.outcome import ToolOutcome
from skills_runtime.toolkit import Toolkit
from skills_runtime.tools import Toolset, load_toolset

if TYPE_CHECKING:
    from sandbox import PoolConfig

__all__ = ["call", "export", "serve"]

_STATES = ", ".join(state.value for state in State)
_RUNNABLE = tuple(state.value for state in State if state is not State.REJECTED)
_BAD_INPUT_STATUSES = ("invalid_arguments", "unknown_skill", "unavailable")
_EXAMPLE_TOOLS = "examples.bookshop.tools:toolset"
AGENT_SKILLS = "agent-skills"
_SHOWN_LEFT_OUT = 10

ToolsOption = typer.Option(
    None,
    "--tools",
    help="Host tools as MODULE:ATTR (a Toolset, a name → function map, or a list of functions).",
)


def _states(
    values: list[str] | None, default: tuple[str, ...], *, as_json: bool
) -> tuple[str, ...]:
    if not values:
        return default
    for value in values:
        if value not in {state.value for state in State}:
            fail(f"--state {value!r} is not a state; use one of: {_STATES}", as_json=as_json)
    return tuple(values)


def _toolset(spec: str | None, *, as_json: bool, required: bool) -> Toolset:
    if spec is None:
        if required:
            fail("--tools MODULE:ATTR is required (the host tools skills call)", as_json=as_json)
        return Toolset("none")
    module, sep, attribute = spec.partition(":")
    if not sep or not module.strip() or not attribute.strip():
        fail(
            f"--tools {spec!r}: expected MODULE:ATTRIBUTE, e.g. {_EXAMPLE_TOOLS!r}",
            as_json=as_json,
        )
    try:
        return load_toolset(spec)
    except ConfigurationError as error:
        fail(str(error), as_json=as_json)


@app.command(
    "export",
    reads_only=True,
    writes_file="out",
    epilog="Examples: skillbank export --format openai --strict --json;  "
    "skillbank export --format agent-skills --out skills/",
)
def export(
    format: str = typer.Option(
        "openai", "--format", help=f"One of: {', '.join(FORMATS)}, {AGENT_SKILLS}."
    ),
    out: Path | None = typer.Option(  # noqa: B008  (typer's declaration style)
        None, "--out", help=f"With --format {AGENT_SKILLS}: the folder to write skill folders in."
    ),
    state: list[str] | None = typer.Option(  # noqa: B008  (typer's declaration style)
        None,
        "--state",
        metavar="STATE",
        help=f"Offer skills in this state (repeatable; default: promoted): {_STATES}.",
    ),
    strict: bool = typer.Option(False, "--strict", help="Strict schemas (OpenAI, Anthropic)."),
    meta: bool = typer.Option(
        False, "--meta", help="Export the two meta-tools search_skills and run_skill instead."
    ),
    tools: str | None = ToolsOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Print tool declarations of the registry's skills for an agent: {"tools": [...]}.

    With --format agent-skills, write one Agent Skills folder per skill into --out instead.
    """
    states = _states(state, ("promoted",), as_json=as_json)
    if format == AGENT_SKILLS:
        if out is None:
            fail(f"--format {AGENT_SKILLS} writes folders: give --out DIR", as_json=as_json)
        _export_agent_skills(out, states, tools, db, as_json=as_json)
    if out is not None:
        fail(
            f"--out is for --format {AGENT_SKILLS}; tool declarations go to stdout",
            as_json=as_json,
        )
    try:
        chosen = parse_format(format)
    except InvalidInput as error:
        fail(f"{error} or {AGENT_SKILLS!r}", as_json=as_json)
    toolset = _toolset(tools, as_json=as_json, required=False)
    with open_registry(db, as_json=as_json) as registry:
        # Without --tools there is no toolset to check skills against: offer them all.
        toolkit = Toolkit(
            registry, toolset, states=states, record=False, require_tools=tools is not None
        )
        declared = (
            toolkit.meta_tools(chosen, strict=strict)
            if meta
            else toolkit.tools(chosen, strict=strict)
        )
        unavailable = toolkit.unavailable()
    left_out = [
        {"name": name, "missing_tools": list(missing)} for name, missing in unavailable.items()
    ]
    document = {"format": chosen, "strict": strict, "tools": declared, "left_out": left_out}
    if not as_json:
        stderr.print(
            f"{len(declared)} tool(s) in format {chosen!r}, states {', '.join(states)}",
            markup=False,
            soft_wrap=True,
        )
        if unavailable:
            stderr.print(_left_out_line(unavailable, states), markup=False, soft_wrap=True)
    emit(document, as_json=as_json)


def _export_agent_skills(
    out: Path, states: tuple[str, ...], tools: str | None, db: str | None, *, as_json: bool
) -> NoReturn:
    from skills_runtime.export.agent_skills import export_agent_skills

    toolset = _toolset(tools, as_json=as_json, required=False)
    with open_registry(db, as_json=as_json) as registry:
        toolkit = Toolkit(
            registry, toolset, states=states, record=False, require_tools=tools is not None
        )
        try:
            folders = export_agent_skills(toolkit, out)
        except InvalidInput as error:
            fail(str(error), as_json=as_json)
        unavailable = toolkit.unavailable()
    document = {
        "format": AGENT_SKILLS,
        "out": str(out),
        "skills": [folder.to_json() for folder in folders],
        "left_out": [
            {"name": name, "missing_tools": list(missing)} for name, missing in unavailable.items()
        ],
    }

    def human() -> None:
        for folder in folders:
            stdout.print(Text(f"{folder.folder}/  ({folder.skill} v{folder.version})"))
        stdout.print(
            f"{len(folders)} Agent Skills folder(s) in {out}, states {', '.join(states)}; run "
            "one with: python FOLDER/scripts/run.py --tools MODULE:ATTR --args JSON"
        )
        if unavailable:
            stderr.print(_left_out_line(unavailable, states), markup=False, soft_wrap=True)

    emit(document, as_json=as_json, human=human)


def _left_out_line(unavailable: dict[str, tuple[str, ...]], states: tuple[str, ...]) -> str:
    """One line naming the skills left out for missing host tools, and what each needs."""
    count = len(unavailable)
    shown = [
        f"{name} (needs {', '.join(missing)})"
        for name, missing in list(unavailable.items())[:_SHOWN_LEFT_OUT]
    ]
    if count > _SHOWN_LEFT_OUT:
        shown.append(f"and {count - _SHOWN_LEFT_OUT} more")
    verb = "needs" if count == 1 else "need"
    return (
        f"{count} {'/'.join(states)} skill{'' if count == 1 else 's'} {verb} tools this "
        f"toolset lacks (left out): {', '.join(shown)}"
    )


@app.command(
    "call",
    epilog="Example: skillbank call cancel_order_by_email --tools "
    f'{_EXAMPLE_TOOLS} --args \'{{"email": "mei.chen28@example.com", '
    '"order_id": "BK-11631", "reason": "no longer needed"}\'',
)
def call(
    name: str = typer.Argument(..., help="The skill's name."),
    args: str = typer.Option("{}", "--args", help="The arguments as a JSON object."),
    tools: str | None = ToolsOption,
    state: list[str] | None = typer.Option(  # noqa: B008  (typer's declaration style)
        None,
        "--state",
        metavar="STATE",
        help=f"Allow skills in this state (repeatable; default: any but rejected): {_STATES}.",
    ),
    record: bool = typer.Option(True, "--record/--no-record", help="Store the call's outcome."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Run one skill in the sandbox with the host's tools and print what happened."""
    try:
        arguments = json.loads(args)
    except json.JSONDecodeError as error:
        fail(f"--args is not valid JSON ({error.msg} at position {error.pos})", as_json=as_json)
    if not isinstance(arguments, dict):
        fail(f"--args must be a JSON object, got {type(arguments).__name__}", as_json=as_json)
    toolset = _toolset(tools, as_json=as_json, required=True)
    states = _states(state, _RUNNABLE, as_json=as_json)
    with open_registry(db, as_json=as_json) as registry:
        toolkit = Toolkit(registry, toolset, states=states, record=record)
        try:
            toolkit.entry(name)
        except UnknownSkill as error:
            fail(
                f'{error}; see `skillbank list`, or find one with `skillbank search "TASK"`',
                as_json=as_json,
            )
        outcome = toolkit.execute(name, arguments)
    if outcome.status in _BAD_INPUT_STATUSES:
        fail(outcome.message, as_json=as_json, exit_code=EXIT_BAD_INPUT)
    document = outcome.to_json()
    emit(
        document,
        as_json=as_json,
        human=lambda: _show_outcome(outcome),
        exit_code=EXIT_OK if outcome.ok else EXIT_FAILED,
    )


def _show_outcome(outcome: ToolOutcome) -> None:
    for index, inner in enumerate(outcome.tool_calls, start=1):
        verdict = ("error", "red") if inner.get("error") else ("ok", "green")
        arguments = json.dumps(inner.get("arguments"), ensure_ascii=False)
        stdout.print(Text.assemble(f"{index}. {inner.get('name')}({arguments}) ", verdict))
    colour = "green" if outcome.ok else "red"
    count = len(outcome.tool_calls)
    stdout.print(
        Text.assemble(
            (str(outcome.status), f"bold {colour}"),
            f" in {outcome.seconds:.3f}s ({count} tool call{'' if count == 1 else 's'})",
        )
    )
    if outcome.ok and not isinstance(outcome.value, str):
        # Structured results read better indented, and strings inside them must not wrap.
        stdout.print_json(json.dumps(outcome.value, ensure_ascii=False))
    else:
        stdout.print(outcome.message, markup=False)


@app.command(
    "serve",
    epilog=f"Example: skillbank serve --tools {_EXAMPLE_TOOLS} --transport stdio",
)
def serve(
    tools: str | None = ToolsOption,
    transport: str = typer.Option("stdio", "--transport", help="stdio or http."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (http)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on (http)."),
    state: list[str] | None = typer.Option(  # noqa: B008  (typer's declaration style)
        None,
        "--state",
        metavar="STATE",
        help=f"Serve skills in this state (repeatable; default: promoted): {_STATES}.",
    ),
    expose_host_tools: bool = typer.Option(
        False, "--expose-host-tools", help="Also serve the host tools themselves."
    ),
    record_host_calls: bool = typer.Option(
        False, "--record-host-calls", help="Record direct host tool calls, per session."
    ),
    record: bool = typer.Option(True, "--record/--no-record", help="Record skill calls."),
    access_log: bool = typer.Option(
        False, "--access-log/--no-access-log", help="Log one line per HTTP request (http)."
    ),
    poll: float = typer.Option(1.0, "--poll", help="Seconds between registry checks."),
    max_workers: int | None = typer.Option(
        None,
        "--max-workers",
        help="Most skill calls running at once (sandbox workers; default: two per core).",
    ),
    queue: int = typer.Option(256, "--queue", help="Calls that may wait for a worker."),
    queue_timeout: float = typer.Option(
        30.0, "--queue-timeout", help="Seconds a call may wait before it is answered busy."
    ),
    db: str | None = DbOption,
) -> None:
    """Serve the registry's skills (and optionally the host tools) as an MCP server."""
    if transport not in ("stdio", "http"):
        fail(f"--transport {transport!r}: use stdio or http", as_json=False)
    try:
        from skills_runtime.export.mcp_server import SkillServer
    except ImportError as error:
        fail(
            f"serving needs the MCP extra ({error.name or 'mcp'} is missing); "
            "install it with `pip install 'skillbank[mcp]'`",
            as_json=False,
        )
    toolset = _toolset(tools, as_json=False, required=True)
    states = _states(state, ("promoted",), as_json=False)
    import sandbox
    from skills_runtime.export.outcome_writer import OutcomeWriter

    config = _pool_config(max_workers, queue, queue_timeout)
    _log_one_line_per_event()
    with (
        open_registry(db, as_json=False) as registry,
        # The writer records through a connection of its own: its disk syncs never hold up
        # the reads every call makes on the server's.
        open_registry(db, as_json=False) as recording,
        sandbox.ProcessPool(config=config) as pool,
    ):
        # Calls hand their records to one writer thread and return (see OutcomeWriter).
        writer = OutcomeWriter(recording) if record else None
        toolkit = Toolkit(
            registry, toolset, states=states, record=record, executor=pool, writer=writer
        )
        demoted = toolkit.sync_tool_schemas()
        if demoted:
            stderr.print(
                f"skillbank: the toolset's schemas changed for tools that {', '.join(demoted)} "
                "call; they went back to candidate: run `skillbank verify NAME`, then promote",
                markup=False,
                soft_wrap=True,
            )
        server = SkillServer(
            toolkit,
            expose_host_tools=expose_host_tools,
            record_host_calls=record_host_calls,
            poll_seconds=poll if poll > 0 else None,
        )
        stderr.print(
            f"skillbank: serving skills in states {', '.join(states)} from "
            f"{registry.location!r} "
            + ("over stdio" if transport == "stdio" else f"on http://{host}:{port}/mcp"),
            markup=False,
            soft_wrap=True,
        )
        unavailable = toolkit.unavailable()
        if unavailable:
            stderr.print(
                f"skillbank: {_left_out_line(unavailable, states)}", markup=False, soft_wrap=True
            )
        pool.warm()
        # What is set up now (the SDK, the HTTP stack, the registry, the skills) lives as long
        # as the server: frozen out of the collector's reach, a full collection while serving
        # walks only what requests made, not the whole heap (a pause every caller would share).
        gc.collect()
        gc.freeze()
        stderr.print(
            f"skillbank: up to {config.max_workers} calls at once in sandbox workers; "
            f"{config.max_waiting} more may wait up to {config.wait_seconds:g} s, "
            "later ones are answered busy",
            markup=False,
            soft_wrap=True,
        )
        # SIGTERM ends the server as Ctrl-C does; uvicorn captures it while serving, shuts down
        # gracefully, then raises it again, which lands here and stores the queued records.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            if transport == "http":
                server.serve_http(host=host, port=port, access_log=access_log)
            else:
                server.run("stdio")
        except KeyboardInterrupt:
            stored = server.flush_recordings()
            if writer is not None:
                writer.close()
            stderr.print(
                "skillbank: stopped; every skill call so far is recorded"
                + (f", and {stored} session(s) of host calls were stored" if stored else ""),
                markup=False,
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_INTERRUPTED) from None
        finally:
            signal.signal(signal.SIGTERM, previous)
            if writer is not None:
                writer.close()  # stores every call handed over before the server stopped
        server.flush_recordings()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _pool_config(max_workers: int | None, queue: int, queue_timeout: float) -> PoolConfig:
    """The sandbox pool of ``serve`` from its options (exit 2 with the reason when unusable)."""
    import sandbox

    options: dict[str, Any] = {"max_waiting": queue, "wait_seconds": queue_timeout}
    if max_workers is not None:
        options["max_workers"] = max_workers
    try:
        return sandbox.PoolConfig(**options)
    except sandbox.ConfigurationError as error:
        message = str(error)
        for field, flag in _POOL_FLAGS.items():
            message = message.replace(f"PoolConfig.{field}", flag)
        fail(message, as_json=False)


_POOL_FLAGS = {
    "max_workers": "--max-workers",
    "max_waiting": "--queue",
    "wait_seconds": "--queue-timeout",
}


class _OneLineFormatter(logging.Formatter):
    """Log records as single lines: a line per event is what a server log is read (and grepped)
    by. Only an unexpected exception keeps its traceback."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record).replace("\r", " ").replace("\n", " ⏎ ")
        return inert_text(line)  # a skill's error text must not act on the terminal


def _log_one_line_per_event() -> None:
    """Set the root logger up before the MCP SDK does (its default draws multi-line blocks)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        _OneLineFormatter("%(asctime)s skillbank %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
