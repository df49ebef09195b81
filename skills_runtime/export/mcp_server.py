"""An MCP server of the registry's skills (``mcp>=2.3``), following the registry while it runs.

The tool list is the toolkit's offered skills (promoted by default), and optionally the host tools
themselves. It is refreshed on every ``tools/list``, before a call of a name not yet published, and
by a poll of the registry every ``poll_seconds``; when it changes, clients are told: through
``subscriptions/listen`` streams (protocol 2026-07-28) and with ``notifications/tools/list_changed``
on handshake-era sessions.

Each skill is added with ``MCPServer.add_tool`` as a function whose ``__signature__`` is
synthesized from the skill's schema; the published ``inputSchema`` is the skill's exact JSON
Schema, and the arguments the client sent are validated by skillbank (not coerced by pydantic).
Skill calls run in threads, at most as many at once as the sandbox pool has workers; more wait
in the event loop, first come first served, within the pool's bounds (``max_waiting`` calls, for
``wait_seconds``); beyond them a call is answered at once with a ``busy`` result that says when
to retry (see :mod:`skills_runtime.export.admission`), and the others go on being served.
A skill call answers with a ``CallToolResult``: the outcome's text, and ``structuredContent``
(the value when it is a JSON object, else ``{"result": value}``; ``{"status", "error"}`` for a
failure, with ``isError``). A failed call is logged as one line and the server keeps serving.
Calls of names that are not published are raised as ``ToolError``. Skills the toolset cannot
run (they call host tools it lacks) are not published; calling one by name answers with the
toolkit's ``unavailable`` result.

The served skills are also readable as Agent Skills folders under ``skill://`` URIs (see
:mod:`skills_runtime.export.mcp_skill_resources`).

The server reports the package version as ``serverInfo.version`` and advertises
``tools.listChanged: true`` to handshake-era clients, since it does send
``notifications/tools/list_changed``. ``MCPServer`` has no option for the flag: its low-level
server builds the ``initialize`` capabilities from ``NotificationOptions`` passed to
``create_initialization_options()``, which every transport calls without arguments, so the
server's own instance supplies them (see :func:`_advertise_tools_changed`).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import uuid
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread
from mcp.server import MCPServer, NotificationOptions
from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.subscriptions import InMemorySubscriptionBus, ToolsListChanged
from mcp.types import CallToolResult, InputRequiredResult, TextContent, ToolAnnotations
from mcp.types import Resource as MCPResource
from mcp.types import Tool as MCPTool
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

import sandbox
from skill_registry import RegistryError
from skills_runtime import __version__
from skills_runtime.errors import InvalidArgument, UnknownSkill
from skills_runtime.export.admission import Admission
from skills_runtime.export.mcp_skill_resources import SCHEME, read_skill_resource, skill_resources
from skills_runtime.export.outcome import ToolOutcome
from skills_runtime.export.recording import SessionRecorder, tool_call
from skills_runtime.toolkit import SkillEntry, Toolkit
from skills_runtime.tools import HOST_CALLS_SOURCE, HostTool, to_json_value

__all__ = ["SkillServer"]

logger = logging.getLogger(__name__)

_CONTEXT = "skillbank_mcp_context"
_INSTRUCTIONS = (
    "Tools here are tested skills: each runs a whole procedure (several tool calls) in one step. "
    "Prefer a skill over doing its steps one by one. An error result says what was wrong and "
    "what the skill expects."
)


class SkillServer(MCPServer):
    """``MCPServer`` whose tools are the skills a :class:`Toolkit` offers.

    Args:
        toolkit: The skills (its registry, states, toolset, executor and recording).
        name: The server name clients see.
        expose_host_tools: Also publish the toolset's own tools.
        record_host_calls: Record direct host tool calls, one trajectory per client session,
            stored when the session's connection ends (or on :meth:`flush_recordings`).
        poll_seconds: How often to look for registry changes while a client is connected
            (None: only on ``tools/list`` and calls).
        admission: How many skill calls run at once and how many may wait (default: the
            bounds of the toolkit's sandbox pool, see :class:`Admission`).
    """

    def __init__(
        self,
        toolkit: Toolkit,
        *,
        name: str = "skillbank",
        expose_host_tools: bool = False,
        record_host_calls: bool = False,
        poll_seconds: float | None = 1.0,
        admission: Admission | None = None,
    ) -> None:
        self.bus = InMemorySubscriptionBus()
        super().__init__(
            name,
            instructions=_INSTRUCTIONS,
            version=__version__,
            subscriptions=self.bus,
            lifespan=self._lifespan,
            middleware=[self._track_session],
            warn_on_duplicate_tools=False,
        )
        _advertise_tools_changed(self._lowlevel_server)
        self.toolkit = toolkit
        self.expose_host_tools = expose_host_tools
        self.poll_seconds = poll_seconds
        self.admission = admission if admission is not None else _admission_of(toolkit)
        self.recorder = SessionRecorder(task_prefix="mcp-session") if record_host_calls else None
        self._published: dict[str, tuple[int, str]] = {}
        self._schemas: dict[str, dict[str, Any]] = {}
        self._sync_lock = anyio.Lock()
        self._fingerprint_seen: tuple[tuple[str, int, str], ...] | None = None
        self._legacy_sessions: weakref.WeakSet[Any] = weakref.WeakSet()
        self.changes = 0
        """How many times the published tool list changed (a counter for observers and tests)."""
        if expose_host_tools:
            for tool in toolkit.toolset:
                self._publish_host_tool(tool)

    # -- the tool list follows the registry ---------------------------------------------------

    async def list_tools(self) -> list[MCPTool]:
        """The published tools, refreshed from the registry, with their exact input schemas."""
        await self.refresh()
        return [
            tool.model_copy(
                update={"input_schema": self._schemas.get(tool.name, tool.input_schema)}
            )
            for tool in await super().list_tools()
        ]

    async def list_resources(self) -> list[MCPResource]:
        """The server's own resources, then the served skills as ``skill://`` folders."""
        await self.refresh()
        entries = await anyio.to_thread.run_sync(self._served_entries)
        return [*await super().list_resources(), *skill_resources(entries)]

    async def read_resource(
        self, uri: Any, context: Context[Any, Any] | None = None
    ) -> Iterable[ReadResourceContents] | InputRequiredResult:
        """Read a resource; ``skill://`` URIs are the served skills' Agent Skills files."""
        if str(uri).startswith(SCHEME):
            await self.refresh()
            entries = await anyio.to_thread.run_sync(self._served_entries)
            found = await anyio.to_thread.run_sync(
                read_skill_resource, self.toolkit, str(uri), entries
            )
            if found is not None:
                return found
        return await super().read_resource(uri, context)

    def _served_entries(self) -> list[SkillEntry]:
        return [
            entry
            for entry in self.toolkit.skills()
            if self.toolkit.names.exported(entry.name) in self._published
        ]

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> Any:
        """Call a tool; a name not yet published triggers one refresh first."""
        if name not in self._schemas:
            await self.refresh()
        if name not in self._schemas:
            unavailable = await anyio.to_thread.run_sync(self._unavailable_result, name)
            if unavailable is not None:
                raise ToolError(unavailable)
            available = sorted(self._schemas)
            shown = ", ".join(available[:30]) + (", …" if len(available) > 30 else "")
            raise ToolError(
                f"no tool {name!r} here; available tools: {shown or 'none'}; list the tools "
                "again to get current names"
            )
        return await super().call_tool(name, arguments, context)

    def _unavailable_result(self, name: str) -> str | None:
        """The toolkit's ``unavailable`` answer when ``name`` is a skill left out for its tools."""
        try:
            entry = self.toolkit.entry(name)
        except (UnknownSkill, RegistryError):
            return None
        if not self.toolkit.missing_tools(entry):
            return None
        return self.toolkit.execute(name, {}).content()

    async def refresh(self) -> bool:
        """Bring the published skills in line with the registry; notify clients on a change."""
        async with self._sync_lock:
            # A cheap look first (names, versions, states); signatures only when it moved.
            fingerprint = await anyio.to_thread.run_sync(self._fingerprint)
            if fingerprint == self._fingerprint_seen:
                return False
            entries = await anyio.to_thread.run_sync(self.toolkit.skills)
            changed = self._apply(entries)
            self._fingerprint_seen = fingerprint
        if changed:
            self.changes += 1
            await self.notify_tools_changed()
        return changed

    def _fingerprint(self) -> tuple[tuple[str, int, str], ...]:
        return tuple(
            (summary.name, summary.version, summary.state.value)
            for summary in self.toolkit._offered()
        )

    def _apply(self, entries: list[SkillEntry]) -> bool:
        wanted = {self.toolkit.names.exported(entry.name): entry for entry in entries}
        changed = False
        for name, identity in list(self._published.items()):
            entry = wanted.get(name)
            if entry is None or (entry.version, entry.state) != identity:
                self.remove_tool(name)
                del self._published[name]
                self._schemas.pop(name, None)
                changed = True
        for name, entry in wanted.items():
            if name in self._published:
                continue
            if name in self._schemas:  # a host tool of the same name keeps it
                logger.warning("skill %r is hidden by the host tool of the same name", name)
                continue
            self._publish_skill(name, entry)
            changed = True
        return changed

    async def notify_tools_changed(self) -> None:
        """Tell connected clients the tool list changed (both protocol eras)."""
        await self.bus.publish(ToolsListChanged())
        for session in list(self._legacy_sessions):
            try:
                await session.send_tool_list_changed()
            except Exception:  # a session that went away meanwhile
                self._legacy_sessions.discard(session)

    # -- publishing ---------------------------------------------------------------------------

    def _publish_skill(self, name: str, entry: SkillEntry) -> None:
        async def call(**arguments: Any) -> CallToolResult:
            context = arguments.pop(_CONTEXT, None)
            sent = _sent_arguments(context, arguments)
            outcome = await self._run_admitted(name, sent)
            if outcome.is_error:
                # One line per failed call; the reason goes to the client, not a log block.
                error = outcome.error or {}
                logger.info(
                    "skill %r: %s (%s: %r)",
                    name,
                    outcome.status,
                    error.get("type", "Error"),
                    _first_line(str(error.get("message", ""))),
                )
            return _skill_result(outcome)

        self._add(
            call,
            name,
            entry.description,
            entry.parameters,
            entry.read_only,
            entry.version,
            returns=CallToolResult,
        )
        self._published[name] = (entry.version, entry.state)

    async def _run_admitted(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        """Run a skill call when the admission gives it a turn; a busy outcome otherwise."""
        refused = await self.admission.enter()
        if refused is not None:
            return ToolOutcome.busy(name, refused.why)
        try:
            return await anyio.to_thread.run_sync(
                functools.partial(self.toolkit.execute, name, arguments),
                limiter=self.admission.limiter,
            )
        finally:
            self.admission.leave()

    def _publish_host_tool(self, tool: HostTool) -> None:
        async def call(**arguments: Any) -> str:
            context = arguments.pop(_CONTEXT, None)
            sent = _sent_arguments(context, arguments)
            return await anyio.to_thread.run_sync(
                functools.partial(self._call_host_tool, tool, sent, _session_key(context))
            )

        schema = dict(tool.parameters)
        self._add(call, tool.name, tool.description, schema, not tool.mutates, None)

    def _call_host_tool(self, tool: HostTool, arguments: dict[str, Any], session: str) -> str:
        try:
            checked = tool.validate(arguments)
        except InvalidArgument as failure:
            raise ToolError(str(failure)) from None  # the model's mistake: nothing ran
        error: str | None = None
        result: Any = None
        try:
            result = tool.call(checked)
        except Exception as failure:  # the tool ran and failed (or returned no JSON): recorded
            error = f"{type(failure).__name__}: {failure}"
        if self.recorder is not None:
            call = tool_call(tool.name, arguments, result=result, error=error, mutates=tool.mutates)
            self.recorder.add(session, call, schema=tool.schema())
        if error is not None:
            raise ToolError(error)
        return _text(result)

    def _add(
        self,
        function: Callable[..., Any],
        name: str,
        description: str,
        schema: dict[str, Any],
        read_only: bool | None,
        version: int | None,
        *,
        returns: type = str,
    ) -> None:
        signature = _signature_of(schema, returns=returns)
        function.__name__ = name
        function.__signature__ = signature  # type: ignore[attr-defined]
        # The SDK finds the context parameter through the annotations, not the signature.
        function.__annotations__ = {
            **{key: p.annotation for key, p in signature.parameters.items()},
            "return": returns,
        }
        self.add_tool(
            function,
            name=name,
            description=description,
            annotations=None if read_only is None else ToolAnnotations(read_only_hint=read_only),
            meta=None if version is None else {"skillbank": {"version": version}},
            structured_output=False,
        )
        self._schemas[name] = schema

    # -- serving over HTTP ----------------------------------------------------------------------

    def serve_http(self, *, host: str, port: int, access_log: bool = False) -> None:
        """Serve over streamable HTTP on ``host:port`` until interrupted.

        Answers are one JSON body each rather than a one-event SSE stream (clients of the
        protocol accept both; notification streams stay SSE): the stream costs the server a
        task and its framing on every call for nothing, as no skill call sends progress.
        Without ``access_log`` no line is logged per request: every skill call is recorded in
        the registry, which is the account of what was called.
        """
        import uvicorn

        app = self.streamable_http_app(json_response=True, host=host)
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level=self.settings.log_level.lower(),
            access_log=access_log,
        )
        anyio.run(uvicorn.Server(config).serve)

    # -- connections --------------------------------------------------------------------------

    @asynccontextmanager
    async def _lifespan(self, _server: MCPServer) -> AsyncIterator[dict[str, Any]]:
        connection = uuid.uuid4().hex[:12]
        async with anyio.create_task_group() as group:
            if self.poll_seconds:
                group.start_soon(self._poll, self.poll_seconds)
            try:
                yield {"skillbank_connection": connection}
            finally:
                group.cancel_scope.cancel()
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(self.flush_recordings, connection)

    async def _poll(self, seconds: float) -> None:
        while True:
            await anyio.sleep(seconds)
            try:
                await self.refresh()
            except Exception:  # a busy or briefly unavailable registry: try again next time
                logger.exception("refreshing the skill list failed")

    async def _track_session(self, ctx: Any, call_next: Any) -> Any:
        if ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS:
            # A session that is not weak-referenceable is simply not notified later.
            with contextlib.suppress(TypeError):
                self._legacy_sessions.add(ctx.session)
        return await call_next(ctx)

    def flush_recordings(self, connection: str | None = None) -> int:
        """Store recorded host-call trajectories (of one connection, or all); return how many."""
        if self.recorder is None:
            return 0
        stored = 0
        for session in self.recorder.sessions():
            if connection is not None and not session.startswith(connection):
                continue
            trajectory = self.recorder.flush(session)
            if trajectory is None:
                continue
            try:
                self.toolkit.registry.record_trajectory(
                    trajectory.model_dump(mode="json"), source=HOST_CALLS_SOURCE
                )
                stored += 1
            except Exception:  # recording must not take the server down
                logger.exception("could not store the host calls of session %r", session)
        return stored


def _admission_of(toolkit: Toolkit) -> Admission:
    """The bounds of the pool the toolkit's calls run in (the shared pool when it names none)."""
    executor = toolkit.executor if toolkit.executor is not None else sandbox.default_executor()
    if isinstance(executor, sandbox.ProcessPool):
        return Admission.for_pool(executor)
    config = sandbox.PoolConfig()
    return Admission(
        running=config.max_workers, waiting=config.max_waiting, wait_seconds=config.wait_seconds
    )


def _advertise_tools_changed(lowlevel: Any) -> None:
    """Make ``initialize`` advertise ``tools.listChanged: true`` (handshake-era clients).

    Modern sessions (2026-07-28) derive the flag from ``subscriptions/listen`` being served.
    """
    create = lowlevel.create_initialization_options

    @functools.wraps(create)
    def with_tools_changed(
        notification_options: NotificationOptions | None = None, *args: Any, **kwargs: Any
    ) -> Any:
        options = notification_options or NotificationOptions(tools_changed=True)
        return create(options, *args, **kwargs)

    lowlevel.create_initialization_options = with_tools_changed


def _signature_of(schema: Mapping[str, Any], *, returns: type = str) -> inspect.Signature:
    """A keyword-only signature naming every property; all optional, so skillbank validates."""
    parameters = [inspect.Parameter(_CONTEXT, inspect.Parameter.KEYWORD_ONLY, annotation=Context)]
    for key in schema.get("properties", {}):
        if key.isidentifier() and not key.startswith("_") and key != _CONTEXT:
            parameters.append(
                inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Any)
            )
    return inspect.Signature(parameters, return_annotation=returns)


def _sent_arguments(context: Any, parsed: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments exactly as the client sent them (not as the placeholder model filled them)."""
    try:
        raw = (context.request_context.params or {}).get("arguments")
    except (AttributeError, ValueError):
        raw = None
    if isinstance(raw, Mapping):
        return dict(raw)
    return {key: value for key, value in parsed.items() if value is not None}


def _session_key(context: Any) -> str:
    """Connection id, plus the HTTP session id when there is one."""
    try:
        request_context = context.request_context
    except (AttributeError, ValueError):
        return "unknown"
    lifespan = request_context.lifespan_context
    connection = lifespan.get("skillbank_connection", "") if isinstance(lifespan, Mapping) else ""
    request = request_context.request
    headers = getattr(request, "headers", None)
    session = headers.get("mcp-session-id") if headers is not None else None
    return f"{connection}:{session}" if session else connection or "unknown"


def _skill_result(outcome: ToolOutcome) -> CallToolResult:
    """The MCP result of a skill call: its text, and the same as ``structuredContent``.

    A value that is a JSON object is the structured content itself; any other value is wrapped
    as ``{"result": value}`` (structured content is always an object). A failure carries
    ``{"status", "error": {"type", "message"}}`` and ``isError``.
    """
    if outcome.ok:
        value = to_json_value(outcome.value)
        structured = value if isinstance(value, dict) else {"result": value}
    else:
        structured = {"status": outcome.status, "error": dict(outcome.error or {})}
    return CallToolResult(
        content=[TextContent(type="text", text=outcome.content())],
        structured_content=structured,
        is_error=outcome.is_error,
    )


def _first_line(text: str) -> str:
    line, _, rest = text.partition("\n")
    return line + (" …" if rest.strip() else "")


def _text(value: Any) -> str:
    import json

    value = to_json_value(value)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
