"""What every benchmark shares: the machine it ran on, and its part of ``docs/benchmarks.md``."""

from __future__ import annotations

import os
import platform
import re
import sqlite3
from pathlib import Path

__all__ = ["BENCHMARKS", "machine", "replace_part"]

BENCHMARKS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def machine(*, sqlite: bool = False) -> str:
    """Cores, CPU model, Python (and SQLite) versions, operating system: the numbers' context."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = f"Python {platform.python_version()}"
    if sqlite:
        versions += f", SQLite {sqlite3.sqlite_version}"
    return f"{os.cpu_count()} cores ({cpu}), {versions}, {platform.system()}"


def replace_part(
    heading: str,
    text: str,
    *,
    keep: str | None = None,
    inside: str | None = None,
    path: Path = BENCHMARKS,
) -> None:
    """Replace the part of the benchmarks page under ``heading`` (or add it) with ``text``.

    A part runs to the next heading of its level or above. Each benchmark writes only its own.

    Args:
        heading: The part's heading line, e.g. ``"## Gates"`` or ``"### Retrieval quality"``.
        text: The new part, starting with ``heading``.
        keep: A subsection heading inside the part that another benchmark writes: the part
            ends before it, so it is kept.
        inside: For a new subsection, the section heading to append it to.
        path: The page (``docs/benchmarks.md``).
    """
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    level = len(heading) - len(heading.lstrip("#"))
    stops = [rf"^#{{1,{level}}} "]
    if keep is not None:
        stops.append(rf"^{re.escape(keep)}\n")
    part = re.compile(rf"^{re.escape(heading)}\n.*?(?={'|'.join(stops)}|\Z)", re.S | re.M)
    body = text.strip("\n") + "\n\n"
    if part.search(current):
        updated = part.sub(lambda _: body, current, count=1)
    elif inside is not None and (parent := _section(current, inside)) is not None:
        end = parent.end()
        updated = current[:end].rstrip("\n") + "\n\n" + body + current[end:]
    else:
        updated = current.rstrip("\n") + "\n\n" + body
    path.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def _section(text: str, heading: str) -> re.Match[str] | None:
    return re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M).search(text)
