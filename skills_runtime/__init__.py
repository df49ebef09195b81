"""skillbank: procedural memory for AI agents, as code.

``skills_runtime`` orchestrates: it imports trajectories, synthesizes typed skills from them,
checks and verifies them (in the ``sandbox``), stores them (in the ``skill_registry``) and serves
them back to agents as tools. This module re-exports the stable public surface; everything else
lives in its subpackage (``skills_runtime.trajectory``, ...).
"""

from __future__ import annotations

from skills_runtime.errors import (
    ConfigurationError,
    InvalidArgument,
    InvalidInput,
    SkillbankError,
    UnknownSkill,
)
from skills_runtime.trajectory import (
    ImportReport,
    OrphanResult,
    Outcome,
    Problem,
    ToolCall,
    ToolSchema,
    Trajectory,
    dump_native,
    load_trajectories,
    parse_record,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigurationError",
    "ImportReport",
    "InvalidArgument",
    "InvalidInput",
    "OrphanResult",
    "Outcome",
    "Problem",
    "SkillbankError",
    "ToolCall",
    "ToolSchema",
    "Trajectory",
    "UnknownSkill",
    "__version__",
    "dump_native",
    "load_trajectories",
    "parse_record",
]
