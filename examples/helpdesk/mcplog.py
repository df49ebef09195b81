"""A real MCP client session, driven from synchronous code, that logs every JSON-RPC message.

:class:`LoggingTransport` sits between the SDK's ``Client`` and its in-memory transport, the way a
logging proxy sits on a wire: every message the client sends and every message it receives is
written down, in order, as the SDK serialises it for the wire
(``model_dump_json(by_alias=True, exclude_unset=True)``, as its stdio transport does).
:class:`LoggedSession` runs the client in a blocking portal so the recorder's scripts stay plain,
synchronous code.
"""

from __future__ import annotations

import contextlib
import json
from types import TracebackType
from typing import Any

import anyio.from_thread
from mcp import Client
from mcp.client._memory import InMemoryTransport
from mcp.server import MCPServer
from mcp.shared.message import SessionMessage
from mcp.types import Implementation

from examples.agentlog import CallOutcome

__all__ = ["LoggedSession", "LoggingTransport"]


def _wire(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, SessionMessage):
        return None  # a transport error, not a message
    document: dict[str, Any] = json.loads(
        item.message.model_dump_json(by_alias=True, exclude_unset=True)
    )
    return document


class _LoggedRead:
    def __init__(self, inner: Any, log: list[dict[str, Any]]) -> None:
        self._inner = inner
        self._log = log

    async def receive(self) -> Any:
        item = await self._inner.receive()
        if (document := _wire(item)) is not None:
            self._log.append(document)
        return item

    def __aiter__(self) -> _LoggedRead:
        return self

    async def __anext__(self) -> Any:
        try:
            return await self.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> _LoggedRead:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class _LoggedWrite:
    def __init__(self, inner: Any, log: list[dict[str, Any]]) -> None:
        self._inner = inner
        self._log = log

    async def send(self, item: Any) -> None:
        if (document := _wire(item)) is not None:
            self._log.append(document)
        await self._inner.send(item)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> _LoggedWrite:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class LoggingTransport:
    """A client transport that records every JSON-RPC message passing through ``inner``."""

    def __init__(self, inner: Any, log: list[dict[str, Any]]) -> None:
        self._inner = inner
        self.log = log

    async def __aenter__(self) -> tuple[_LoggedRead, _LoggedWrite]:
        read, write = await self._inner.__aenter__()
        return _LoggedRead(read, self.log), _LoggedWrite(write, self.log)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, traceback)


class LoggedSession:
    """An initialised MCP client session on ``server`` (the handshake-era protocol, as most
    deployed clients speak it), usable from synchronous code; ``messages`` is the wire log.

    Args:
        server: The server to connect to, in process.
        client_info: How the client introduces itself in ``initialize``.
    """

    def __init__(self, server: MCPServer, *, client_info: Implementation) -> None:
        self.messages: list[dict[str, Any]] = []
        self._server = server
        self._client_info = client_info
        self._stack = contextlib.ExitStack()
        self._client: Client | None = None

    def __enter__(self) -> LoggedSession:
        portal = self._stack.enter_context(anyio.from_thread.start_blocking_portal())
        transport = LoggingTransport(InMemoryTransport(self._server), self.messages)
        client = Client(transport, mode="legacy", client_info=self._client_info)
        self._client = self._stack.enter_context(portal.wrap_async_context_manager(client))
        self._portal = portal
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def list_tools(self) -> list[dict[str, Any]]:
        """``tools/list``: the tools as the server published them (wire form)."""
        assert self._client is not None, "use the session in a with block"
        self._portal.call(self._client.list_tools)
        return list(self.messages[-1]["result"]["tools"])

    def call(self, name: str, arguments: dict[str, Any]) -> CallOutcome:
        """``tools/call``: what came back, as text (the result's text content) and JSON."""
        assert self._client is not None, "use the session in a with block"
        result = self._portal.call(self._client.call_tool, name, arguments)
        text = "\n".join(part.text for part in result.content if part.type == "text")
        return CallOutcome(text, is_error=bool(result.is_error), value=result.structured_content)
