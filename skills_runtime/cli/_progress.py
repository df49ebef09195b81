"""Progress on stderr for commands that take more than a few seconds (learn, verify, evaluate).

A bar is drawn only for a person watching: never with ``--json`` (one document on stdout, nothing
else), and never when stderr is not a terminal (a pipe, a log file, CI), where redrawn bars
would only leave noise. The bar is transient: when the work ends it disappears, and the command's
own report follows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from skills_runtime.cli import _output

__all__ = ["Advance", "progress"]

Advance = Callable[[str, int, int | None], None]
"""``(what, done, total)``: what is being worked on, how much is done, out of how much (None:
unknown, a spinner)."""


def _ignore(what: str, done: int, total: int | None) -> None:
    """The advance function when no bar is shown."""


@contextmanager
def progress(label: str, *, quiet: bool, console: Console | None = None) -> Iterator[Advance]:
    """A transient progress bar on stderr; yields the function that moves it.

    Args:
        label: What the command does, shown before the current item (``"gating"``).
        quiet: No bar at all (``--json``).
        console: Where to draw (default: the commands' stderr console). Nothing is drawn when it
            is not a terminal.
    """
    console = console if console is not None else _output.stderr
    if quiet or not console.is_terminal:
        yield _ignore
        return
    with Progress(
        SpinnerColumn(),
        TextColumn(f"[bold]{escape(label)}[/] {{task.description}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def advance(what: str, done: int, total: int | None) -> None:
            bar.update(task, description=escape(what), completed=done, total=total)

        yield advance
