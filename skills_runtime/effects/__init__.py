"""Effects: deciding, for every tool, whether a call only reads or changes state.

Recordings in the wild never say which calls change state. ``infer_effects`` decides it from
every signal there is — a user's declaration, flags in the recordings, MCP annotations, the tool's
name, description and parameters, and how the tool behaves across the traces — and keeps the
weighed evidence so that a reviewer sees why and can correct it (``Declared``, an effects file,
``--writes``/``--reads``). ``EffectTable.apply`` marks a trajectory's calls accordingly.
"""

from skills_runtime.effects.config import load_declared
from skills_runtime.effects.infer import Declared, declared_from, infer_by_domain, infer_effects
from skills_runtime.effects.model import Effect, EffectTable, Evidence, ToolEffect

__all__ = [
    "Declared",
    "Effect",
    "EffectTable",
    "Evidence",
    "ToolEffect",
    "declared_from",
    "infer_by_domain",
    "infer_effects",
    "load_declared",
]
