"""Importing trajectories from files and from in-memory objects, whatever their format.

A file is JSON (one trajectory, or a list of them) or JSONL (one per line); ``.jsonl`` and
``.ndjson`` files are always read line by line, other files as one JSON document unless they hold
several (then line by line too). Each record's format is detected on its own unless ``format``
forces one. Nothing here raises for bad input: everything wrong becomes a located
:class:`Problem` and the rest still imports.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import ValidationError

from skills_runtime.errors import InvalidInput
from skills_runtime.trajectory._record import Malformed, RecordContext, describe, loads_strict
from skills_runtime.trajectory.anthropic import parse_anthropic
from skills_runtime.trajectory.detect import FORMATS, detect_format, looks_like_transcript
from skills_runtime.trajectory.mcp_log import parse_mcp_log
from skills_runtime.trajectory.model import Trajectory, canonical_json
from skills_runtime.trajectory.native import parse_native
from skills_runtime.trajectory.openai_chat import parse_openai_chat
from skills_runtime.trajectory.openai_responses import parse_openai_responses
from skills_runtime.trajectory.report import ImportReport, Problem

__all__ = [
    "DEFAULT_MAX_RECORD_BYTES",
    "TrajectoryFiles",
    "load_trajectories",
    "parse_record",
    "unreadable_path",
]

DEFAULT_MAX_RECORD_BYTES = 64 * 2**20
"""The largest JSONL line, or single JSON document, read (bigger ones are reported, skipped)."""

_PARSERS: dict[str, Callable[[Any, RecordContext], Trajectory]] = {
    "native": parse_native,
    "openai-chat": parse_openai_chat,
    "openai-responses": parse_openai_responses,
    "anthropic": parse_anthropic,
    "mcp": parse_mcp_log,
}
_JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".jsonlines"})
_SNIFF_BYTES = 8192


def _check_format(format: str) -> None:
    if format not in FORMATS:
        raise InvalidInput(f"unknown trajectory format {format!r}; use one of {list(FORMATS)}")


def parse_record(
    obj: Any,
    *,
    format: str = "auto",
    source: str | os.PathLike[str] | None = None,
    line: int | None = None,
) -> ImportReport:
    """Import one in-memory record (a decoded JSON value) in any supported format.

    Args:
        obj: The record: a native object, a transcript object, or a bare list of messages/items.
        format: ``"auto"`` (detect) or one of the format names in ``FORMATS``.
        source: Where the record came from, for problems and for its derived id.
        line: Its line (or index) in ``source``.

    Returns:
        A report with one trajectory, or none and the problem that prevented it.

    Raises:
        InvalidInput: ``format`` is not one of the allowed values.
    """
    _check_format(format)
    path = os.fspath(source) if source is not None else "<memory>"
    if source is not None:
        name = Path(path).name
        default_id = name if line is None else f"{name}:{line}"
    else:
        default_id = _digest_id(obj)
    collector = _Collector()
    collector.parse(obj, format=format, path=path, line=line, default_id=default_id)
    return collector.report()


def load_trajectories(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    format: str = "auto",
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
) -> ImportReport:
    """Import every trajectory from files of JSON or JSONL, reporting problems instead of raising.

    Args:
        paths: The files to read (a single path is accepted too).
        format: ``"auto"`` (detect per record) or one of the format names in ``FORMATS``.
        max_record_bytes: The largest JSONL line or JSON document read.

    Returns:
        The trajectories in input order, every problem located by path and line, and the number
        of trajectories per format. Ids repeated across the input are reported (both are kept).

    Raises:
        InvalidInput: ``format`` is not one of the allowed values.
    """
    _check_format(format)
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    collector = _Collector()
    for path in paths:
        for _ in _load_file(Path(path), collector, format=format, max_bytes=max_record_bytes):
            pass  # the collector keeps them
    collector.report_duplicates()
    return collector.report()


class TrajectoryFiles:
    """Trajectory files read lazily: every iteration reads them again, one record at a time.

    Memory stays bounded by the largest record (or whole-file JSON document), whatever the number
    of trajectories: this is how learning reads a fleet's logs, in as many passes as it needs.
    After an iteration, ``problems``, ``formats`` and ``count`` describe it. Unlike
    ``load_trajectories`` it does not report ids repeated across the input (that needs every id
    in memory); at most ``max_problems`` problems are kept, then one saying how many more there
    were.

    Raises:
        InvalidInput: ``format`` is not one of the allowed values.
    """

    def __init__(
        self,
        paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
        *,
        format: str = "auto",
        max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
        max_problems: int = 1000,
    ) -> None:
        _check_format(format)
        if isinstance(paths, str | os.PathLike):
            paths = [paths]
        self.paths = tuple(Path(path) for path in paths)
        self.format = format
        self.max_record_bytes = max_record_bytes
        self.max_problems = max_problems
        self._done = _Collector(keep=False)
        self.count = 0

    def __iter__(self) -> Iterator[Trajectory]:
        collector = _Collector(keep=False, max_problems=self.max_problems)
        count = 0
        for path in self.paths:
            for trajectory in _load_file(
                path, collector, format=self.format, max_bytes=self.max_record_bytes
            ):
                count += 1
                yield trajectory
        self._done, self.count = collector, count

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The problems of the last whole iteration, located; a last one counts those left out."""
        problems = self._done.problems
        left = self._done.problems_left_out
        if left:
            problems = [*problems, Problem("", None, f"... and {left} more problems (not kept)")]
        return tuple(problems)

    @property
    def formats(self) -> dict[str, int]:
        """Trajectories per format in the last whole iteration."""
        return dict(self._done.formats)


def _digest_id(obj: Any) -> str:
    try:
        payload = canonical_json(obj)
    except (TypeError, ValueError, RecursionError):
        payload = repr(obj)
    return "sha256-" + hashlib.sha256(payload.encode("utf-8", "replace")).hexdigest()[:16]


@dataclass
class _Collector:
    trajectories: list[Trajectory] = field(default_factory=list)
    origins: list[tuple[str, int | None]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    formats: Counter[str] = field(default_factory=Counter)
    keep: bool = True
    """Keep what was parsed (a list import); a stream hands each trajectory on instead."""
    max_problems: int | None = None
    problems_left_out: int = 0

    def problem(self, path: str, line: int | None, message: str) -> None:
        if self.max_problems is not None and len(self.problems) >= self.max_problems:
            self.problems_left_out += 1
            return
        self.problems.append(Problem(path, line, message))

    def parse(
        self,
        obj: Any,
        *,
        format: str,
        path: str,
        line: int | None,
        default_id: str,
        prefix: str = "",
    ) -> Trajectory | None:
        if not isinstance(obj, dict | list):
            self.problem(path, line, f"{prefix}a record must be a JSON object, got {describe(obj)}")
            return None
        chosen = detect_format(obj) if format == "auto" else format
        if chosen is None:
            keys = sorted(map(str, obj)) if isinstance(obj, dict) else "a list"
            self.problem(
                path,
                line,
                f"{prefix}cannot tell the format of this record (keys: {keys}); expected "
                "'steps' (native), 'messages' (OpenAI Chat or Anthropic) or 'input'/'output' "
                "(OpenAI Responses), or choose the format (--format on the command line, "
                "format= in Python)",
            )
            return None
        ctx = RecordContext(default_id=default_id)
        trajectory: Trajectory | None = None
        failure: str | None = None
        try:
            trajectory = _PARSERS[chosen](obj, ctx)
        except Malformed as error:
            failure = str(error)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            failure = f"{where}: {first['msg']} ({error.error_count()} error(s))"
        except RecursionError:
            failure = "nested too deeply to import"
        except (TypeError, ValueError) as error:
            # In-memory records can hold values no JSON decoder produces (non-string keys...).
            failure = f"unexpected value: {error}"
        for note in ctx.notes:
            self.problem(path, line, prefix + note)
        if trajectory is None:
            self.problem(path, line, f"{prefix}not a valid {chosen} record (skipped): {failure}")
            return None
        self.formats[chosen] += 1
        if self.keep:
            self.trajectories.append(trajectory)
            self.origins.append((path, line))
        return trajectory

    def report_duplicates(self) -> None:
        first_seen: dict[str, tuple[str, int | None]] = {}
        for trajectory, origin in zip(self.trajectories, self.origins, strict=True):
            if trajectory.id in first_seen:
                path, line = first_seen[trajectory.id]
                seen = path if line is None else f"{path}:{line}"
                self.problem(
                    *origin,
                    f"duplicate trajectory id {trajectory.id!r} (first seen at {seen}); both kept",
                )
            else:
                first_seen[trajectory.id] = origin

    def report(self) -> ImportReport:
        return ImportReport(
            trajectories=tuple(self.trajectories),
            problems=tuple(self.problems),
            formats=dict(self.formats),
            sources=tuple(path for path, _ in self.origins),
        )


def unreadable_path(path: Path) -> str | None:
    """Why ``path`` cannot be read as a trajectory file, or None when it is a regular file.

    The one wording of a missing path, a directory or a special file, for every command.
    """
    if not path.exists():
        return "no such file; check the path"
    if path.is_dir():
        return f"is a directory; pass the files in it, e.g. {path / '*.jsonl'}"
    if not path.is_file():
        return "not a regular file"
    return None


def _load_file(
    path: Path, collector: _Collector, *, format: str, max_bytes: int
) -> Iterator[Trajectory]:
    label = str(path)
    try:
        unreadable = unreadable_path(path)
        if unreadable is not None:
            collector.problem(label, None, unreadable)
        else:
            with path.open("rb") as stream:
                yield from _load_stream(stream, path, collector, format=format, max_bytes=max_bytes)
    except OSError as error:
        collector.problem(label, None, f"cannot read the file: {error.strerror or error}")


def _load_stream(
    stream: BinaryIO, path: Path, collector: _Collector, *, format: str, max_bytes: int
) -> Iterator[Trajectory]:
    label = str(path)
    head = stream.read(_SNIFF_BYTES)
    if not head.strip():
        collector.problem(label, None, "empty file: no trajectories in it")
        return
    if b"\0" in head:
        collector.problem(label, None, "binary file (NUL bytes); expected UTF-8 JSON or JSONL")
        return
    stream.seek(0)
    if path.suffix.lower() not in _JSONL_SUFFIXES:
        data = stream.read(max_bytes + 1)
        if len(data) <= max_bytes:
            document = _load_document(data, path, collector, format=format)
            if document is not None:
                yield from document
                return
        elif path.suffix.lower() == ".json":
            collector.problem(
                label,
                None,
                f"JSON document larger than {max_bytes} bytes (skipped); "
                "write one trajectory per line (JSONL) instead",
            )
            return
        stream.seek(0)
    yield from _load_lines(stream, path, collector, format=format, max_bytes=max_bytes)


def _load_document(
    data: bytes, path: Path, collector: _Collector, *, format: str
) -> Iterator[Trajectory] | None:
    """Import a whole-file JSON document; None when the file holds several (read it as JSONL)."""
    label = str(path)
    try:
        document = loads_strict(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        collector.problem(label, None, f"not UTF-8 text (byte {error.start}); expected JSON")
        return iter(())
    except ValueError as error:
        lineno = getattr(error, "lineno", None)
        if getattr(error, "msg", "") == "Extra data":
            return None
        collector.problem(label, lineno, f"not valid JSON: {error}")
        return iter(())
    except RecursionError:
        collector.problem(label, None, "JSON nested too deeply to import")
        return iter(())
    return _records_of(document, path, collector, format=format)


def _records_of(
    document: Any, path: Path, collector: _Collector, *, format: str
) -> Iterator[Trajectory]:
    """The trajectories of a decoded whole-file document, one record at a time."""
    label, name = str(path), path.name
    if isinstance(document, list) and not looks_like_transcript(document):
        if not document:
            collector.problem(label, None, "empty JSON list: no trajectories in it")
        for index, record in enumerate(document):
            found = collector.parse(
                record,
                format=format,
                path=label,
                line=index,
                default_id=f"{name}[{index}]",
                prefix=f"item {index}: ",
            )
            if found is not None:
                yield found
    elif isinstance(document, dict | list):
        found = collector.parse(document, format=format, path=label, line=None, default_id=name)
        if found is not None:
            yield found
    else:
        collector.problem(
            label,
            None,
            f"the file holds {describe(document)}; expected an object (one trajectory), "
            "a list of them, or one object per line (JSONL)",
        )


def _load_lines(
    stream: BinaryIO, path: Path, collector: _Collector, *, format: str, max_bytes: int
) -> Iterator[Trajectory]:
    label, name = str(path), path.name
    records = 0
    lineno = 0
    while raw := stream.readline(max_bytes + 1):
        lineno += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while (rest := stream.readline(2**20)) and not rest.endswith(b"\n"):
                pass  # skip the rest of an over-long line without holding it in memory
            collector.problem(label, lineno, f"line longer than {max_bytes} bytes (skipped)")
            continue
        try:
            text = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
        except UnicodeDecodeError as error:
            collector.problem(label, lineno, f"not UTF-8 text (byte {error.start} of the line)")
            continue
        if not text.strip():
            continue
        records += 1
        try:
            record = loads_strict(text)
        except ValueError as error:
            collector.problem(label, lineno, f"not valid JSON: {error}")
            continue
        except RecursionError:
            collector.problem(label, lineno, "JSON nested too deeply to import")
            continue
        found = collector.parse(
            record, format=format, path=label, line=lineno, default_id=f"{name}:{lineno}"
        )
        if found is not None:
            yield found
    if not records and not any(problem.path == label for problem in collector.problems):
        collector.problem(label, None, "empty file: no trajectories in it")
