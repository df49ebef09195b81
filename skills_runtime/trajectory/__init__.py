"""Trajectories: what agents did, as pure values, imported from the formats agents record.

``load_trajectories`` reads files (JSON or JSONL, native benchmark records, OpenAI Chat, OpenAI
Responses, Anthropic Messages, detected per record) and returns an :class:`ImportReport` whose
problems are located by path and line; it never raises for bad input. ``parse_record`` does the
same for one in-memory object; ``TrajectoryFiles`` reads files lazily, pass after pass (how
learning streams a fleet's logs); ``dump_native`` writes a trajectory back as a native record.
"""

from __future__ import annotations

from skills_runtime.trajectory.detect import FORMATS, detect_format
from skills_runtime.trajectory.loader import TrajectoryFiles, load_trajectories, parse_record
from skills_runtime.trajectory.model import (
    OrphanResult,
    Outcome,
    ToolCall,
    ToolSchema,
    Trajectory,
    Turn,
    canonical_json,
)
from skills_runtime.trajectory.native import dump_native
from skills_runtime.trajectory.report import ImportReport, Problem
from skills_runtime.trajectory.schemas import dump_tool_schema, parse_tool_schema

__all__ = [
    "FORMATS",
    "ImportReport",
    "OrphanResult",
    "Outcome",
    "Problem",
    "ToolCall",
    "ToolSchema",
    "Trajectory",
    "TrajectoryFiles",
    "Turn",
    "canonical_json",
    "detect_format",
    "dump_native",
    "dump_tool_schema",
    "load_trajectories",
    "parse_record",
    "parse_tool_schema",
]
