"""Grouping: cut trajectories into units (one write and the reads it needs) and gather families.

A *unit* is one write call together with its backward slice: the earlier reads that explain its
scalar arguments (an argument reused from a read's arguments, or found in a read's result at a
path without list positions), transitively, and the entry lookup whose answer identifies the entity
the slice reads (a user id found by name and zip that the order's result names). Reads that feed
nothing the write needs are left out: they are the agent's exploration, not the procedure.

A *family* is the set of units with the same key: the write tool and the sequence of read tools
of the slice, consecutive repeats collapsed. Units of trajectories without any write, and families
smaller than ``min_family_size``, are reported as unexplained with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from skills_runtime.synthesis.lift import (
    Flow,
    LiftedStep,
    LiftedTrace,
    Origin,
    is_distinctive,
    walk,
)

__all__ = ["Family", "Unit", "family_key_text", "group_units", "units_of"]


@dataclass(frozen=True)
class Unit:
    """One write of a trajectory with the reads it needs, in trajectory order."""

    trace: LiftedTrace
    steps: tuple[int, ...]
    """Positions (into ``trace.steps``) of the slice; the last one is the write."""
    ordinal: int
    """Which write of its trajectory this is (0-based)."""

    @property
    def trajectory_id(self) -> str:
        return self.trace.trajectory.id

    @property
    def unit_id(self) -> str:
        """The trajectory id, with ``#k`` for the k-th write when the trajectory has several."""
        writes = sum(1 for step in self.trace.steps if step.is_write)
        return self.trajectory_id if writes == 1 else f"{self.trajectory_id}#{self.ordinal}"

    @property
    def write(self) -> LiftedStep:
        return self.trace.steps[self.steps[-1]]

    @property
    def key(self) -> tuple[str, ...]:
        names: list[str] = []
        for position in self.steps:
            name = self.trace.steps[position].name
            if not names or names[-1] != name:
                names.append(name)
        return tuple(names)


@dataclass(frozen=True)
class Family:
    """Units of the same procedure, ordered by unit id."""

    key: tuple[str, ...]
    units: tuple[Unit, ...]


def family_key_text(key: tuple[str, ...]) -> str:
    """A readable, stable spelling of a family key: ``find_user → get_order → cancel``."""
    return " -> ".join(key)


def _strength(flow: Flow) -> tuple[int, int, int]:
    positions = sum(1 for part in flow.path if isinstance(part, int))
    return (positions, len(flow.path), -flow.step)


def _strong_flow(origin: Origin) -> Flow | None:
    strong = [flow for flow in origin.flows if not any(isinstance(p, int) for p in flow.path)]
    return min(strong, key=_strength) if strong else None


def _needs(step: LiftedStep) -> Iterable[int]:
    # Elements of list arguments (the items to exchange, the new items) are the agent's choices:
    # the reads that show them are handled as loops (see ``loops``), not as the slice's spine.
    for arg in step.args:
        origin = arg.origin
        if arg.elements is not None or origin is None:
            continue
        if origin.same_as is not None:
            yield origin.same_as[0]
        flow = _strong_flow(origin)
        if flow is not None:
            yield flow.step


def _slice(trace: LiftedTrace, write: int) -> tuple[int, ...]:
    chosen = {write}
    pending = [write]
    while pending:
        position = pending.pop()
        for needed in _needs(trace.steps[position]):
            if needed < write and needed not in chosen and not trace.steps[needed].is_write:
                chosen.add(needed)
                pending.append(needed)
    # An entry lookup (a read answering one distinctive value, like a user id) belongs to the
    # slice when a chosen read's result names that value: it identifies the same entity.
    named: set[str] = set()
    for position in chosen:
        if position != write:
            for _, value in walk(trace.steps[position].result):
                if isinstance(value, str):
                    named.add(value)
    for position in range(write):
        step = trace.steps[position]
        if (
            position not in chosen
            and not step.is_write
            and isinstance(step.result, str)
            and is_distinctive(step.result)
            and step.result in named
        ):
            first = next(
                k
                for k in range(write)
                if trace.steps[k].name == step.name and trace.steps[k].result == step.result
            )
            chosen.add(first)
    return tuple(sorted(chosen))


def units_of(trace: LiftedTrace) -> tuple[Unit, ...]:
    """The units of a lifted trajectory, one per successful write, in order."""
    writes = [k for k, step in enumerate(trace.steps) if step.is_write]
    return tuple(Unit(trace, _slice(trace, w), ordinal) for ordinal, w in enumerate(writes))


def group_units(units: Iterable[Unit]) -> tuple[Family, ...]:
    """Gather units by key; families and their units come out in a stable order."""
    by_key: dict[tuple[str, ...], list[Unit]] = {}
    for unit in units:
        by_key.setdefault(unit.key, []).append(unit)
    return tuple(
        Family(key, tuple(sorted(members, key=lambda u: (u.unit_id, u.trace.digest))))
        for key, members in sorted(by_key.items())
    )
