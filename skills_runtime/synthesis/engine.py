"""``synthesize``: trajectories in, skills out — deterministic and model-free.

Lift every trajectory, cut it into units (one write and the reads it needs), gather units into
families, anti-unify each family large enough, name and render the skill, and attach one replay
case per unit. A family's skill carries the loops that hold in all its units; when a set of loops
holds in only some of them (at least ``min_family_size``), those units also give a *loop
variant*: the same procedure with the loops, tried first by evaluation because it absorbs more
of the trajectory. Input order does not matter: trajectories are sorted by id and digest first, and
every later step iterates in a stable order, so the same trajectories give byte-identical skills.
"""

from __future__ import annotations

from collections.abc import Iterable

from skills_runtime.replay import RecordedCall, ReplayCase
from skills_runtime.synthesis.antiunify import AntiUnified, antiunify, field_stats
from skills_runtime.synthesis.group import Family, Unit, family_key_text, group_units, units_of
from skills_runtime.synthesis.lift import lift
from skills_runtime.synthesis.loops import LoopSpec, describe, loops_of, preferred
from skills_runtime.synthesis.model import (
    SynthesisOptions,
    SynthesisResult,
    SynthesizedSkill,
    Unexplained,
)
from skills_runtime.synthesis.naming import skill_name
from skills_runtime.synthesis.plan import CallStep, Loop, Plan
from skills_runtime.synthesis.prose import Summary, summarize
from skills_runtime.synthesis.render import render
from skills_runtime.trajectory.model import ToolSchema, Trajectory

__all__ = ["synthesize", "unit_recording", "variants"]


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


def _summary(plan: Plan, schemas: dict[str, ToolSchema], reads: tuple[str, ...]) -> Summary:
    write = next((c for c in reversed(plan.calls) if c.is_write), plan.calls[-1])
    schema = schemas.get(write.tool)
    ids = [name for name, _ in write.args if name.endswith("_id") and len(name) > 3]
    return summarize(
        write.tool,
        schema.description if schema else "",
        reads=reads,
        object_noun=ids[0][: -len("_id")].replace("_", " ") if ids else "",
    )


def variants(family: Family, *, min_size: int) -> list[tuple[Family, tuple[LoopSpec, ...]]]:
    """The family with the loops all its units share, then each loop variant big enough.

    A variant's loops are closed: every loop that holds in all of the variant's units is in it.
    """
    found = [frozenset(loops_of(unit)) for unit in family.units]
    common = frozenset.intersection(*found)
    out = [(family, preferred(common))]
    seen = {preferred(common)}
    closures = []
    for loops in sorted(set(found), key=lambda specs: sorted(s.order for s in specs)):
        members = [u for u, have in zip(family.units, found, strict=True) if loops <= have]
        closed = frozenset.intersection(*(have for have in found if loops <= have))
        closures.append((preferred(closed), members))
    for loops_chosen, members in closures:
        if loops_chosen in seen or len(members) < min_size:
            continue
        seen.add(loops_chosen)
        key = (*family.key, *(f"[{describe(spec)}]" for spec in loops_chosen))
        out.append((Family(key, tuple(members)), loops_chosen))
    return out


def _skill(
    family: Family, unified: AntiUnified, schemas: dict[str, ToolSchema], taken: set[str]
) -> SynthesizedSkill:
    plan = unified.plan
    reads = tuple(s.tool for s in plan.body if isinstance(s, CallStep) and not s.is_write)
    each = tuple(s.call.tool for s in plan.body if isinstance(s, Loop))
    name = skill_name(plan.write_tools, reads, taken=taken, each=each)
    taken.add(name)
    summary, detail = _summary(plan, schemas, tuple(dict.fromkeys(reads)))
    sources = [unit.unit_id for unit in unified.units]
    source = render(name, plan, summary=summary, sources=sources, detail=detail)
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
        trajectories.setdefault(unit.trajectory_id, unit.trace.digest)
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
    keyed = sorted((((t.id, t.digest()), t) for t in trajectories), key=lambda pair: pair[0])
    ordered = [t for _, t in keyed]
    lifted = [lift(t, digest=key[1]) for key, t in keyed]
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
            calls = "call" if failed == 1 else "calls"
            note = f" ({failed} failed {calls} dropped)" if failed else ""
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
        for variant, loops in variants(family, min_size=options.min_family_size):
            unified = antiunify(variant, stats=stats, schemas=schemas, loops=loops)
            if isinstance(unified, str):
                if variant is family:
                    unexplained.extend(
                        Unexplained(u.unit_id, f"{key}: {unified}") for u in family.units
                    )
                continue
            skills.append(_skill(variant, unified, schemas, taken))
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
