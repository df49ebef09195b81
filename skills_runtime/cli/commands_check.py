"""``skillbank check FILE.py``: static check of any skill source.

Exit codes: 0 when the source passes (warnings allowed); 1 when a finding is an error; 2 when the
file cannot be read (missing, a directory, unreadable), with a message naming the path.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.text import Text

from skills_runtime.cli._output import EXIT_FAILED, EXIT_OK, JsonOption, emit, fail, stdout
from skills_runtime.cli.app import app

if TYPE_CHECKING:
    from skills_runtime.checking import CheckReport

__all__ = ["check_file", "render_report"]


@app.command("check", reads_only=True)
def check_file(
    file: Path = typer.Argument(..., help="The skill source, a Python file."),  # noqa: B008 -- typer declares parameters by default value
    tools: str | None = typer.Option(
        None,
        "--tools",
        help="Comma-separated tool names the skill may call (default: any name via `tools.`).",
    ),
    as_json: bool = JsonOption,
) -> None:
    """Check a skill source against the rules (codes SKnnn, see docs/checks.md).

    Exit 0 when it passes, 1 when a finding is an error, 2 when the file cannot be read.
    """
    # Imported on use, not at the top: `skillbank --help` and the other commands
    # need not load libcst and the rules.
    from skills_runtime.checking import CheckPolicy, check

    granted = None if tools is None else frozenset(t.strip() for t in tools.split(",") if t.strip())
    policy = CheckPolicy(granted_tools=granted)
    source = _read(file, limit=policy.max_source_bytes, as_json=as_json)
    report = check(source, policy=policy)
    document: dict[str, Any] = {"path": str(file), **report.to_json()}
    emit(
        document,
        as_json=as_json,
        human=lambda: render_report(report, source=source, path=str(file)),
        exit_code=EXIT_OK if report.ok else EXIT_FAILED,
    )


def _read(file: Path, *, limit: int, as_json: bool) -> str:
    """The file's text; undecodable bytes survive as surrogates so the checker can point at them."""
    try:
        with file.open("rb") as handle:
            # One byte past the limit is enough to report the file as too large (SK002).
            data = handle.read(limit + 1)
    except FileNotFoundError:
        fail(f"{file}: no such file; pass the path of a skill's .py file", as_json=as_json)
    except IsADirectoryError:
        fail(f"{file}: is a directory; pass the path of a skill's .py file", as_json=as_json)
    except OSError as error:
        fail(
            f"{file}: cannot be read ({error.strerror or error}); check the path and permissions",
            as_json=as_json,
        )
    return data.decode("utf-8", errors="surrogateescape")


def render_report(report: CheckReport, *, source: str, path: str) -> None:
    """Print findings the way compilers do: location, code, message, the line and a caret."""
    lines = source.splitlines()
    for finding in report.findings:
        colour = "red" if finding.severity == "error" else "yellow"
        stdout.print(
            Text.assemble(
                (f"{path}:{finding.line}:{finding.column}:", "bold"),
                " ",
                (finding.code, colour),
                f" {finding.message}",
            )
        )
        if 1 <= finding.line <= len(lines):
            text = lines[finding.line - 1].expandtabs(1)
            if len(text) > 160:
                text = text[:157] + "..."
            stdout.print(Text(f"    {text}"))
            caret = min(finding.column - 1, len(text))
            stdout.print(f"    {' ' * caret}^", highlight=False)
        if finding.hint:
            stdout.print(Text(f"    hint: {finding.hint}", style="dim"))
    errors = len(report.errors)
    warnings = len(report.findings) - errors
    if report.ok:
        stdout.print(Text.assemble(("ok", "green"), f" {path}: no errors, {warnings} warning(s)"))
    else:
        stdout.print(
            Text.assemble(("failed", "red"), f" {path}: {errors} error(s), {warnings} warning(s)")
        )
