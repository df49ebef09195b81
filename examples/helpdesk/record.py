"""Record the helpdesk trajectories through the real MCP server (deterministic: a fixed seed).

For each request, a scripted support copilot connects to the helpdesk's ``MCPServer`` with the SDK's
own client over its in-memory transport, lists the tools and makes its calls; a logging transport
writes down every JSON-RPC message. Each run starts from a fresh copy of ``data.json``. The copilot
is noisy the way real agents are (see ``README.md`` for the kinds and counts). Writes, beside this
file:

- ``trajectories.mcp.jsonl`` — one run per line: ``{id, instruction, split, [outcome], messages}``,
  ``messages`` being the JSON-RPC 2.0 messages in the order they crossed the wire (``initialize``,
  ``notifications/initialized``, ``tools/list``, then each ``tools/call`` and its result);
- ``trajectories.openai.jsonl`` — the same runs as the copilot's OpenAI Chat Completions log, with
  the MCP tools offered as function tools and each result's text as the tool message;
- ``answers.json`` — the answer key, never an input: each tool's effect, each run's truth.

Run from the repository root: ``python -m examples.helpdesk.record``.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from mcp.types import Implementation

from examples.agentlog import Episode, Task, to_openai_chat
from examples.recording import answer_key, assign_splits, outcome_known, run_truth, write_recording

from . import questions, tickets, tools
from .mcplog import LoggedSession
from .server import build_server

__all__ = ["CLIENT", "EFFECTS", "SEED", "main", "meanwhile", "record_all"]

SEED = 5
DIRECTORY = Path(__file__).parent
CLIENT = Implementation(name="support-copilot", version="1.4.2")

EFFECTS = {
    **dict.fromkeys(["search_tickets", "get_ticket", "list_agents"], "read"),
    "login": "session",
    **dict.fromkeys(
        [
            "create_ticket",
            "assign_ticket",
            "add_comment",
            "set_priority",
            "close_ticket",
            "reopen_ticket",
            "merge_tickets",
        ],
        "write",
    ),
}
"""What each tool does: reads tickets, opens a session (a token), or changes tickets."""

SYSTEM = (
    "You are the support copilot of {email}. Sign in to the helpdesk as them with the login tool "
    "and use its token for every other call. Do what they ask, nothing more; answer questions in "
    "your last message."
)


def build_tasks(rng: random.Random, db: dict[str, Any]) -> list[tuple[Task, str]]:
    """Every task with its split (test: the last runs of each procedure, and two one-offs)."""
    groups = [
        tickets.create_and_assign_tasks(rng, db, 8),
        tickets.close_duplicate_tasks(rng, db, 6),
        tickets.reassign_tasks(rng, db, 6),
        tickets.escalate_tasks(rng, db, 6),
        questions.open_count_tasks(rng, db, 5),
        questions.status_tasks(rng, db, 5),
    ]
    merge, reopen, reply = questions.single_tasks(rng, db)
    return assign_splits(rng, groups, [(reply, "train"), (merge, "test"), (reopen, "test")])


def meanwhile(data: dict[str, Any], number: int) -> dict[str, Any]:
    """The database as run ``number`` finds it: later, with tickets others opened meanwhile."""
    opened = 3 * number + number * 7 % 4
    clock = datetime.fromisoformat(data["clock"].replace("Z", "+00:00"))
    clock += timedelta(minutes=47 * number)
    return {
        **data,
        "next_ticket": data["next_ticket"] + opened,
        "next_comment": data["next_comment"] + 5 * opened,
        "clock": clock.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


@contextmanager
def _quiet_server_log() -> Iterator[None]:
    """The SDK logs every refused call at INFO; the recording holds them already."""
    logger = logging.getLogger("mcp")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _openai_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """An MCP tool as the function tool an MCP host offers a Chat Completions model."""
    return {
        "type": "function",
        "function": {
            "name": tool["name"],
            "description": tool.get("description", ""),
            "parameters": tool["inputSchema"],
        },
    }


def record_all(
    seed: int = SEED,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """The MCP records, the OpenAI records and the answer key; the same for the same seed."""
    rng = random.Random(seed)
    data = tools.reset().snapshot()
    server = build_server()  # its tools work on whatever store tools.reset made current
    mcp_lines, openai_lines, runs = [], [], []
    with _quiet_server_log():
        for number, (task, split) in enumerate(build_tasks(rng, data), start=1):
            record_id = f"helpdesk-{number:03d}"
            tools.reset(meanwhile(data, number), token_salt=record_id)
            with LoggedSession(server, client_info=CLIENT) as session:
                offered = session.list_tools()
                episode = Episode(session.call)
                task.run(episode)
            known, succeeded = outcome_known(rng), episode.succeeded
            outcome = {"outcome": "success" if succeeded else "failure"} if known else {}
            mcp_lines.append(
                {
                    "id": record_id,
                    "instruction": task.instruction,
                    "split": split,
                    **outcome,
                    "messages": session.messages,
                }
            )
            openai_lines.append(
                to_openai_chat(
                    record_id,
                    split=split,
                    system=SYSTEM.format(email=task.who),
                    instruction=task.instruction,
                    episode=episode,
                    tools=[_openai_tool(tool) for tool in offered],
                    outcome=outcome,
                )
            )
            runs.append(run_truth(record_id, task, split, episode, known=known, who="operator"))
    tools.reset()
    return mcp_lines, openai_lines, answer_key(EFFECTS, runs)


def main(directory: Path = DIRECTORY) -> None:
    """Write the two transcript files and the answer key into ``directory``."""
    mcp_lines, openai_lines, answers = record_all()
    transcripts = {"trajectories.mcp.jsonl": mcp_lines, "trajectories.openai.jsonl": openai_lines}
    write_recording(directory, transcripts, answers)


if __name__ == "__main__":
    main()
