"""The typer application: one module per command family registers its commands here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperCommand
from typer.models import CommandFunctionType

__all__ = ["app"]


class _Command(TyperCommand):
    """A command whose flags show no value in ``--help``.

    typer labels a boolean flag ``<bool>`` in the help's type column (``--strict <bool>``), which
    reads as "takes a value"; a flag takes none, so its label is left empty.
    """

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return params


class _Typer(typer.Typer):
    """``typer.Typer`` whose commands are :class:`_Command` unless they say otherwise."""

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        return super().command(name, cls=cls or _Command, **kwargs)


app = _Typer(
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
