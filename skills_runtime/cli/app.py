"""The typer application: one module per command family registers its commands here."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(
    name="skillbank",
    help="Learn typed, tested skills from agent trajectories and serve them back as tools.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    # Command modules attach themselves to ``app`` on import; the order sets the order in --help.
    from skills_runtime.cli import (
        commands_check,  # noqa: F401
        commands_demo,  # noqa: F401
        commands_learn,  # noqa: F401
        commands_lifecycle,  # noqa: F401
        commands_registry,  # noqa: F401
        commands_tools,  # noqa: F401
        commands_trajectories,  # noqa: F401
        commands_verify,  # noqa: F401
    )


_register()
