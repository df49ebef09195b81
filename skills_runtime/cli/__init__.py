"""The ``skillbank`` command line (typer + rich; install the ``cli`` extra)."""

from __future__ import annotations

__all__ = ["main"]

# The third-party packages the ``cli`` extra brings; a missing one gets an install hint.
_CLI_EXTRA = frozenset({"typer", "rich", "click"})


def main() -> None:
    """Entry point of the ``skillbank`` console script."""
    try:
        from skills_runtime.cli.app import app
    except ImportError as error:  # the CLI lives behind an extra
        if error.name not in _CLI_EXTRA:
            raise
        import sys

        missing = error.name
        print(
            f"skillbank: the command line needs {missing!r}; install it with "
            "`pip install 'skillbank[cli]'`",
            file=sys.stderr,
        )
        raise SystemExit(2) from error
    app()
