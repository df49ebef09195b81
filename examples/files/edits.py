"""Requests that copy or edit files: backups, edits inside a project (after ``cd``), notes.

Each ``*_tasks`` function picks values from the seed tree and returns :class:`Task` values whose
scripts drive the tools the way a real, imperfect agent does (``README.md`` lists the noise).
"""

from __future__ import annotations

import posixpath
import random

from examples.agentlog import Episode, Script, Task, plan_noise, typo

from .fs import Tree

__all__ = ["backup_file_tasks", "backup_project_tasks", "edit_in_project_tasks", "single_tasks"]

DAYS = ["2024-06-03", "2024-06-04", "2024-06-05", "2024-06-07", "2024-06-10"]
"""The days requests were made on (the dated names use them)."""


def _projects(tree: Tree, user: str) -> list[str]:
    return [name.rstrip("/") for name in tree.children(f"/home/{user}/projects")]


def backup_file_tasks(rng: random.Random, tree: Tree, users: list[str], count: int) -> list[Task]:
    """Copy a file to a name derived from its own (``x.bak``, or dated) in the same folder."""
    tasks = []
    noises = plan_noise(
        rng, count, ["duplicate_read", "retry_after_error", "detour"], ["wrong_change"]
    )
    for index in range(count):
        user = users[(index + 3) % len(users)]
        project = rng.choice(_projects(tree, user))
        source = rng.choice(
            [
                f"~/projects/{project}/config.yaml",
                "~/notes/todo.txt",
                f"~/projects/{project}/README.md",
                "~/notes/ideas.md",
            ]
        )
        today = rng.choice(DAYS)
        folder, name = posixpath.split(source)
        stem, extension = posixpath.splitext(name)
        if index % 2 == 0:
            copy = f"{folder}/{name}.bak"
            said = rng.choice(
                [
                    f"Back up {source} before I edit it: a .bak copy next to it.",
                    f"Make a {name}.bak backup of {source} in the same folder.",
                ]
            )
        else:
            copy = f"{folder}/{stem}-{today}{extension}"
            said = rng.choice(
                [
                    f"Make a dated copy of {source} ({stem}-{today}{extension}).",
                    f"Please keep a copy of {source} named with today's date, "
                    f"like {stem}-{today}{extension}, in the same directory.",
                ]
            )
        noise = noises[index]
        wrong = f"{folder}/{stem}.bak"
        tasks.append(
            Task("backup_file", user, said, _backup(source, copy, wrong, noise, rng), today)
        )
    return tasks


def _backup(
    source: str, copy: str, wrong: str, noise: frozenset[str], rng: random.Random
) -> Script:
    def run(ep: Episode) -> None:
        if "detour" in noise:
            ep.call("ls", path="~", say="Let me get my bearings.")
            ep.note("detour")
        ep.call("stat", path=source)
        if "duplicate_read" in noise:
            ep.call("stat", path=source)
            ep.note("duplicate_read")
        if "retry_after_error" in noise:
            ep.call("cp", source=typo(source, rng), destination=copy)
            ep.note("retry_after_error")
        if "wrong_change" in noise:
            ep.call("cp", source=source, destination=wrong)
            ep.note("wrong_change")
            ep.answer(f"Backed up {source} to {wrong}.")
            return
        done = ep.call("cp", source=source, destination=copy)
        ep.answer(f"Backed up {source} to {done['destination']}.")

    return run


def backup_project_tasks(
    rng: random.Random, tree: Tree, users: list[str], count: int
) -> list[Task]:
    """Copy a whole project into ~/backups under a dated name (mkdir -p, then cp -r)."""
    tasks = []
    noises = plan_noise(rng, count, ["fix_up", "retry_after_error", "unused_read"], ["gave_up"])
    for index in range(count):
        user = users[(index + 4) % len(users)]
        project = rng.choice(_projects(tree, user))
        noise = noises[index]
        today = rng.choice(DAYS)
        said = rng.choice(
            [
                f"Back up my {project} project into ~/backups as {project}-{today}.",
                f"Copy the whole ~/projects/{project} folder to ~/backups/{project}-{today}.",
            ]
        )
        tasks.append(
            Task("backup_project", user, said, _backup_project(project, today, noise), today)
        )
    return tasks


def _backup_project(project: str, today: str, noise: frozenset[str]) -> Script:
    def run(ep: Episode) -> None:
        source = f"~/projects/{project}"
        if "unused_read" in noise:
            ep.call("ls", path=source)
            ep.note("unused_read")
        if "fix_up" in noise or "gave_up" in noise:
            ep.call("cp", source=source, destination=f"~/backups/{project}-{today}", recursive=True)
            if "gave_up" in noise:
                ep.answer("There is no ~/backups folder, so I could not make the backup.")
                ep.note("gave_up")
                return
            ep.note("fix_up")
        backups = ep.call("mkdir", path="~/backups", parents=True)
        target = f"{backups}/{project}-{today}"
        if "retry_after_error" in noise:
            ep.call("cp", source=source, destination=target)
            ep.note("retry_after_error")
        ep.call("cp", source=source, destination=target, recursive=True)
        ep.answer(f"Copied {source} to {target}.")

    return run


def edit_in_project_tasks(
    rng: random.Random, tree: Tree, users: list[str], count: int
) -> list[Task]:
    """Go into a project (cd) and add an item to its TODO.md through a relative path."""
    items = [
        "bump the version",
        "check the CI cache",
        "answer Lena's review",
        "remove dead code",
        "add a changelog entry",
        "pin the numpy version",
        "test on Python 3.13",
    ]
    tasks = []
    noises = plan_noise(
        rng,
        count,
        ["retry_after_error", "duplicate_read", "detour", "unused_read"],
        ["wrong_change"],
    )
    for index in range(count):
        user = users[index % len(users)]
        project = rng.choice(_projects(tree, user))
        item = rng.choice(items)
        noise = noises[index]
        said = rng.choice(
            [
                f"In my {project} project, add '{item}' to TODO.md.",
                f"Go to project {project} and put '{item}' on its TODO list.",
                f"Add a TODO item '{item}' for {project}.",
            ]
        )
        tasks.append(
            Task("add_todo_in_project", user, said, _edit_in_project(project, item, noise, rng))
        )
    return tasks


def _edit_in_project(project: str, item: str, noise: frozenset[str], rng: random.Random) -> Script:
    def run(ep: Episode) -> None:
        if "wrong_change" in noise:  # forgets to change directory: creates ~/TODO.md instead
            ep.call("append_file", path="TODO.md", content=f"- [ ] {item}\n")
            ep.note("wrong_change")
            ep.answer(f"Added '{item}' to the TODO list of {project}.")
            return
        if "retry_after_error" in noise:
            ep.call("cd", path=typo(f"projects/{project}", rng))
            ep.call("ls", path="projects")
            ep.note("retry_after_error")
        ep.call("cd", path=f"projects/{project}")
        if "unused_read" in noise:
            ep.call("ls")
            ep.note("unused_read")
        if "detour" in noise:
            ep.call("read_file", path="README.md")
            ep.note("detour")
        ep.call("read_file", path="TODO.md")
        if "duplicate_read" in noise:
            ep.call("read_file", path="TODO.md")
            ep.note("duplicate_read")
        ep.call("append_file", path="TODO.md", content=f"- [ ] {item}\n")
        ep.answer(f"Added '{item}' to {project}/TODO.md.")

    return run


def single_tasks(rng: random.Random, tree: Tree, users: list[str]) -> list[Task]:
    """Two requests made only once: write a new note; fold one note into another."""
    first, second = rng.sample(users, k=2)
    text = "Call the dentist on Monday before 10.\n"
    note = Task(
        "write_note",
        first,
        f"Write a note ~/notes/dentist.txt saying: {text.strip()}",
        lambda ep: _write_note(ep, text),
    )
    merge = Task(
        "merge_notes",
        second,
        "Append everything from ~/notes/ideas.md to the end of ~/notes/todo.txt, "
        "then delete ideas.md.",
        _merge_notes,
    )
    return [note, merge]


def _write_note(ep: Episode, text: str) -> None:
    ep.call("write_file", path="~/notes/dentist.txt", content=text)
    ep.answer("Saved the note to ~/notes/dentist.txt.")


def _merge_notes(ep: Episode) -> None:
    content = ep.call("read_file", path="~/notes/ideas.md")
    ep.call("read_file", path="~/notes/todo.txt")
    ep.call("append_file", path="~/notes/todo.txt", content=content)
    ep.call("rm", path="~/notes/ideas.md")
    ep.answer("Moved the contents of ideas.md to the end of todo.txt and deleted ideas.md.")
