"""How every command reports: one JSON document on stdout with ``--json``, rich text otherwise.

Exit codes are part of the contract: 0 success, 1 the thing examined failed, 2 bad usage or input.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FAILED",
    "EXIT_OK",
    "DbOption",
    "JsonOption",
    "default_db_path",
    "emit",
    "fail",
    "require_files",
    "stderr",
    "stdout",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)

JsonOption = typer.Option(False, "--json", help="Print exactly one JSON document on stdout.")
DbOption = typer.Option(
    None,
    "--db",
    help="Registry file (default: $SKILLBANK_DB, else ./skillbank.db).",
)


def default_db_path(db: Path | None) -> Path:
    """The registry file a command uses: ``--db``, else ``$SKILLBANK_DB``, else ``skillbank.db``."""
    if db is not None:
        return db
    return Path(os.environ.get("SKILLBANK_DB", "skillbank.db"))


def emit(
    document: Any,
    *,
    as_json: bool,
    human: Callable[[], None] | None = None,
    exit_code: int = EXIT_OK,
) -> NoReturn:
    """Report ``document`` (JSON on stdout, or the ``human`` rendering); exit with ``exit_code``."""
    if as_json:
        sys.stdout.write(json.dumps(document, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()
    elif human is not None:
        human()
    else:
        stdout.print_json(json.dumps(document, ensure_ascii=False, default=str))
    raise typer.Exit(exit_code)


def fail(message: str, *, as_json: bool, exit_code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Report an error that names what was wrong, where, and what to do; then exit."""
    if as_json:
        sys.stdout.write(json.dumps({"error": message}, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    stderr.print(f"[bold red]error:[/] {message}", markup=True, highlight=False)
    raise typer.Exit(exit_code)


def require_files(paths: Iterable[Path], *, as_json: bool) -> None:
    """Exit 2 naming every path that is not a readable file, worded as ``trajectories`` words it.

    Args:
        paths: The trajectory files a command was given.
        as_json: Whether the command reports in JSON.
    """
    from skills_runtime.trajectory.loader import unreadable_path

    problems = [f"{path}: {why}" for path in paths if (why := unreadable_path(path)) is not None]
    if problems:
        fail("; ".join(problems), as_json=as_json)
