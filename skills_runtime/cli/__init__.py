"""The ``skillbank`` command line (typer + rich; install the ``cli`` extra)."""

from __future__ import annotations

import sys

__all__ = ["main"]

# The third-party packages the ``cli`` extra brings; a missing one gets an install hint.
_CLI_EXTRA = frozenset({"typer", "rich", "click"})
_EXIT_INTERRUPTED = 130


def main() -> None:
    """Entry point of the ``skillbank`` console script."""
    try:
        from skills_runtime.cli.app import app
    except KeyboardInterrupt:  # Ctrl-C while the command line was still loading
        print("skillbank: interrupted while starting; nothing was done", file=sys.stderr)
        raise SystemExit(_EXIT_INTERRUPTED) from None
    except ImportError as error:  # the CLI lives behind an extra
        if error.name not in _CLI_EXTRA:
            raise
        missing = error.name
        print(
            f"skillbank: the command line needs {missing!r}; install it with "
            "`pip install 'skillbank[cli]'`",
            file=sys.stderr,
        )
        raise SystemExit(2) from error
    app()
