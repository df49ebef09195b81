"""Requests that reorganise files: move into a new folder, rename a batch, clean up.

Each ``*_tasks`` function picks values from the seed tree and returns :class:`Task` values whose
scripts drive the tools the way a real, imperfect agent does (``README.md`` lists the noise).
"""

from __future__ import annotations

import random

from examples.agentlog import Episode, Script, Task, plan_noise, typo

from .fs import Tree

__all__ = ["cleanup_tmp_tasks", "move_tasks", "remove_build_tasks", "rename_tasks"]


def _files(tree: Tree, directory: str, suffix: str = "") -> list[str]:
    return [
        n
        for n in tree.children(directory)
        if tree.is_file(f"{directory}/{n}") and n.endswith(suffix)
    ]


def move_tasks(rng: random.Random, tree: Tree, users: list[str], count: int) -> list[Task]:
    """Make a new folder and move one file into it (mkdir, then mv into what mkdir made)."""
    places = [
        ("logs", ".log", ["2024-05", "archive", "old"]),
        ("notes", ".md", ["archive", "meetings", "done"]),
        ("Downloads", ".pdf", ["invoices", "paperwork"]),
    ]
    tasks = []
    noises = plan_noise(
        rng,
        count,
        ["fix_up", "retry_after_error", "unused_read", "detour", "duplicate_read"],
        ["wrong_change", "gave_up"],
    )
    for index in range(count):
        user = users[index % len(users)]
        folder, suffix, names = places[index % len(places)]
        parent = f"/home/{user}/{folder}"
        file = rng.choice(_files(tree, parent, suffix))
        new = rng.choice(names)
        nested = rng.random() < 0.3
        if nested:
            new = f"{new}/{rng.choice(['2024', 'q2'])}"
        noise = noises[index]
        shown = f"~/{folder}"
        said = rng.choice(
            [
                f"Create a folder {shown}/{new} and move {file} into it.",
                f"Please make a new directory '{new}' inside {shown} and put {file} in there.",
                f"I want {file} from {shown} tidied away into a new subfolder {new}.",
            ]
        )
        sibling = next(f for f in _files(tree, parent) if f != file)
        tasks.append(
            Task(
                "move_into_new_folder",
                user,
                said,
                _move(shown, file, new, nested, noise, rng.random() < 0.35, sibling, rng),
            )
        )
    return tasks


def _move(
    folder: str,
    file: str,
    new: str,
    nested: bool,
    noise: frozenset[str],
    retype: bool,
    sibling: str,
    rng: random.Random,
) -> Script:
    def run(ep: Episode) -> None:
        source = f"{folder}/{file}"
        target = f"{folder}/{new}"
        if "unused_read" in noise:
            ep.call("ls", path=folder, say="Let me look at the folder first.")
            ep.note("unused_read")
            if "duplicate_read" in noise:
                ep.call("ls", path=folder)
                ep.note("duplicate_read")
        if "detour" in noise:
            ep.call("read_file", path=source)
            ep.note("detour")
        if "fix_up" in noise:
            ep.call("mv", source=source, destination=target + "/")
            ep.note("fix_up")
        made = ep.call("mkdir", path=target, parents=False)
        if made is None and nested:
            made = ep.call("mkdir", path=target, parents=True, say="The parent is missing too.")
            ep.note("retry_after_error")
        if "gave_up" in noise:
            ep.call("mv", source=typo(source, rng), destination=made)
            ep.answer(
                "I created the folder, but I could not find the file to move. "
                "Could you check its name?"
            )
            ep.note("gave_up")
            return
        if "retry_after_error" in noise:
            ep.call("mv", source=typo(source, rng), destination=made)
            ep.call("ls", path=folder)
            ep.note("retry_after_error")
        moved = file
        if "wrong_change" in noise:
            moved = sibling
            ep.note("wrong_change")
        ep.call("mv", source=f"{folder}/{moved}", destination=target if retype else made)
        ep.answer(f"Done: {folder}/{new} now holds {file}.")

    return run


def rename_tasks(rng: random.Random, tree: Tree, users: list[str], count: int) -> list[Task]:
    """Rename every matching file of one folder (a loop over what ls listed)."""
    tasks = []
    noises = plan_noise(
        rng,
        count,
        ["retry_after_error", "duplicate_read", "unused_read"],
        ["gave_up", "wrong_change"],
    )
    for index in range(count):
        user = users[(index + 2) % len(users)]
        noise = noises[index]
        use_cd = rng.random() < 0.4
        if index % 2 == 0:
            albums = tree.children(f"/home/{user}/photos")
            album = rng.choice(albums)
            folder = f"~/photos/{album}"
            names = _files(tree, f"/home/{user}/photos/{album}", ".jpg")
            renames = [(name, f"{album}-{n:02d}.jpg") for n, name in enumerate(names, start=1)]
            said = rng.choice(
                [
                    f"Rename the photos in {folder} to {album}-01.jpg, {album}-02.jpg and so on, "
                    "in the order of their current names.",
                    f"Can you give the pictures in {folder} proper names: {album}-01.jpg, "
                    f"{album}-02.jpg, ... following the current name order?",
                ]
            )
        else:
            folder = "~/logs"
            prefix = rng.choice(["old-", "2024-", "archived-"])
            names = _files(tree, f"/home/{user}/logs", ".log")
            renames = [(name, prefix + name) for name in names]
            said = rng.choice(
                [
                    f"Add the prefix '{prefix}' to every .log file in {folder}.",
                    f"Please prefix all my log files in {folder} with '{prefix}'.",
                ]
            )
        tasks.append(Task("rename_batch", user, said, _rename(folder, renames, noise, use_cd, rng)))
    return tasks


def _rename(
    folder: str,
    renames: list[tuple[str, str]],
    noise: frozenset[str],
    use_cd: bool,
    rng: random.Random,
) -> Script:
    def run(ep: Episode) -> None:
        where = folder
        if use_cd:
            ep.call("cd", path=folder)
            where = "."
        if "unused_read" in noise:
            ep.call("pwd" if use_cd else "stat", **({} if use_cd else {"path": folder}))
            ep.note("unused_read")
        listed = ep.call("ls", path=where)
        if "duplicate_read" in noise:
            ep.call("ls", path=where, say="Listing again to be sure I have every file.")
            ep.note("duplicate_read")
        wanted = dict(renames)
        todo = [name for name in listed if name in wanted]
        if "wrong_change" in noise:
            todo = todo[:-1]  # forgets the last one and says all are done
            ep.note("wrong_change")
        for position, name in enumerate(todo):

            def path(n: str) -> str:
                return n if where == "." else f"{where}/{n}"

            if position == 1 and "retry_after_error" in noise:
                ep.call("mv", source=path(typo(name, rng)), destination=path(wanted[name]))
                ep.note("retry_after_error")
            if position == 1 and "gave_up" in noise:
                ep.call("mv", source=path(typo(name, rng)), destination=path(wanted[name]))
                ep.answer(f"I renamed {todo[0]} but then hit an error; the rest are unchanged.")
                ep.note("gave_up")
                return
            ep.call("mv", source=path(name), destination=path(wanted[name]))
        ep.answer(f"Renamed {len(renames)} files in {folder}.")

    return run


def cleanup_tmp_tasks(rng: random.Random, tree: Tree, users: list[str], count: int) -> list[Task]:
    """Delete every temporary file in Downloads (found with find or ls, removed one by one)."""
    tasks = []
    noises = plan_noise(rng, count, ["detour", "unused_read"], ["wrong_change"])
    for index in range(count):
        user = users[(index + 1) % len(users)]
        noise = noises[index]
        said = rng.choice(
            [
                "Delete all the .tmp files in my Downloads folder.",
                "Clean up ~/Downloads: remove every *.tmp file.",
                "Get rid of the temporary (.tmp) downloads please.",
            ]
        )
        tasks.append(
            Task("delete_tmp_files", user, said, _cleanup(noise, rng.random() < 0.5, tree, user))
        )
    return tasks


def _cleanup(noise: frozenset[str], use_find: bool, tree: Tree, user: str) -> Script:
    keep = next(n for n in _files(tree, f"/home/{user}/Downloads") if not n.endswith(".tmp"))

    def run(ep: Episode) -> None:
        if "detour" in noise:
            ep.call("ls", path="~")
            ep.note("detour")
        if use_find:
            paths = ep.call("find", name="*.tmp", path="~/Downloads")
        else:
            paths = [
                f"~/Downloads/{n}" for n in ep.call("ls", path="~/Downloads") if n.endswith(".tmp")
            ]
        if "unused_read" in noise:
            ep.parallel([("stat", {"path": p}) for p in paths], say="Checking their sizes.")
            ep.note("unused_read")
        for path in paths:
            ep.call("rm", path=path)
        if "wrong_change" in noise:
            ep.call("rm", path=f"~/Downloads/{keep}")
            ep.note("wrong_change")
        ep.answer(f"Removed {len(paths)} temporary file(s) from ~/Downloads.")

    return run


def remove_build_tasks(rng: random.Random, tree: Tree, users: list[str], count: int) -> list[Task]:
    """Remove a project's build directory: its files first, then the empty directory."""
    builds = [p for p in tree.below("/home") if p.endswith("/build") and tree.is_dir(p)]
    tasks = []
    noises = plan_noise(rng, count, ["fix_up", "wrong_tool_first", "duplicate_read"], ["gave_up"])
    for index, build in enumerate(rng.sample(builds, k=count)):
        user = build.split("/")[2]
        project = build.split("/")[4]
        noise = noises[index]
        said = rng.choice(
            [
                f"Remove the build directory of my {project} project.",
                f"Delete ~/projects/{project}/build, I don't need those artefacts.",
                f"Please wipe out the build output folder in project {project}.",
            ]
        )
        tasks.append(
            Task(
                "remove_build_dir", user, said, _remove_build(f"~/projects/{project}/build", noise)
            )
        )
    return tasks


def _remove_build(build: str, noise: frozenset[str]) -> Script:
    def run(ep: Episode) -> None:
        if "wrong_tool_first" in noise:
            ep.call("rm", path=build)
            ep.note("wrong_tool_first")
        if "fix_up" in noise or "gave_up" in noise:
            ep.call("rmdir", path=build)
            if "gave_up" in noise:
                ep.answer(
                    f"{build} is not empty, so I left it alone. Do you want me to delete "
                    "its contents too?"
                )
                ep.note("gave_up")
                return
            ep.note("fix_up")
        names = ep.call("ls", path=build)
        if "duplicate_read" in noise:
            ep.call("ls", path=build)
            ep.note("duplicate_read")
        for name in names:
            ep.call("rm", path=f"{build}/{name}")
        ep.call("rmdir", path=build)
        ep.answer(f"Deleted {build} and the {len(names)} files in it.")

    return run
