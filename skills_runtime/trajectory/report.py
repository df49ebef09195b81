"""What an import produced: the trajectories, and every problem found on the way, located.

Import never raises for bad input: a file that cannot be read, a record that cannot be understood,
a call whose result never arrived, all become a :class:`Problem` naming the file, the line (or the
record's index in a JSON list) and what was wrong. The good records of the same file still import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from skills_runtime.trajectory.model import Trajectory

__all__ = ["ImportReport", "Problem"]


@dataclass(frozen=True)
class Problem:
    """Something wrong in the input, located.

    ``line`` is the 1-based line number in a JSONL file, the 0-based index of the record in a JSON
    list (the message then starts with ``item N:``), or None when the problem concerns a whole file
    or a single-document JSON file. ``message`` says where inside the record (``message 3: ...``),
    what was wrong, and what was kept.
    """

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        """The JSON form used by the command line: ``{"path", "line", "message"}``."""
        return {"path": self.path, "line": self.line, "message": self.message}


@dataclass(frozen=True)
class ImportReport:
    """The result of importing trajectories.

    Attributes:
        trajectories: Every trajectory imported, in input order.
        problems: Every problem found, in input order.
        formats: Format name → number of trajectories imported in that format.
        sources: The path each trajectory came from, aligned with ``trajectories``.
    """

    trajectories: tuple[Trajectory, ...] = ()
    problems: tuple[Problem, ...] = ()
    formats: dict[str, int] = field(default_factory=dict)
    sources: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether everything imported without a problem."""
        return not self.problems

    @property
    def tool_calls(self) -> int:
        """The number of tool calls over all trajectories."""
        return sum(len(trajectory.calls) for trajectory in self.trajectories)
