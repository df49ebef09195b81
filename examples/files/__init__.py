"""A file system with a working directory per session: real tools and noisy recorded runs.

``tools.toolset`` is the :class:`~skills_runtime.tools.Toolset`; ``record.py`` regenerates the
OpenAI and Anthropic transcripts and the answer key deterministically (see ``README.md``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ANSWERS", "DIRECTORY", "TRAJECTORIES"]

DIRECTORY = Path(__file__).parent
TRAJECTORIES = {
    "openai-chat": DIRECTORY / "trajectories.openai.jsonl",
    "anthropic": DIRECTORY / "trajectories.anthropic.jsonl",
}
ANSWERS = DIRECTORY / "answers.json"
