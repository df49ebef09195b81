"""A helpdesk as a toolset and as an MCP server: real tools and noisy runs logged as JSON-RPC.

``tools.toolset`` is the :class:`~skills_runtime.tools.Toolset`, ``server.build_server()`` the
``MCPServer``; ``record.py`` regenerates the MCP logs, their OpenAI copies and the answer key
deterministically (see ``README.md``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ANSWERS", "DIRECTORY", "TRAJECTORIES"]

DIRECTORY = Path(__file__).parent
TRAJECTORIES = {
    "mcp": DIRECTORY / "trajectories.mcp.jsonl",
    "openai-chat": DIRECTORY / "trajectories.openai.jsonl",
}
ANSWERS = DIRECTORY / "answers.json"
