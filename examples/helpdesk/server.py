"""The helpdesk as an MCP server (``mcp`` 2.x ``MCPServer``) serving the toolset's functions.

The tool list is derived by the SDK from each function's signature, as any ``MCPServer`` does, and,
as on many real servers, only some tools carry ``ToolAnnotations``: the two searches say they are
read-only, ``set_priority`` says it is idempotent, ``close_ticket`` and ``merge_tickets`` say how
destructive they are; ``login``, ``list_agents``, ``create_ticket``, ``assign_ticket``,
``add_comment`` and ``reopen_ticket`` say nothing. A refused request (a ``HelpdeskError``) reaches
the client as an ``isError`` result with the reason. Run it over stdio with
``python -m examples.helpdesk.server``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

from .store import HelpdeskError
from .tools import toolset

__all__ = ["ANNOTATIONS", "build_server"]

VERSION = "3.2.0"
INSTRUCTIONS = (
    "Helpdesk for the support team. Call login with your work email first and pass the token it "
    "returns to every other tool. Ticket ids look like HD-1042, agent ids like agt_1042."
)

ANNOTATIONS = {
    "search_tickets": ToolAnnotations(read_only_hint=True, open_world_hint=False),
    "get_ticket": ToolAnnotations(title="Get ticket", read_only_hint=True),
    "set_priority": ToolAnnotations(
        read_only_hint=False, destructive_hint=False, idempotent_hint=True
    ),
    "close_ticket": ToolAnnotations(destructive_hint=False),
    "merge_tickets": ToolAnnotations(
        read_only_hint=False, destructive_hint=True, idempotent_hint=False
    ),
}
"""The annotations the server publishes; tools not named here have none."""


def _reporting_refusals(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, raising the SDK's ``ToolError`` (shown to the client) for a refusal."""

    @functools.wraps(function)
    def tool(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except HelpdeskError as error:
            raise ToolError(str(error)) from None

    return tool


def build_server() -> MCPServer:
    """A new server over the toolset's current store (``tools.reset`` starts a fresh one)."""
    server = MCPServer("helpdesk", instructions=INSTRUCTIONS, version=VERSION)
    for tool in toolset:
        server.add_tool(
            _reporting_refusals(tool.function),
            name=tool.name,
            description=tool.description,
            annotations=ANNOTATIONS.get(tool.name),
        )
    return server


if __name__ == "__main__":
    build_server().run("stdio")
