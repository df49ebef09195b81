"""Domains: trajectories grouped by the tools they share, one application per group."""

from __future__ import annotations

from collections.abc import Sequence

from skills_runtime.trajectory.model import Trajectory

__all__ = ["domains"]


def domains(trajectories: Sequence[Trajectory]) -> list[list[Trajectory]]:
    """Trajectories split into domains: groups that share no tool with one another.

    A procedure never spans two domains (its traces share at least their write tool), so each
    domain is synthesized on its own: learning the trajectories of one application never changes
    the skills of another (their parameter order, guards or names), and so never files a
    cosmetic new version of a skill nobody touched. Order: by each domain's first tool name.
    """
    parent: dict[str, str] = {}

    def root(tool: str) -> str:
        while parent.setdefault(tool, tool) != tool:
            parent[tool] = parent[parent[tool]]
            tool = parent[tool]
        return tool

    for trajectory in trajectories:
        names = sorted({call.name for call in trajectory.calls})
        for name in names[1:]:
            parent[root(name)] = root(names[0])
    groups: dict[str, list[Trajectory]] = {}
    for trajectory in trajectories:
        names = sorted({call.name for call in trajectory.calls})
        key = root(names[0]) if names else f"\uffff{trajectory.id}"  # no calls: on its own
        groups.setdefault(key, []).append(trajectory)
    first = {
        key: min((call.name for t in group for call in t.calls), default=key)
        for key, group in groups.items()
    }
    return [groups[key] for key in sorted(groups, key=lambda key: (first[key], key))]
