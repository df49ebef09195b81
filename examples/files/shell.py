"""A user's session on the file tree: a working directory, relative paths, and the rules of a shell.

A :class:`Session` is what the tools in ``tools.py`` talk to. It resolves every path the way a shell
does (``~``, ``.``, ``..``, relative to the working directory ``cd`` set), checks what a POSIX file
system checks, and raises :class:`FSError` with the message such a system gives, naming the path as
it was written: ``No such file or directory: 'notes/todo.txt'``, ``Not a directory``, ``Is a
directory``, ``File exists``, ``Directory not empty``, ``Permission denied`` (a user may change
only their home directory and ``/tmp``).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from typing import Any

from .fs import DIRECTORY_SIZE, Tree

__all__ = ["FSError", "Session"]


class FSError(ValueError):
    """A file-system call failed; the message is the system's reason and the path given."""

    def __init__(self, reason: str, path: str, hint: str = "") -> None:
        super().__init__(f"{reason}: {path!r}" + (f" ({hint})" if hint else ""))


class Session:
    """One user's shell on a tree, starting in their home directory."""

    def __init__(self, tree: Tree, user: str) -> None:
        self.tree = tree
        self.user = user
        self.home = f"/home/{user}"
        self.cwd = self.home

    # -- paths -------------------------------------------------------------------------------

    def resolve(self, path: str) -> str:
        """The absolute, normalised form of ``path`` (``~`` is the home directory)."""
        if path == "~" or path.startswith("~/"):
            path = self.home + path[1:]
        joined = path if path.startswith("/") else posixpath.join(self.cwd, path)
        return "/" + posixpath.normpath(joined).lstrip("/")

    def _existing(self, path: str) -> str:
        """The absolute path of something that must exist (a trailing ``/`` demands a directory)."""
        target = self.resolve(path)
        if not self.tree.exists(target):
            self._require_parent(target, path)
            raise FSError("No such file or directory", path)
        if path.endswith("/") and not self.tree.is_dir(target):
            raise FSError("Not a directory", path)
        return target

    def _require_parent(self, target: str, path: str) -> None:
        """Every directory above ``target`` must exist and be a directory."""
        parent = posixpath.dirname(target)
        while parent != "/":
            if self.tree.is_file(parent):
                raise FSError("Not a directory", path)
            parent = posixpath.dirname(parent)
        if not self.tree.is_dir(posixpath.dirname(target)):
            raise FSError("No such file or directory", path)

    def _writable(self, target: str, path: str) -> None:
        for root in (self.home, "/tmp"):
            if target == root or target.startswith(root + "/"):
                return
        raise FSError("Permission denied", path)

    def _destination(self, source: str, destination: str) -> str:
        """Where ``mv``/``cp`` put ``source``: inside ``destination`` when that is a directory."""
        target = self.resolve(destination)
        if self.tree.is_dir(target):
            target = posixpath.join(target, posixpath.basename(source))
        elif destination.endswith("/"):
            raise FSError(
                "Not a directory" if self.tree.is_file(target) else "No such file or directory",
                destination,
            )
        else:
            self._require_parent(target, destination)
        if target == source or target.startswith(source + "/"):
            raise FSError("Invalid argument", destination, f"cannot put {source!r} inside itself")
        if self.tree.is_dir(source) and self.tree.is_file(target):
            raise FSError("File exists", destination)
        if self.tree.is_dir(target):
            raise FSError("Is a directory", destination)
        self._writable(target, destination)
        return target

    # -- reads -------------------------------------------------------------------------------

    def pwd(self) -> str:
        return self.cwd

    def ls(self, path: str = ".", all: bool = False) -> list[str]:
        target = self._existing(path)
        if self.tree.is_file(target):
            return [posixpath.basename(target)]
        names = [n for n in self.tree.children(target) if all or not n.startswith(".")]
        return [n + "/" if self.tree.is_dir(posixpath.join(target, n)) else n for n in names]

    def stat(self, path: str) -> dict[str, Any]:
        target = self._existing(path)
        if self.tree.is_dir(target):
            stamps = [
                self.tree.file(p)["modified"]
                for p in self.tree.below(target)
                if self.tree.is_file(p)
            ]
            modified = max(stamps, default="2024-01-02T08:00:00Z")
            return {
                "path": target,
                "type": "directory",
                "size": DIRECTORY_SIZE,
                "modified": modified,
            }
        file = self.tree.file(target)
        size = len(file["content"].encode("utf-8"))
        return {"path": target, "type": "file", "size": size, "modified": file["modified"]}

    def read_file(self, path: str) -> str:
        return str(self.tree.file(self._file(path))["content"])

    def wc(self, path: str) -> dict[str, Any]:
        content = self.read_file(path)
        return {
            "path": path,
            "lines": content.count("\n"),
            "words": len(content.split()),
            "bytes": len(content.encode("utf-8")),
        }

    def find(self, name: str, path: str = ".") -> list[str]:
        start = self._existing(path)
        shown = path.rstrip("/") or "/"
        found = []
        for inner in self.tree.below(start):
            if fnmatch.fnmatchcase(posixpath.basename(inner), name):
                found.append(posixpath.join(shown, inner[len(start) :].lstrip("/")))
        return found

    def grep(self, pattern: str, path: str, ignore_case: bool = False) -> list[dict[str, Any]]:
        try:
            regex = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
        except re.error as error:
            raise FSError("Invalid regular expression", pattern, str(error)) from None
        start = self._existing(path)
        files = (
            [start]
            if self.tree.is_file(start)
            else [p for p in self.tree.below(start) if self.tree.is_file(p)]
        )
        matches = []
        for file in files:
            shown = path if file == start else posixpath.join(path, file[len(start) + 1 :])
            lines = self.tree.file(file)["content"].splitlines()
            for number, line in enumerate(lines, start=1):
                if regex.search(line):
                    matches.append({"file": shown, "line": number, "text": line})
        return matches

    def _file(self, path: str) -> str:
        target = self._existing(path)
        if self.tree.is_dir(target):
            raise FSError("Is a directory", path)
        return target

    # -- changes -----------------------------------------------------------------------------

    def cd(self, path: str = "~") -> str:
        target = self._existing(path)
        if not self.tree.is_dir(target):
            raise FSError("Not a directory", path)
        self.cwd = target
        return target

    def write_file(self, path: str, content: str) -> dict[str, Any]:
        target = self._new_file(path)
        self.tree.write(target, content)
        return {"path": target, "bytes": len(content.encode("utf-8"))}

    def append_file(self, path: str, content: str) -> dict[str, Any]:
        target = self._new_file(path)
        before = self.tree.file(target)["content"] if self.tree.is_file(target) else ""
        self.tree.write(target, before + content)
        return {"path": target, "size": len((before + content).encode("utf-8"))}

    def _new_file(self, path: str) -> str:
        target = self.resolve(path)
        if self.tree.is_dir(target):
            raise FSError("Is a directory", path)
        self._require_parent(target, path)
        self._writable(target, path)
        return target

    def mkdir(self, path: str, parents: bool = False) -> str:
        target = self.resolve(path)
        if self.tree.exists(target):
            if parents and self.tree.is_dir(target):
                return target
            raise FSError("File exists", path)
        self._writable(target, path)
        missing = [target]
        while parents and not self.tree.exists(posixpath.dirname(missing[-1])):
            missing.append(posixpath.dirname(missing[-1]))
        self._require_parent(missing[-1], path)
        for directory in reversed(missing):
            self.tree.make_dir(directory)
        return target

    def mv(self, source: str, destination: str) -> dict[str, str]:
        origin = self._existing(source)
        self._writable(origin, source)
        target = self._destination(origin, destination)
        self.tree.move(origin, target)
        if self.cwd == origin or self.cwd.startswith(origin + "/"):
            self.cwd = target + self.cwd[len(origin) :]
        return {"source": origin, "destination": target}

    def cp(self, source: str, destination: str, recursive: bool = False) -> dict[str, str]:
        origin = self._existing(source)
        if self.tree.is_dir(origin) and not recursive:
            raise FSError("Is a directory", source, "pass recursive=true to copy a directory")
        target = self._destination(origin, destination)
        self.tree.copy(origin, target)
        return {"source": origin, "destination": target}

    def rm(self, path: str) -> dict[str, str]:
        target = self._file(path)
        self._writable(target, path)
        self.tree.remove(target)
        return {"removed": target}

    def rmdir(self, path: str) -> dict[str, str]:
        target = self._existing(path)
        if not self.tree.is_dir(target):
            raise FSError("Not a directory", path)
        self._writable(target, path)
        if self.tree.children(target):
            raise FSError("Directory not empty", path)
        if self.cwd == target or self.cwd.startswith(target + "/"):
            raise FSError("Device or resource busy", path)
        self.tree.remove(target)
        return {"removed": target}
