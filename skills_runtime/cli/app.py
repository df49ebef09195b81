"""The typer application: one module per command family registers its commands here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperCommand
from typer.models import CommandFunctionType

from skills_runtime.cli._interrupt import nothing_changed

__all__ = ["app"]


class _Command(TyperCommand):
    """A command whose options read in ``--help`` as what a person types.

    typer labels a boolean flag ``<bool>`` in the help's type column (``--strict <bool>``), which
    reads as "takes a value"; a flag takes none, so its label is left empty. A repeatable option
    is labelled by its Python type (``--state <list[str]>``); it takes one value per use, named
    after the option (``--state STATE``) unless it names its value itself.
    """

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        for param in params:
            if param.metavar is not None or param.param_type_name != "option":
                continue
            if getattr(param, "is_flag", False):
                param.metavar = ""
            elif getattr(param, "multiple", False):
                param.metavar = (param.name or "value").upper()
        return params


class _ReadingCommand(_Command):
    """A command that changes nothing: Ctrl-C says so (exit 130) instead of printing nothing.

    ``writes_file`` names the option holding a file the command writes (an HTML page, exported
    folders); when it is set, the message says that file may be incomplete.
    """

    writes_file: str | None = None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            target = ctx.params.get(self.writes_file) if self.writes_file else None
            nothing_changed(
                as_json=bool(ctx.params.get("as_json")),
                partial=None if target is None else str(target),
            )


class _Typer(typer.Typer):
    """``typer.Typer`` whose commands are :class:`_Command` unless they say otherwise.

    ``reads_only=True`` marks a command that changes nothing in the registry (see
    :class:`_ReadingCommand`); ``writes_file`` names its option holding a file it writes.
    """

    def command(
        self,
        name: str | None = None,
        *,
        cls: type[TyperCommand] | None = None,
        reads_only: bool = False,
        writes_file: str | None = None,
        **kwargs: Any,
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        if cls is None and reads_only:
            cls = type("ReadingCommand", (_ReadingCommand,), {"writes_file": writes_file})
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
