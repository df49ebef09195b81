"""The file tree: directories and text files held in memory, addressed by absolute POSIX paths.

A :class:`Tree` knows nothing of users, working directories or relative paths (``shell.py`` does):
it stores what exists, answers what is where, and changes it. Every change advances a logical clock
that stamps modification times, so the same calls always give the same tree. ``data.json`` is a
tree's :meth:`Tree.snapshot`.
"""

from __future__ import annotations

import copy
import json
import posixpath
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = ["DATA_PATH", "DIRECTORY_SIZE", "File", "Tree"]

DATA_PATH = Path(__file__).with_name("data.json")
DIRECTORY_SIZE = 4096
"""What ``stat`` reports as a directory's size, as ext4 does."""

File = dict[str, Any]
"""A file: ``{"content": str, "modified": "2024-06-03T09:00:00Z"}``."""


class Tree:
    """A mutable file tree.

    Args:
        data: ``{"clock": ISO time, "directories": [paths], "files": {path: File}}``.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self._directories: set[str] = set(data["directories"]) | {"/"}
        self._files: dict[str, File] = copy.deepcopy(data["files"])
        self._clock = datetime.fromisoformat(data["clock"].replace("Z", "+00:00"))

    @classmethod
    def load(cls, path: Path = DATA_PATH) -> Tree:
        """A fresh tree from a JSON file (the bundled ``data.json`` by default)."""
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def snapshot(self) -> dict[str, Any]:
        """The whole tree as JSON (what ``data.json`` holds)."""
        return {
            "clock": self._clock.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "directories": sorted(self._directories - {"/"}),
            "files": {path: dict(self._files[path]) for path in sorted(self._files)},
        }

    # -- questions ---------------------------------------------------------------------------

    def is_dir(self, path: str) -> bool:
        return path in self._directories

    def is_file(self, path: str) -> bool:
        return path in self._files

    def exists(self, path: str) -> bool:
        return self.is_dir(path) or self.is_file(path)

    def file(self, path: str) -> File:
        """A copy of the file at ``path`` (which must be a file)."""
        return dict(self._files[path])

    def children(self, directory: str) -> list[str]:
        """Names directly inside ``directory``, sorted."""
        names = {
            posixpath.basename(path)
            for path in (*self._directories, *self._files)
            if path != "/" and posixpath.dirname(path) == directory
        }
        return sorted(names)

    def below(self, directory: str) -> list[str]:
        """Every path inside ``directory`` (at any depth), sorted."""
        prefix = directory.rstrip("/") + "/"
        return sorted(p for p in (*self._directories, *self._files) if p.startswith(prefix))

    # -- changes -----------------------------------------------------------------------------

    def tick(self) -> str:
        """Advance the clock by a minute and return the new time."""
        self._clock += timedelta(minutes=1)
        return self._clock.strftime("%Y-%m-%dT%H:%M:%SZ")

    def write(self, path: str, content: str) -> None:
        self._files[path] = {"content": content, "modified": self.tick()}

    def make_dir(self, path: str) -> None:
        self._directories.add(path)
        self.tick()

    def remove(self, path: str) -> None:
        """Remove a file, or a directory together with everything below it."""
        for inner in self.below(path) if self.is_dir(path) else []:
            self._directories.discard(inner)
            self._files.pop(inner, None)
        self._directories.discard(path)
        self._files.pop(path, None)
        self.tick()

    def copy(self, source: str, target: str) -> None:
        """Copy a file, or a directory with everything below it, to ``target``."""
        stamp = self.tick()
        for path in [source, *self.below(source)]:
            moved = target + path[len(source) :]
            if path in self._files:
                self._files[moved] = {"content": self._files[path]["content"], "modified": stamp}
            else:
                self._directories.add(moved)

    def move(self, source: str, target: str) -> None:
        """Rename ``source`` (and everything below it) to ``target``, keeping modification times."""
        for path in [source, *self.below(source)]:
            moved = target + path[len(source) :]
            if path in self._files:
                self._files[moved] = self._files.pop(path)
            else:
                self._directories.discard(path)
                self._directories.add(moved)
        self.tick()
