"""Effects on the command line: the options that declare them and the table that shows them.

``--writes``/``--reads``/``--context`` take tool names (repeat the option, or separate names with
commas); ``--effects FILE`` reads a declaration file (TOML or JSON, see
:mod:`~skills_runtime.effects.config`). Together they override whatever the traces suggest. The
table shows, per tool, what was decided, how surely and on what evidence, so that a reviewer can
correct a decision with one of those options.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.text import Text

from skills_runtime.cli._output import fail, stdout
from skills_runtime.cli._skill_view import aligned_lines
from skills_runtime.effects import Declared, EffectTable, declared_from, load_declared
from skills_runtime.errors import ConfigurationError, InvalidInput
from skills_runtime.tools import load_toolset

__all__ = [
    "ContextOption",
    "EffectsFileOption",
    "ReadsOption",
    "ToolsetEffectsOption",
    "WritesOption",
    "declared_from_options",
    "print_effects",
]

WritesOption = typer.Option(
    None,
    "--writes",
    metavar="TOOL",
    help="Tools that change state (repeat, or comma-separated); decides.",
)
ReadsOption = typer.Option(
    None,
    "--reads",
    metavar="TOOL",
    help="Tools that only answer (repeat, or comma-separated); decides.",
)
ContextOption = typer.Option(
    None,
    "--context",
    metavar="TOOL",
    help="Tools that set what later calls act on, like cd or login (they are writes).",
)
EffectsFileOption = typer.Option(
    None, "--effects", help="A TOML or JSON file declaring writes, reads and context tools."
)
ToolsetEffectsOption = typer.Option(
    None,
    "--tools",
    help="Host tools as MODULE:ATTR: their declared effects (mutates) decide for those tools.",
)


def _names(values: list[str] | None) -> frozenset[str]:
    return frozenset(
        name.strip() for value in values or () for name in value.split(",") if name.strip()
    )


def declared_from_options(
    writes: list[str] | None,
    reads: list[str] | None,
    context: list[str] | None,
    effects_file: Path | None,
    *,
    as_json: bool,
    tools: str | None = None,
) -> Declared:
    """The declaration the options make (the options over the file, the file over the
    toolset's own declarations); bad input exits 2."""
    try:
        given = Declared(
            writes=_names(writes),
            reads=_names(reads),
            context=_names(context),
            source="--writes/--reads/--context",
        )
        if effects_file is not None:
            given = given.merged(load_declared(effects_file))
        if tools is not None:
            toolset = load_toolset(tools)
            declared = {tool.name: tool.mutates for tool in toolset}
            given = given.merged(declared_from(declared, source=f"--tools {tools}"))
    except (InvalidInput, ConfigurationError) as error:
        fail(str(error), as_json=as_json)
    return given


def print_effects(effects: EffectTable) -> None:
    """One line per tool: effect, confidence, what decided it and its strongest evidence."""
    if not len(effects):
        return
    rows = []
    for effect in effects:
        kind = f"{effect.effect.value} (context)" if effect.context else effect.effect.value
        shown = [e.detail for e in effect.evidence[:2]] or ["nothing spoke: taken as a write"]
        rows.append((effect.tool, kind, effect.confidence, effect.decided_by, "; ".join(shown)))
    stdout.print(Text("Tool effects (correct with --writes, --reads, --effects FILE)", "bold"))
    header = ("tool", "effect", "confidence", "decided by", "evidence")
    for line in aligned_lines(header, rows):
        stdout.print(line, soft_wrap=True)
