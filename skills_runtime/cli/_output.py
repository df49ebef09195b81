"""How every command reports: one JSON document on stdout with ``--json``, rich text otherwise.

Exit codes are part of the contract: 0 success, 1 the thing examined failed, 2 bad usage or input.

Much of what commands print was written by a skill (its docstring, source, printed output, error
messages, the arguments of its tool calls) and so is untrusted text. Two rules keep it inert:

- the consoles never interpret markup or emoji codes in strings (``markup=False``): styles come
  only from ``Text`` objects the commands build, so ``[/]`` or ``[link=...]`` in skill text is
  printed as it is written;
- every piece of text a console renders passes :func:`sandbox.inert_text` on its way out
  (:class:`InertConsole`), so control, C1, bidirectional and invisible characters show as
  escapes whatever renderable carried them; and ``--json`` output escapes the same characters
  as ``\\uXXXX`` (the document is the same JSON, and no raw control reaches the terminal).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Text

from sandbox import inert_text
from skill_registry import Registry

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FAILED",
    "EXIT_OK",
    "DbOption",
    "InertConsole",
    "JsonOption",
    "default_db_path",
    "describe_registry",
    "emit",
    "fail",
    "json_text",
    "open_registry_at",
    "require_files",
    "stderr",
    "stdout",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class InertConsole(Console):
    """A rich console whose every rendered piece of text is inert (see the module docstring)."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("markup", False)
        options.setdefault("emoji", False)
        options.setdefault("highlight", False)
        super().__init__(**options)

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            # Control segments are rich's own (cursor moves of a progress bar); text is shown.
            if segment.control is None and segment.text and not segment.text.isprintable():
                yield Segment(inert_text(segment.text), segment.style)
            else:
                yield segment


stdout = InertConsole()
stderr = InertConsole(stderr=True)


def json_text(document: Any) -> str:
    """``document`` as one line of JSON whose every character prints as itself.

    ``json.dumps`` escapes C0 controls already; C1 and bidirectional controls, invisible format
    characters, separators and lone surrogates are escaped here too (``\\u202e``): they can only
    occur inside JSON strings, where an escape means the same character.
    """
    text = json.dumps(document, ensure_ascii=False, default=str)
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _json_escape(char) for char in text)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, as JSON spells characters beyond the BMP
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


JsonOption = typer.Option(False, "--json", help="Print exactly one JSON document on stdout.")
DbOption = typer.Option(
    None,
    "--db",
    help="Registry: a file, or a PostgreSQL URL postgresql://USER@HOST/DB[?tenant=TEAM] "
    "(default: $SKILLBANK_DB, else ./skillbank.db; the tenant also from $SKILLBANK_TENANT).",
)


def default_db_path(db: str | None) -> str:
    """The registry a command uses: ``--db``, else ``$SKILLBANK_DB``, else ``skillbank.db``
    (a file path or a ``postgresql://`` URL)."""
    if db is not None:
        return db
    return os.environ.get("SKILLBANK_DB", "skillbank.db")


def open_registry_at(db: str | None, *, create: bool = False) -> Registry:
    """Open the registry a command uses; the tenant of a PostgreSQL registry comes from its URL,
    else from ``$SKILLBANK_TENANT``.

    Raises:
        RegistryError: as ``Registry.open`` does.
    """
    location = default_db_path(db)
    tenant = os.environ.get("SKILLBANK_TENANT") or None
    if tenant is not None and "tenant=" in location.partition("?")[2]:
        tenant = None  # the URL's own tenant wins over the environment's
    return Registry.open(location, tenant=tenant, create=create)


def describe_registry(db: str | None) -> str:
    """The registry a command uses, for messages: a file as an absolute path, a URL as given
    without its password."""
    location = default_db_path(db)
    if location.startswith(("postgresql://", "postgres://")):
        return re.sub(r"(://[^:/@?]*):[^@/?]*@", r"\1@", location)
    return str(Path(location).absolute())


def emit(
    document: Any,
    *,
    as_json: bool,
    human: Callable[[], None] | None = None,
    exit_code: int = EXIT_OK,
) -> NoReturn:
    """Report ``document`` (JSON on stdout, or the ``human`` rendering); exit with ``exit_code``."""
    if as_json:
        sys.stdout.write(json_text(document) + "\n")
        sys.stdout.flush()
    elif human is not None:
        human()
    else:
        stdout.print_json(json_text(document))
    raise typer.Exit(exit_code)


def fail(message: str, *, as_json: bool, exit_code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Report an error that names what was wrong, where, and what to do; then exit."""
    if as_json:
        sys.stdout.write(json_text({"error": message}) + "\n")
        sys.stdout.flush()
    stderr.print(Text.assemble(("error:", "bold red"), " ", message))
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
