"""The floor of serving over MCP: the SDK's own server with one tool that does nothing.

Run by ``bench/serving.py`` as ``python bench/_serving_floor.py PORT``, in a process of its own,
and driven by the same clients as ``skillbank serve``. What it costs per call is what the MCP SDK
and its HTTP stack (uvicorn, Starlette, pydantic) cost, with no skill, sandbox or registry: no
server of MCP tools on this machine answers faster through the same stack.
"""

from __future__ import annotations

import gc
import sys

from mcp.server import MCPServer

__all__ = ["floor_server"]


def floor_server() -> MCPServer:
    """An MCP server whose one tool, ``noop``, takes an order id and answers ``"ok"``."""
    server = MCPServer("floor")

    async def noop(order_id: str) -> str:
        """Do nothing."""
        return "ok"

    server.add_tool(noop, name="noop", description="Do nothing.", structured_output=False)
    return server


if __name__ == "__main__":
    gc.freeze()  # as skillbank serve does once it is set up
    floor_server().run("streamable-http", host="127.0.0.1", port=int(sys.argv[1]))
