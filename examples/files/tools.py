"""The file system's tools, as an agent (or a skill) sees them.

A shell-like API over an in-memory file tree with home directories of a few users. A session has a
working directory: ``cd`` changes where every later relative path resolves, so calls depend on the
state an earlier call set. Use the toolset as ``--tools examples.files.tools:toolset`` from the
repository root, or in Python::

    from examples.files.tools import reset, toolset

    reset(user="maya")                  # a fresh copy of data.json, in /home/maya
    toolset.call("cd", {"path": "notes"})
    toolset.call("ls", {})

Every tool returns fresh JSON and raises ``FSError`` (a ``ValueError``) with the message a POSIX
system gives, such as ``No such file or directory: 'notes/todo.txt'``.
"""

from __future__ import annotations

from typing import Any

from skills_runtime.tools import Toolset

from .fs import Tree
from .shell import Session

__all__ = ["current", "reset", "toolset"]

toolset = Toolset("files")

_state: dict[str, Session] = {}


def reset(data: dict[str, Any] | None = None, *, user: str = "maya") -> Session:
    """Start over from ``data`` (default: the bundled ``data.json``) as ``user``, in their home."""
    tree = Tree(data) if data is not None else Tree.load()
    _state["session"] = Session(tree, user)
    return _state["session"]


def current() -> Session:
    """The session the tools operate on (started on first use)."""
    if "session" not in _state:
        reset()
    return _state["session"]


@toolset.tool
def pwd() -> str:
    """Print the current working directory (an absolute path)."""
    return current().pwd()


@toolset.tool
def cd(path: str) -> str:
    """Change the current working directory; later relative paths resolve from it.

    Args:
        path: The directory, absolute or relative ('..', '~' and '~/x' work as in a shell).

    Returns:
        The new working directory, absolute.
    """
    return current().cd(path)


@toolset.tool
def ls(path: str = ".", all: bool = False) -> list[str]:
    """List a directory's entries, sorted by name; directories end with '/'.

    Args:
        path: The directory to list (default: the working directory).
        all: Also list hidden entries (names starting with '.').
    """
    return current().ls(path, all)


@toolset.tool
def stat(path: str) -> dict[str, Any]:
    """Metadata of a file or directory: absolute path, type, size in bytes, modification time.

    Args:
        path: The file or directory.
    """
    return current().stat(path)


@toolset.tool
def read_file(path: str) -> str:
    """Read a text file's whole content.

    Args:
        path: The file.
    """
    return current().read_file(path)


@toolset.tool
def wc(path: str) -> dict[str, Any]:
    """Count a file's lines (newline characters), words and bytes, like `wc`.

    Args:
        path: The file.
    """
    return current().wc(path)


@toolset.tool
def find(name: str, path: str = ".") -> list[str]:
    """Find files and directories whose name matches a shell pattern, below a directory.

    Args:
        name: A pattern such as '*.log' or 'README.md' (matched against the base name).
        path: Where to start (default: the working directory); results begin with it.
    """
    return current().find(name, path)


@toolset.tool
def grep(pattern: str, path: str, ignore_case: bool = False) -> list[dict[str, Any]]:
    """Search files for lines matching a regular expression.

    Args:
        pattern: A Python regular expression.
        path: A file, or a directory to search recursively.
        ignore_case: Match without regard to case.

    Returns:
        One entry per matching line: file, line number (from 1) and the line's text.
    """
    return current().grep(pattern, path, ignore_case)


@toolset.tool
def write_file(path: str, content: str) -> dict[str, Any]:
    """Create a file, or replace an existing file's content.

    Args:
        path: The file; its directory must exist.
        content: The whole new content.
    """
    return current().write_file(path, content)


@toolset.tool
def append_file(path: str, content: str) -> dict[str, Any]:
    """Add text to the end of a file (creating it if it does not exist).

    Args:
        path: The file; its directory must exist.
        content: The text to add (include the trailing newline).
    """
    return current().append_file(path, content)


@toolset.tool
def mkdir(path: str, parents: bool = False) -> str:
    """Create a directory.

    Args:
        path: The new directory.
        parents: Also create missing parent directories (and accept an existing directory).

    Returns:
        The new directory's absolute path.
    """
    return current().mkdir(path, parents)


@toolset.tool
def mv(source: str, destination: str) -> dict[str, str]:
    """Move or rename a file or directory. Into a directory when the destination is one.

    Args:
        source: What to move.
        destination: The new path, or an existing directory to move it into.
    """
    return current().mv(source, destination)


@toolset.tool
def cp(source: str, destination: str, recursive: bool = False) -> dict[str, str]:
    """Copy a file (or, with recursive, a directory). Into a directory when the destination is one.

    Args:
        source: What to copy.
        destination: The copy's path, or an existing directory to copy it into.
        recursive: Needed to copy a directory and everything in it.
    """
    return current().cp(source, destination, recursive)


@toolset.tool
def rm(path: str) -> dict[str, str]:
    """Delete a file (not a directory: see rmdir).

    Args:
        path: The file.
    """
    return current().rm(path)


@toolset.tool
def rmdir(path: str) -> dict[str, str]:
    """Delete an empty directory.

    Args:
        path: The directory; it must be empty.
    """
    return current().rmdir(path)
