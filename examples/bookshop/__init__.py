"""A small online bookshop: real, runnable host tools and the trajectories recorded with them.

``tools.toolset`` is the :class:`~skills_runtime.tools.Toolset`; ``record.py`` regenerates the
trajectories (``trajectories.jsonl`` and the OpenAI / Anthropic copies) deterministically.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DIRECTORY", "TRAJECTORIES"]

DIRECTORY = Path(__file__).parent
TRAJECTORIES = DIRECTORY / "trajectories.jsonl"
