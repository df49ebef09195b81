"""Requests whose only effect is an answer computed from reads: line counts, sizes, mentions.

The agent's last message states the answer; nothing on disk changes. Each ``*_tasks`` function
returns :class:`Task` values whose scripts compute the answer from what the tools returned.
"""

from __future__ import annotations

import random

from examples.agentlog import Episode, Script, Task, plan_noise, typo

from .fs import Tree

__all__ = ["count_lines_tasks", "find_file_task", "largest_file_tasks", "mentions_tasks"]


def _log_files(tree: Tree, user: str) -> list[str]:
    return [n for n in tree.children(f"/home/{user}/logs") if n.endswith(".log")]


def count_lines_tasks(rng: random.Random, tree: Tree, users: list[str], count: int) -> list[Task]:
    """How many lines does a log file have (wc, or read it and count)."""
    tasks = []
    noises = plan_noise(rng, count, ["wrong_tool_first", "retry_after_error"], ["wrong_answer"])
    for index in range(count):
        user = users[(index + 1) % len(users)]
        path = f"~/logs/{rng.choice(_log_files(tree, user))}"
        noise = noises[index]
        said = rng.choice(
            [
                f"How many lines are in {path}?",
                f"Count the lines of {path} for me.",
                f"What's the line count of my log {path}?",
            ]
        )
        tasks.append(
            Task("count_lines", user, said, _count_lines(path, noise, rng.random() < 0.3, rng))
        )
    return tasks


def _count_lines(path: str, noise: frozenset[str], by_reading: bool, rng: random.Random) -> Script:
    def run(ep: Episode) -> None:
        if "retry_after_error" in noise:
            ep.call("wc", path=typo(path, rng))
            ep.note("retry_after_error")
        if "wrong_tool_first" in noise:
            ep.call("stat", path=path, say="Let me check the file.")
            ep.note("wrong_tool_first")
        wrong = "wrong_answer" in noise
        if by_reading:  # a wrong count by hand counts the last line twice
            lines = ep.call("read_file", path=path).count("\n") + (1 if wrong else 0)
        else:  # a wrong count reads the wrong field of wc's answer
            counted = ep.call("wc", path=path)
            lines = counted["words" if wrong else "lines"]
        if wrong:
            ep.note("wrong_answer")
        ep.answer(f"{path} has {lines} lines.")

    return run


def largest_file_tasks(rng: random.Random, tree: Tree, users: list[str], count: int) -> list[Task]:
    """Which file of a folder is the largest (ls, then stat every file)."""
    tasks = []
    noises = plan_noise(rng, count, ["duplicate_read", "detour"], ["wrong_answer"])
    for index in range(count):
        user = users[(index + 2) % len(users)]
        folder = rng.choice(
            [
                "~/Downloads",
                "~/logs",
                f"~/photos/{tree.children(f'/home/{user}/photos')[0].rstrip('/')}",
            ]
        )
        noise = noises[index]
        said = rng.choice(
            [
                f"Which file in {folder} is the largest?",
                f"What's the biggest file in {folder}, and how big is it?",
            ]
        )
        tasks.append(Task("largest_file", user, said, _largest(folder, noise, rng.random() < 0.5)))
    return tasks


def _largest(folder: str, noise: frozenset[str], at_once: bool) -> Script:
    def run(ep: Episode) -> None:
        if "detour" in noise:
            ep.call("pwd")
            ep.note("detour")
        names = [n for n in ep.call("ls", path=folder) if not n.endswith("/")]
        paths = [f"{folder}/{n}" for n in names]
        if at_once:
            stats = ep.parallel([("stat", {"path": p}) for p in paths], say="Checking sizes.")
        else:
            stats = [ep.call("stat", path=p) for p in paths]
        if "duplicate_read" in noise:
            ep.call("stat", path=paths[0])
            ep.note("duplicate_read")
        sizes = {n: s["size"] for n, s in zip(names, stats, strict=True)}
        biggest = max(names, key=lambda n: (sizes[n], n))
        if "wrong_answer" in noise:  # reads the list wrong way round
            biggest = min(names, key=lambda n: (sizes[n], n))
            ep.note("wrong_answer")
        ep.answer(f"The largest file in {folder} is {biggest} ({sizes[biggest]} bytes).")

    return run


def mentions_tasks(rng: random.Random, tree: Tree, users: list[str], count: int) -> list[Task]:
    """Does a meeting note mention a topic (grep, or read the note)."""
    topics = ["budget", "hiring", "roadmap", "pricing", "migration", "launch date"]
    tasks = []
    noises = plan_noise(rng, count, ["retry_after_error", "unused_read"], ["wrong_answer"])
    for index in range(count):
        user = users[(index + 3) % len(users)]
        notes = [n for n in tree.children(f"/home/{user}/notes") if n.startswith("meeting-")]
        note = rng.choice(notes)
        topic = rng.choice(topics)
        date = note.removeprefix("meeting-").removesuffix(".md")
        noise = noises[index]
        said = rng.choice(
            [
                f"Did we talk about {topic} in the meeting of {date}? The notes are in ~/notes.",
                f"Does ~/notes/{note} mention {topic}?",
            ]
        )
        tasks.append(
            Task(
                "note_mentions",
                user,
                said,
                _mentions(f"~/notes/{note}", topic, noise, rng.random() < 0.35, rng),
            )
        )
    return tasks


def _mentions(
    path: str, topic: str, noise: frozenset[str], by_reading: bool, rng: random.Random
) -> Script:
    def run(ep: Episode) -> None:
        if "unused_read" in noise:
            ep.call("ls", path="~/notes")
            ep.note("unused_read")
        if "retry_after_error" in noise:
            ep.call("grep", pattern=topic, path=typo(path, rng), ignore_case=True)
            ep.note("retry_after_error")
        if by_reading:
            lines = [
                line
                for line in ep.call("read_file", path=path).splitlines()
                if topic in line.lower()
            ]
        else:
            lines = [m["text"] for m in ep.call("grep", pattern=topic, path=path, ignore_case=True)]
        found = bool(lines)
        if "wrong_answer" in noise:
            found = not found
            ep.note("wrong_answer")
        if found:
            ep.answer(f"Yes, {path} mentions {topic}" + (f': "{lines[0]}"' if lines else "."))
        else:
            ep.answer(f"No, {path} does not mention {topic}.")

    return run


def find_file_task(rng: random.Random, tree: Tree) -> Task:
    """Asked once: where is a file of a given name (find over every project)."""
    path = next(p for p in tree.below("/home") if p.endswith("/deploy.sh"))
    user = path.split("/")[2]

    def run(ep: Episode) -> None:
        found = ep.call("find", name="deploy.sh", path="~/projects")
        ep.answer(f"It is at {found[0]}." if found else "I could not find deploy.sh.")

    return Task("find_file", user, "Where is my deploy.sh script? Somewhere in my projects.", run)
