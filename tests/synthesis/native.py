"""A tiny reader of the benchmark's native JSONL into ``Trajectory`` values (tests and bench)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skills_runtime.trajectory.model import ToolCall, ToolSchema, Trajectory

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
TAU2 = DATA / "tau2_retail.jsonl"
TAU = DATA / "taubench_retail.jsonl"


def trajectory_from_native(row: dict[str, Any]) -> Trajectory:
    """One native line as a ``Trajectory`` (every other field goes to metadata)."""
    steps = row.get("steps") or []
    mutates = {step["tool"]: bool(step.get("mutates_db")) for step in steps}
    schemas = []
    for entry in row.get("tool_schemas") or []:
        function = entry.get("function", entry)
        schemas.append(
            ToolSchema(
                name=function["name"],
                description=function.get("description", ""),
                parameters=function.get("parameters") or {},
                mutates=mutates.get(function["name"]),
            )
        )
    calls = tuple(
        ToolCall(
            name=step["tool"],
            arguments=step.get("arguments") or {},
            result=step.get("result"),
            is_error=bool(step.get("is_error")),
            mutates=bool(step.get("mutates_db")),
        )
        for step in steps
    )
    skip = {"task_id", "instruction", "steps", "tool_schemas"}
    metadata = {key: value for key, value in row.items() if key not in skip}
    return Trajectory(
        id=row["task_id"],
        task=row.get("instruction") or "",
        calls=calls,
        tool_schemas=tuple(schemas),
        metadata=metadata,
    )


def load_native(path: Path, *, split: str | None = None) -> list[Trajectory]:
    """Every trajectory of a native JSONL file, optionally only one split."""
    out = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                trajectory = trajectory_from_native(json.loads(line))
                if split is None or trajectory.split == split:
                    out.append(trajectory)
    return out
