"""What the example recorders share: splitting tasks, knowing outcomes or not, the answer key.

Real logs say whether a run succeeded only sometimes (a reward from an evaluation, a user's thumbs
up); the recorders keep that for a random share of runs and leave it out of the others. The answer
key written beside the transcripts is for tests and benchmarks, never an input to learning.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from examples.agentlog import Episode, Task

__all__ = [
    "KNOWN_OUTCOMES",
    "NOISE",
    "answer_key",
    "assign_splits",
    "noise_table",
    "outcome_known",
    "procedure_table",
    "run_truth",
    "write_jsonl",
    "write_recording",
]

KNOWN_OUTCOMES = 0.6
"""The share of runs whose record says how they ended."""


def assign_splits(
    rng: random.Random, groups: list[list[Task]], singles: list[tuple[Task, str]]
) -> list[tuple[Task, str]]:
    """Every task with its split, in a shuffled (log-like) order.

    The last runs of each procedure are ``test`` (two when it has six or more, else one): the same
    procedures as in ``train`` with other values. ``singles`` are procedures asked only once.
    """
    tasks: list[tuple[Task, str]] = list(singles)
    for group in groups:
        held_out = 2 if len(group) >= 6 else 1
        for index, task in enumerate(group):
            tasks.append((task, "test" if index >= len(group) - held_out else "train"))
    rng.shuffle(tasks)
    return tasks


def outcome_known(rng: random.Random) -> bool:
    """Whether this run's record carries its outcome."""
    return rng.random() < KNOWN_OUTCOMES


def answer_key(effects: dict[str, str], runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The answer key: each tool's effect, each run's truth, and the counts the README gives."""
    noise = Counter(kind for run in runs for kind in run["noise"])
    summary = {
        "runs": len(runs),
        **{
            key: sum(run[key] for run in runs)
            for key in ("calls", "failed_calls", "parallel_turns")
        },
        "train": sum(run["split"] == "train" for run in runs),
        "test": sum(run["split"] == "test" for run in runs),
        "succeeded": sum(run["succeeded"] for run in runs),
        "outcome_unknown": sum(not run["outcome_known"] for run in runs),
        "failed_with_outcome_unknown": sum(
            not run["succeeded"] and not run["outcome_known"] for run in runs
        ),
        "clean": sum(not run["noise"] for run in runs),
        "noise": dict(sorted(noise.items())),
    }
    return {"effects": effects, "summary": summary, "runs": runs}


NOISE = {
    "retry_after_error": "a call failed on a slip in its arguments (a mistyped path or id, a name "
    "where an id belongs) and was made again, corrected",
    "retry_after_empty": "a search answered nothing because of a wrong argument (no error) and was "
    "made again, corrected",
    "fix_up": "a call failed on a precondition (the folder is missing, the ticket is closed, no "
    "session yet); another call fixed it and the call was made again",
    "wrong_tool_first": "the first tool tried could not do the job (an error or a useless answer), "
    "then the right one",
    "duplicate_read": "the same read made twice",
    "detour": "a read of something the request did not need",
    "unused_read": "a look before acting whose result feeds nothing later",
    "gave_up": "the run stopped without doing what was asked (a failure)",
    "wrong_change": "the run changed the wrong thing, or not everything, and said it was done "
    "(a failure)",
    "wrong_answer": "an answer-only run answered wrongly (a failure)",
}
"""The kinds of noise the scripted agents put in, as the answer keys name them."""


def noise_table(summary: dict[str, Any]) -> str:
    """The counts of one domain as the Markdown table its README shows."""
    rows = [
        ("runs (train / test)", f"{summary['runs']} ({summary['train']} / {summary['test']})"),
        ("tool calls (failed)", f"{summary['calls']} ({summary['failed_calls']})"),
        ("turns with parallel calls", str(summary["parallel_turns"])),
        ("runs that succeeded", str(summary["succeeded"])),
        (
            "runs without an outcome (of them failed)",
            f"{summary['outcome_unknown']} ({summary['failed_with_outcome_unknown']})",
        ),
        ("runs without noise", str(summary["clean"])),
    ]
    rows += [(f"runs with `{kind}`", str(count)) for kind, count in summary["noise"].items()]
    lines = ["| | count |", "|---|---|", *(f"| {name} | {value} |" for name, value in rows)]
    return "\n".join(lines) + "\n"


def procedure_table(runs: list[dict[str, Any]]) -> str:
    """Runs per procedure and split (failed runs in brackets), as the README's Markdown table."""
    procedures = list(dict.fromkeys(sorted(run["procedure"] for run in runs)))
    lines = ["| procedure | train | test |", "|---|---|---|"]
    for procedure in procedures:
        cells = []
        for split in ("train", "test"):
            mine = [r for r in runs if r["procedure"] == procedure and r["split"] == split]
            failed = sum(not r["succeeded"] for r in mine)
            cells.append(f"{len(mine)}" + (f" ({failed} failed)" if failed else ""))
        lines.append(f"| `{procedure}` | {cells[0]} | {cells[1]} |")
    return "\n".join(lines) + "\n"


def run_truth(
    record_id: str, task: Task, split: str, episode: Episode, *, known: bool, who: str
) -> dict[str, Any]:
    """One run's entry in the answer key (``who`` names the field for ``task.who``)."""
    return {
        "id": record_id,
        "procedure": task.procedure,
        "split": split,
        who: task.who,
        "succeeded": episode.succeeded,
        "outcome_known": known,
        "noise": episode.noise,
        **episode.counts(),
    }


def write_recording(
    directory: Path, transcripts: dict[str, list[dict[str, Any]]], answers: dict[str, Any]
) -> None:
    """Write each transcript file (name → records) and ``answers.json`` into ``directory``."""
    for name, records in transcripts.items():
        write_jsonl(directory / name, records)
    (directory / "answers.json").write_text(json.dumps(answers, indent=1) + "\n", encoding="utf-8")
    runs = len(answers["runs"])
    print(f"wrote {runs} runs to {directory}")


def write_jsonl(path: Path, documents: list[dict[str, Any]]) -> None:
    """One JSON document per line, UTF-8."""
    text = "".join(json.dumps(document, ensure_ascii=False) + "\n" for document in documents)
    path.write_text(text, encoding="utf-8")
