"""``synthesize``: trajectories in, skills out — deterministic and model-free.

Lift every trajectory, cut it into units (one write and the reads it needs), gather units into
families, anti-unify each family large enough, name and render the skill, and attach one replay
case per unit. Input order does not matter: trajectories are sorted by id and digest first, and
every later step iterates in a stable order, so the same trajectories give byte-identical skills.
"""

from __future__ import annotations

from collections.abc import Iterable

from skills_runtime.replay import RecordedCall, ReplayCase
from skills_runtime.synthesis.antiunify import AntiUnified, antiunify, field_stats
from skills_runtime.synthesis.group import Family, Unit, family_key_text, group_units, units_of
from skills_runtime.synthesis.lift import lift
from skills_runtime.synthesis.model import (
    SynthesisOptions,
    SynthesisResult,
    SynthesizedSkill,
    Unexplained,
)
from skills_runtime.synthesis.naming import skill_name
from skills_runtime.synthesis.plan import CallStep
from skills_runtime.synthesis.render import render
from skills_runtime.trajectory.model import ToolSchema, Trajectory

__all__ = ["synthesize", "unit_recording"]


def unit_recording(unit: Unit) -> tuple[RecordedCall, ...]:
    """What a replay of ``unit`` may see: every successful read before its write, then the write."""
    trajectory = unit.trace.trajectory
    write = unit.write.index
    calls = []
    for index, call in enumerate(trajectory.calls[: write + 1]):
        is_write = trajectory.is_write(call)
        if call.is_error or not call.paired or call.raw_arguments is not None:
            continue
        if is_write and index != write:
            continue
        calls.append(RecordedCall(call.name, dict(call.arguments), call.result, False, is_write))
    return tuple(calls)


def _summary(family: Family, schemas: dict[str, ToolSchema], reads: tuple[str, ...]) -> str:
    write = family.key[-1]
    schema = schemas.get(write)
    text = " ".join((schema.description if schema else "").split())
    sentence = text.split(". ")[0].rstrip(".") if text else f"Call {write}"
    if len(sentence) > 80:
        sentence = f"Call {write}"
    if reads:
        return f"{sentence}, after looking up {', '.join(reads)}."
    return f"{sentence}."


def _skill(
    family: Family, unified: AntiUnified, schemas: dict[str, ToolSchema], taken: set[str]
) -> SynthesizedSkill:
    plan = unified.plan
    reads = tuple(s.tool for s in plan.body if isinstance(s, CallStep) and not s.is_write)
    name = skill_name(plan.write_tools, reads, taken=taken)
    taken.add(name)
    summary = _summary(family, schemas, tuple(dict.fromkeys(reads)))
    sources = [unit.unit_id for unit in unified.units]
    source = render(name, plan, summary=summary, sources=sources)
    cases = tuple(
        ReplayCase(
            trajectory_id=unit.unit_id,
            arguments=arguments,
            calls=unit_recording(unit),
            expected_result=expected,
        )
        for unit, arguments, expected in zip(
            unified.units, unified.arguments, unified.expected, strict=True
        )
    )
    trajectories: dict[str, str] = {}
    for unit in unified.units:
        trajectories.setdefault(unit.trajectory_id, unit.trace.trajectory.digest())
    return SynthesizedSkill(
        name=name,
        source=source,
        summary=summary,
        tools=plan.tools,
        write_tools=plan.write_tools,
        source_trajectories=tuple(trajectories),
        trajectory_digests=tuple(trajectories.values()),
        replay_cases=cases,
        tool_schemas={
            tool: dict(schemas[tool].parameters) for tool in plan.tools if tool in schemas
        },
        family_key=family_key_text(family.key),
    )


def synthesize(
    trajectories: Iterable[Trajectory],
    *,
    options: SynthesisOptions = SynthesisOptions(),  # noqa: B008 - a frozen value, never mutated
) -> SynthesisResult:
    """Learn skills from trajectories.

    Args:
        trajectories: Trajectories of any procedures, in any order.
        options: Family size threshold and names already taken.

    Returns:
        The skills (one per family that anti-unifies), every trajectory or write that fit no
        family with the reason, and counts.
    """
    ordered = sorted(trajectories, key=lambda t: (t.id, t.digest()))
    lifted = [lift(t) for t in ordered]
    schemas: dict[str, ToolSchema] = {}
    for trajectory in ordered:
        for schema in trajectory.tool_schemas:
            schemas.setdefault(schema.name, schema)
    stats = field_stats(lifted)
    unexplained: list[Unexplained] = []
    units: list[Unit] = []
    for trace in lifted:
        found = units_of(trace)
        if not found:
            failed = sum(1 for call in trace.trajectory.calls if call.is_error)
            note = f" ({failed} failed call(s) dropped)" if failed else ""
            unexplained.append(
                Unexplained(
                    trace.trajectory.id, f"no successful write call{note}: nothing to learn"
                )
            )
        units.extend(found)
    families = group_units(units)
    taken = set(options.taken_names)
    skills: list[SynthesizedSkill] = []
    for family in families:
        key = family_key_text(family.key)
        if len(family.units) < options.min_family_size:
            for unit in family.units:
                reason = (
                    f"its procedure ({key}) was seen {len(family.units)} time(s); "
                    f"a skill needs at least {options.min_family_size}"
                )
                unexplained.append(Unexplained(unit.unit_id, reason))
            continue
        unified = antiunify(family, stats=stats, schemas=schemas)
        if isinstance(unified, str):
            unexplained.extend(Unexplained(u.unit_id, f"{key}: {unified}") for u in family.units)
            continue
        skills.append(_skill(family, unified, schemas, taken))
    unexplained.sort(key=lambda item: (item.trajectory_id, item.reason))
    counts = {
        "trajectories": len(ordered),
        "units": len(units),
        "families": len(families),
        "skills": len(skills),
        "unexplained": len(unexplained),
        "dropped_calls": sum(len(trace.dropped) for trace in lifted),
    }
    return SynthesisResult(tuple(skills), tuple(unexplained), counts)
