"""Ctrl-C: say what the command leaves behind, then exit 130.

Every registry write is one transaction, so an interrupted command that writes leaves whole
versions behind, never half of one. What a person needs to know is which: the versions created or
moved since the command started, read back from the audit log, and what to do with those whose
gates did not finish. A command that only reads says that nothing was changed (and, when it was
writing a file of its own, that the file may be incomplete).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.text import Text

from skills_runtime.cli._output import stderr

if TYPE_CHECKING:
    from skill_registry import Registry

__all__ = [
    "EXIT_INTERRUPTED",
    "interrupted",
    "kept_since",
    "nothing_changed",
    "reporting_interrupts",
]

EXIT_INTERRUPTED = 130
"""128 + SIGINT, as shells report a program stopped by Ctrl-C."""

_SHOWN = 20
_UNFINISHED = {"draft", "candidate"}


def kept_since(registry: Registry, started: float) -> list[tuple[str, int, str]]:
    """``(name, version, state)`` of every version created or moved since ``started``."""
    latest: dict[tuple[str, int], str] = {}
    for entry in registry.audit_log():
        if entry.at >= started:
            latest[(entry.name, entry.version)] = entry.to_state.value
    return [(name, version, state) for (name, version), state in latest.items()]


def interrupted(kept: list[tuple[str, int, str]], *, as_json: bool) -> NoReturn:
    """Report an interrupted command: what was kept, what to do next; exit 130."""
    if as_json:
        document = {
            "interrupted": True,
            "kept": [{"name": n, "version": v, "state": s} for n, v, s in kept],
        }
        sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    if not kept:
        message = "interrupted: nothing was stored; the registry is as it was"
    else:
        shown = [f"{name} v{version} ({state})" for name, version, state in kept[:_SHOWN]]
        if len(kept) > _SHOWN:
            shown.append(f"and {len(kept) - _SHOWN} more")
        message = f"interrupted: the registry kept {len(kept)} version(s): {', '.join(shown)}"
        unfinished = sorted({name for name, _, state in kept if state in _UNFINISHED})
        if unfinished:
            message += (
                "; versions still draft or candidate were not fully gated: run "
                f"`skillbank verify NAME` ({', '.join(unfinished[:5])}"
                + (", …" if len(unfinished) > 5 else "")
                + ") or learn again"
            )
    stderr.print(Text(message, style="yellow"), soft_wrap=True)
    raise typer.Exit(EXIT_INTERRUPTED)


def nothing_changed(*, as_json: bool, partial: str | None = None) -> NoReturn:
    """Report an interrupted command that changes nothing (exit 130).

    Args:
        as_json: also print ``{"interrupted": true, "changed": false}`` on stdout.
        partial: a file the command was writing, which may now be incomplete.
    """
    if as_json:
        document: dict[str, object] = {"interrupted": True, "changed": False}
        if partial is not None:
            document["incomplete"] = partial
        sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    if partial is None:
        message = "interrupted: nothing was changed"
    else:
        message = f"interrupted: the registry was not changed; {partial} may be incomplete"
    stderr.print(Text(message, style="yellow"), soft_wrap=True)
    raise typer.Exit(EXIT_INTERRUPTED)


@contextmanager
def reporting_interrupts(registry: Registry, *, as_json: bool) -> Iterator[None]:
    """Turn Ctrl-C inside the block into a report of what the registry kept (exit 130)."""
    started = time.time()
    try:
        yield
    except KeyboardInterrupt:
        interrupted(kept_since(registry, started), as_json=as_json)
