"""Counting calls: what an agent still calls when skills (or a replayed run) serve a request.

Two counts, each the calls the agent itself makes (one per skill call, or per call of a replayed
run) plus what of the recorded run nothing made:

- ``with_leftovers``: every recorded call nothing made, as if the agent still made its detours;
- ``needed``: only the calls the run's procedures need (their writes, answers and the reads
  those need) that nothing made; not the detours, unused reads and failed calls an agent with
  skills would not make.

The same counts serve skills and the raw-trajectory baseline, so their numbers compare.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from skills_runtime.synthesis.group import Unit
from skills_runtime.trajectory.model import Trajectory, canonical_json

__all__ = ["Calls", "calls_after", "needed_calls"]


@dataclass(frozen=True)
class Calls:
    """The calls an agent makes for one request, counted both ways."""

    with_leftovers: int
    needed: int


def needed_calls(units: Sequence[Unit]) -> Counter[tuple[str, str]]:
    """The calls the trajectory's procedures need (their writes, answers and the reads those
    need), as (tool, arguments) requests: what is left of them once skills ran is what an agent
    with the skills would still call; its detours and unused reads are not counted."""
    needed: Counter[tuple[str, str]] = Counter()
    seen: set[int] = set()
    for unit in units:
        for position in unit.steps:
            step = unit.trace.steps[position]
            if step.index in seen:
                continue
            seen.add(step.index)
            call = unit.trace.trajectory.calls[step.index]
            needed[(call.name, canonical_json(dict(call.arguments)))] += 1
    return needed


def calls_after(
    trajectory: Trajectory, units: Sequence[Unit], *, own: int, made: Counter[tuple[str, str]]
) -> Calls:
    """The agent's calls for ``trajectory`` when it made ``own`` calls itself (skill calls, or
    a replay's calls) and those made the tool calls ``made`` (tool, canonical arguments)."""
    recorded = Counter((c.name, canonical_json(dict(c.arguments))) for c in trajectory.calls)
    return Calls(
        with_leftovers=own + sum((recorded - made).values()),
        needed=own + sum((needed_calls(units) - made).values()),
    )
