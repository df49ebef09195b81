"""``synthesize``: trajectories in, skills out — deterministic and model-free.

Decide every tool's effect (see :mod:`~skills_runtime.effects`), mark the calls, lift every
trajectory, cut it into units (the writes one request needed with the reads they need, or the
reads that answered it), leave out runs recorded as failed, gather units into families (splitting
joined writes whose whole is too rare), anti-unify each family large enough, name and render the
skill, and attach one replay case per unit. Runs of unknown outcome never outvote the runs known
to have succeeded: when they would weaken a family's plan (a guard or a constant lost), the plan
of the successful runs is kept and the others are reported.

Plans of one intent — the same changes, found in different ways — merge into one skill whose
optional parameters choose the way in (see :mod:`~skills_runtime.synthesis.merge`); reads whose
answers nothing uses, loops over lists included, are left to the caller and named in the docstring.
Everything before the families (effects, lifting, units, samples, counts) is ``collect``'s: it
streams the trajectories, so memory is bounded by the families. Input order does not matter: a
family's sample is the same set whatever the order, units are ordered by id and digest, and every
later step iterates in a stable order, so the same trajectories give byte-identical skills.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from skills_runtime.replay import RecordedCall, RecordedTools, ReplayCase
from skills_runtime.synthesis.antiunify import AntiUnified, FieldStats, antiunify
from skills_runtime.synthesis.collect import Collected, collect
from skills_runtime.synthesis.group import Family, Unit, family_key_text
from skills_runtime.synthesis.interpret import run_plan
from skills_runtime.synthesis.loops import LoopSpec, loops_of, preferred
from skills_runtime.synthesis.merge import Merged, Procedure, merge_procedures
from skills_runtime.synthesis.model import (
    SynthesisOptions,
    SynthesisResult,
    SynthesizedSkill,
    Unexplained,
)
from skills_runtime.synthesis.naming import skill_name
from skills_runtime.synthesis.plan import CallStep, Const, Guard, Loop, Plan
from skills_runtime.synthesis.prose import Summary, distinguish, summarize, summarize_steps
from skills_runtime.synthesis.render import render
from skills_runtime.trajectory.failures import failure_of
from skills_runtime.trajectory.model import ToolSchema, Trajectory

__all__ = ["synthesize", "synthesize_collected", "unit_recording"]


def unit_recording(unit: Unit) -> tuple[RecordedCall, ...]:
    """What a replay of ``unit`` may see: every successful read up to its last step, and its
    own writes, in the order they happened."""
    trajectory = unit.trace.trajectory
    last = unit.write.index
    own = {unit.trace.steps[position].index for position in unit.writes}
    calls = []
    for index, call in enumerate(trajectory.calls[: last + 1]):
        is_write = trajectory.is_write(call)
        if not call.paired or call.raw_arguments is not None or failure_of(call) is not None:
            continue
        if is_write and index not in own:
            continue
        calls.append(RecordedCall(call.name, dict(call.arguments), call.result, False, is_write))
    return tuple(calls)


def _summary(plan: Plan, schemas: dict[str, ToolSchema], reads: tuple[str, ...]) -> Summary:
    steps = list(plan.changes)
    if len(steps) > 1:  # several changes: a folder made, then a file moved into it
        described = [(t, schemas[t].description if t in schemas else "") for t in steps]
        return summarize_steps(described)
    write = next((c for c in plan.calls if c.tool == plan.final_tool), plan.calls[-1])
    schema = schemas.get(write.tool)
    ids = [name for name, _ in write.args if name.endswith("_id") and len(name) > 3]
    return summarize(
        write.tool,
        schema.description if schema else "",
        reads=reads,
        object_noun=ids[0][: -len("_id")].replace("_", " ") if ids else "",
    )


def _loops(family: Family) -> tuple[LoopSpec, ...]:
    """The loops every unit of the family shows (each becomes a read left to the caller)."""
    return preferred(frozenset.intersection(*(frozenset(loops_of(u)) for u in family.units)))


def _reproduces(plan: Plan, unit: Unit, arguments: dict[str, Any], expected: Any) -> bool:
    """Whether ``plan`` run with ``arguments`` makes exactly the unit's recorded writes and
    returns what the unit's last call returned."""
    case = ReplayCase(unit.unit_id, arguments, unit_recording(unit), expected)
    tools = RecordedTools(case.calls)
    try:
        returned = run_plan(plan, arguments, tools)
    except Exception as error:
        return tools.outcome(case, failure=f"{type(error).__name__}: {error}").passed
    return tools.outcome(case, returned=returned).passed


def _way(reads: tuple[str, ...]) -> str:
    """How a branch finds what the skill acts on: the criteria of its first ``*_by_*`` lookup."""
    return next((tool.split("_by_", 1)[1] for tool in reads if "_by_" in tool), "")


def _described(
    unified: Merged, schemas: dict[str, ToolSchema], taken: set[str]
) -> tuple[str, str, str]:
    """A skill's name (never a taken one), its summary line and the sentence that line cut."""
    plan = unified.plan
    reads = tuple(s.tool for s in plan.body if isinstance(s, CallStep) and not s.is_write)
    changes = plan.changes
    if not changes and plan.calls[-1].is_write:  # it only moves or signs in
        changes = plan.write_tools
    elif not changes:  # it answers: what it looks up last is part of its name
        reads = (*(tool for tool in reads if tool != plan.final_tool), plan.final_tool)
    each = tuple(s.call.tool for s in plan.body if isinstance(s, Loop))
    after = tuple(
        c.tool for c in plan.calls if c.context and c.var is None and c.tool not in changes
    )
    ways = tuple(way for way in map(_way, unified.ways) if way)
    name = skill_name(changes, reads, taken=taken, each=each, after=after, ways=ways)
    taken.add(name)
    alternatives = tuple(tool for branch in unified.ways for tool in branch)
    summary, detail = _summary(plan, schemas, tuple(dict.fromkeys((*alternatives, *reads))))
    return name, summary, detail


def _told_apart(
    described: list[tuple[str, str, str]], merged: Sequence[Merged]
) -> list[tuple[str, str, str]]:
    """Skills whose summaries are the same line get what their names add to it in brackets
    (``Copy a file (checked).`` and ``Copy a file (without lookups).``): an agent reading only
    summaries must still tell every skill apart."""
    lines = Counter(summary for _, summary, _ in described)
    out = []
    for (name, summary, detail), skill in zip(described, merged, strict=True):
        if lines[summary] > 1:
            words = [w for w in name.split("_") if w]
            own = {w for tool in skill.plan.changes for w in tool.split("_")}
            tail = [w for w in words if w not in own] or words
            qualifier = " ".join(tail).replace("only", "without lookups")
            detail = detail or summary
            summary = distinguish(summary, qualifier)
        out.append((name, summary, detail))
    return out


def _skill(
    unified: Merged,
    described: tuple[str, str, str],
    schemas: dict[str, ToolSchema],
    effects: Mapping[str, object],
) -> SynthesizedSkill:
    plan = unified.plan
    name, summary, detail = described
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
        family_key=" | ".join(family_key_text(key) for key in unified.keys),
        effects={tool: effects[tool] for tool in plan.tools if tool in effects},
    )


def _strength(plan: Plan) -> int:
    """How much a plan pins down: its guards and constant arguments."""
    guards = sum(1 for statement in plan.body if isinstance(statement, Guard))
    constants = sum(1 for call in plan.calls for _, expr in call.args if isinstance(expr, Const))
    return guards + constants


def _unify(
    family: Family,
    loops: tuple[LoopSpec, ...],
    *,
    trusted: set[str],
    min_size: int,
    stats: FieldStats,
    schemas: dict[str, ToolSchema],
) -> tuple[Family, AntiUnified | str, tuple[Unit, ...]]:
    """The family's plan, and the units of unknown outcome left out because they would weaken
    the plan of the runs known to have succeeded."""
    unified = antiunify(family, stats=stats, schemas=schemas, loops=loops)
    sure = tuple(u for u in family.units if u.unit_id in trusted)
    if len(sure) == len(family.units) or len(sure) < min_size:
        return family, unified, ()
    reference_family = Family(family.key, sure)
    reference = antiunify(reference_family, stats=stats, schemas=schemas, loops=loops)
    if isinstance(reference, str):
        return family, unified, ()
    if isinstance(unified, str) or _strength(unified.plan) < _strength(reference.plan):
        left_out = tuple(u for u in family.units if u.unit_id not in trusted)
        return reference_family, reference, left_out
    return family, unified, ()


def synthesize(
    trajectories: Iterable[Trajectory],
    *,
    options: SynthesisOptions = SynthesisOptions(),  # noqa: B008 - a frozen value, never mutated
) -> SynthesisResult:
    """Learn skills from trajectories.

    Args:
        trajectories: Trajectories of any procedures, in any order, labelled or not.
        options: Family size threshold, names already taken, declared or decided effects.

    Returns:
        The skills (one per family that anti-unifies), every trajectory or unit that fit no
        family with the reason, counts, and the effect decided for every tool.
    """
    (collected,) = collect(trajectories, options=options)
    return synthesize_collected(collected, options=options)


def synthesize_collected(
    collected: Collected,
    *,
    options: SynthesisOptions = SynthesisOptions(),  # noqa: B008 - a frozen value, never mutated
) -> SynthesisResult:
    """Learn skills from collected families (see :func:`~skills_runtime.synthesis.collect.collect`).

    The same collected domain may be synthesized again with other options (names to avoid).
    """
    families = collected.families
    trusted = set(collected.trusted)
    stats = collected.stats
    schemas = dict(collected.schemas)
    effects = collected.effects
    unexplained: list[Unexplained] = []
    skills, left = _library(
        families,
        min_size=options.min_family_size,
        trusted=trusted,
        stats=stats,
        schemas=schemas,
        taken=set(options.taken_names),
        decided=effects.to_json(),
    )
    unexplained += left
    tally = collected.unexplained.copy()
    tally.extend(unexplained)
    counts = {
        "trajectories": collected.counts["trajectories"],
        "units": collected.counts["units"],
        "families": len(families),
        "skills": len(skills),
        "unexplained": tally.total,
        **{
            key: n
            for key, n in collected.counts.items()
            if key not in ("trajectories", "units", "families")
        },
    }
    return SynthesisResult(
        tuple(skills), tally.examples, counts, effects, unexplained_counts=dict(tally.counts)
    )


def _library(
    families: Sequence[Family],
    *,
    min_size: int,
    trusted: set[str],
    stats: FieldStats,
    schemas: dict[str, ToolSchema],
    taken: set[str],
    decided: Mapping[str, object],
) -> tuple[list[SynthesizedSkill], list[Unexplained]]:
    """The skills of the families large enough: one plan per family, then one skill per intent
    where the plans merge (see :mod:`~skills_runtime.synthesis.merge`)."""
    unexplained: list[Unexplained] = []
    procedures: list[Procedure] = []
    for family in families:
        key = family_key_text(family.key)
        if len(family.units) < min_size:
            for unit in family.units:
                reason = (
                    f"its procedure ({key}) was seen {len(family.units)} time(s); "
                    f"a skill needs at least {min_size}"
                )
                unexplained.append(Unexplained(unit.unit_id, reason))
            continue
        chosen, unified, left_out = _unify(
            family, _loops(family), trusted=trusted, min_size=min_size, stats=stats, schemas=schemas
        )
        if isinstance(unified, str):
            unexplained.extend(Unexplained(u.unit_id, f"{key}: {unified}") for u in family.units)
            continue
        unexplained.extend(
            Unexplained(
                u.unit_id,
                f"{key}: left out: it disagrees with the runs known to have succeeded "
                "(its outcome is unknown)",
            )
            for u in left_out
        )
        procedures.append(
            Procedure(
                chosen.key,
                unified.plan,
                unified.units,
                unified.arguments,
                unified.expected,
                _strength(unified.plan),
            )
        )
    merged = merge_procedures(procedures, reproduces=_reproduces)
    described = _told_apart([_described(m, schemas, taken) for m in merged], merged)
    skills = [_skill(m, d, schemas, decided) for m, d in zip(merged, described, strict=True)]
    return skills, unexplained
