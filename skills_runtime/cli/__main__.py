"""``python -m skills_runtime.cli``: the same command line as the ``skillbank`` script."""

from skills_runtime.cli import main

main()
