"""Record the file-system trajectories by driving the real tools (deterministic: a fixed seed).

A scripted agent carries out users' requests on a fresh copy of ``data.json`` each, as the user who
asked, starting in their home directory. It is noisy the way real agents are: see ``README.md`` for
the kinds of noise and how often each occurs. Writes, beside this file:

- ``trajectories.openai.jsonl`` — OpenAI Chat Completions records: ``{id, split, [reward], tools,
  messages}``; a failed call is only an ``Error: ...`` text in its tool message;
- ``trajectories.anthropic.jsonl`` — the same runs as Anthropic Messages records (failed calls'
  ``tool_result`` blocks carry ``is_error: true``);
- ``answers.json`` — the answer key, never an input: what each tool does to the file system, and
  per run its procedure, whether it succeeded and the noise put in.

Run from the repository root: ``python -m examples.files.record``.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from examples.agentlog import CallOutcome, Episode, Task, to_anthropic, to_openai_chat
from examples.recording import answer_key, assign_splits, outcome_known, run_truth, write_recording

from . import edits, organise, questions, tools
from .fs import Tree
from .seed import USERS

__all__ = ["EFFECTS", "SEED", "main", "record_all"]

SEED = 11
DIRECTORY = Path(__file__).parent

EFFECTS = {
    **dict.fromkeys(["pwd", "ls", "stat", "read_file", "wc", "find", "grep"], "read"),
    "cd": "session",
    **dict.fromkeys(["write_file", "append_file", "mkdir", "mv", "cp", "rm", "rmdir"], "write"),
}
"""What each tool does: reads the tree, changes the session (its working directory), or writes."""

SYSTEM = (
    "You are a careful assistant that manages {user}'s files with the tools provided. The session "
    "starts in the user's home directory, /home/{user}. Today is {today}. Do exactly what the "
    "user asks; when you answer a question, give the answer in your last message."
)


def build_tasks(rng: random.Random, tree: Tree) -> list[tuple[Task, str]]:
    """Every task with its split (test: the last runs of each procedure, and two one-offs)."""
    groups = [
        organise.move_tasks(rng, tree, USERS, 7),
        edits.backup_file_tasks(rng, tree, USERS, 6),
        edits.backup_project_tasks(rng, tree, USERS, 4),
        edits.edit_in_project_tasks(rng, tree, USERS, 6),
        organise.rename_tasks(rng, tree, USERS, 6),
        questions.count_lines_tasks(rng, tree, USERS, 4),
        questions.largest_file_tasks(rng, tree, USERS, 4),
        questions.mentions_tasks(rng, tree, USERS, 4),
        organise.cleanup_tmp_tasks(rng, tree, USERS, 3),
        organise.remove_build_tasks(rng, tree, USERS, 4),
    ]
    note, merge = edits.single_tasks(rng, tree, USERS)
    singles = [(note, "train"), (merge, "test"), (questions.find_file_task(rng, tree), "test")]
    return assign_splits(rng, groups, singles)


def _call(name: str, arguments: dict[str, Any]) -> CallOutcome:
    try:
        value = tools.toolset.call(name, arguments)
    except ValueError as error:
        return CallOutcome(f"Error: {error}", is_error=True)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return CallOutcome(text, is_error=False, value=value)


def record_all(
    seed: int = SEED,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """The OpenAI records, the Anthropic records and the answer key; the same for the same seed."""
    rng = random.Random(seed)
    data = tools.reset().tree.snapshot()
    declared = tools.toolset.describe()
    openai_lines, anthropic_lines, runs = [], [], []
    for number, (task, split) in enumerate(build_tasks(rng, Tree(data)), start=1):
        tools.reset(data, user=task.who)
        episode = Episode(_call)
        task.run(episode)
        record_id = f"files-{number:03d}"
        known, succeeded = outcome_known(rng), episode.succeeded
        reward = {"reward": int(succeeded)} if known else {}
        shared: dict[str, Any] = {
            "split": split,
            "system": SYSTEM.format(user=task.who, today=task.today),
            "instruction": task.instruction,
            "episode": episode,
            "tools": declared,
            "outcome": reward,
        }
        openai_lines.append(to_openai_chat(record_id, **shared))
        anthropic_lines.append(to_anthropic(record_id, **shared))
        runs.append(run_truth(record_id, task, split, episode, known=known, who="user"))
    tools.reset()
    return openai_lines, anthropic_lines, answer_key(EFFECTS, runs)


def main(directory: Path = DIRECTORY) -> None:
    """Write the two transcript files and the answer key into ``directory``."""
    openai_lines, anthropic_lines, answers = record_all()
    transcripts = {
        "trajectories.openai.jsonl": openai_lines,
        "trajectories.anthropic.jsonl": anthropic_lines,
    }
    write_recording(directory, transcripts, answers)


if __name__ == "__main__":
    main()
