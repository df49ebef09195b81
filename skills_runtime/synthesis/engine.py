"""``synthesize``: trajectories in, skills out — deterministic and model-free.

Decide every tool's effect (see :mod:`~skills_runtime.effects`), mark the calls, lift every
trajectory, cut it into units (the writes one request needed with the reads they need, or the
reads that answered it), leave out runs recorded as failed, gather units into families (splitting
joined writes whose whole is too rare), anti-unify each family large enough, name and render the
skill, and attach one replay case per unit. Runs of unknown outcome never outvote the runs known
to have succeeded: when they would weaken a family's plan (a guard or a constant lost), the plan
of the successful runs is kept and the others are reported.

A family's skill carries the loops that hold in all its units; when a set of loops holds in only
some of them (at least ``min_family_size``), those units also give a *loop variant*: the same
procedure with the loops, tried first by evaluation because it absorbs more of the trajectory.
Input order does not matter: trajectories are sorted by id and digest first, and every later step
iterates in a stable order, so the same trajectories give byte-identical skills.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from skills_runtime.effects import infer_effects
from skills_runtime.replay import RecordedCall, ReplayCase
from skills_runtime.synthesis.antiunify import AntiUnified, FieldStats, antiunify, field_stats
from skills_runtime.synthesis.group import (
    Family,
    Unit,
    family_key_text,
    group_units,
    split_unit,
    units_of,
)
from skills_runtime.synthesis.lift import lift
from skills_runtime.synthesis.loops import LoopSpec, describe, loops_of, preferred
from skills_runtime.synthesis.model import (
    SynthesisOptions,
    SynthesisResult,
    SynthesizedSkill,
    Unexplained,
)
from skills_runtime.synthesis.naming import skill_name
from skills_runtime.synthesis.outcomes import judge_request
from skills_runtime.synthesis.plan import CallStep, Const, Guard, Loop, Plan
from skills_runtime.synthesis.prose import Summary, summarize
from skills_runtime.synthesis.render import render
from skills_runtime.trajectory.failures import failure_of
from skills_runtime.trajectory.model import ToolSchema, Trajectory

__all__ = ["synthesize", "unit_recording", "variants"]


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
    write = next((c for c in plan.calls if c.tool == plan.final_tool), plan.calls[-1])
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
    family: Family,
    unified: AntiUnified,
    schemas: dict[str, ToolSchema],
    taken: set[str],
    effects: Mapping[str, object],
) -> SynthesizedSkill:
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
    name = skill_name(changes, reads, taken=taken, each=each, after=after)
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
    keyed = sorted((((t.id, t.digest()), t) for t in trajectories), key=lambda pair: pair[0])
    ordered = [t for _, t in keyed]
    effects = options.effects or infer_effects(ordered, declared=options.declared)
    context = frozenset(effect.tool for effect in effects if effect.context)
    lifted = [lift(effects.apply(t), digest=key[1], context=context) for key, t in keyed]
    schemas: dict[str, ToolSchema] = {}
    for trace in lifted:
        for schema in trace.trajectory.tool_schemas:
            schemas.setdefault(schema.name, schema)
    stats = field_stats(lifted)
    unexplained: list[Unexplained] = []
    units: list[Unit] = []
    trusted: set[str] = set()
    outcomes: Counter[str] = Counter()
    for trace in lifted:
        found = units_of(trace)
        if not found:
            failed = len(trace.dropped)
            calls = "call" if failed == 1 else "calls"
            note = f" ({failed} failed or unreadable {calls} dropped)" if failed else ""
            unexplained.append(
                Unexplained(
                    trace.trajectory.id,
                    f"no successful write and no answer read{note}: nothing to learn",
                )
            )
        for unit in found:
            verdict = judge_request(trace.trajectory, unit.write.turn)
            outcomes[verdict.outcome.value if verdict.recorded else "unknown"] += 1
            if not verdict.learnable:
                unexplained.append(
                    Unexplained(unit.unit_id, f"not learned from: {verdict.because}")
                )
                continue
            if verdict.trusted:
                trusted.add(unit.unit_id)
            units.append(unit)
    families = _split_rare(group_units(units), min_size=options.min_family_size, trusted=trusted)
    taken = set(options.taken_names)
    skills: list[SynthesizedSkill] = []
    decided = effects.to_json()
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
            chosen, unified, left_out = _unify(
                variant,
                loops,
                trusted=trusted,
                min_size=options.min_family_size,
                stats=stats,
                schemas=schemas,
            )
            if isinstance(unified, str):
                if variant is family:
                    unexplained.extend(
                        Unexplained(u.unit_id, f"{key}: {unified}") for u in family.units
                    )
                continue
            unexplained.extend(
                Unexplained(
                    u.unit_id,
                    f"{key}: left out: it disagrees with the runs known to have succeeded "
                    "(its outcome is unknown)",
                )
                for u in left_out
            )
            skills.append(_skill(chosen, unified, schemas, taken, decided))
    unexplained.sort(key=lambda item: (item.trajectory_id, item.reason))
    counts = {
        "trajectories": len(ordered),
        "units": len(units),
        "families": len(families),
        "skills": len(skills),
        "unexplained": len(unexplained),
        "dropped_calls": sum(len(trace.dropped) for trace in lifted),
        **{f"units_{outcome}": outcomes[outcome] for outcome in sorted(outcomes)},
    }
    return SynthesisResult(tuple(skills), tuple(unexplained), counts, effects)


def _split_rare(
    families: tuple[Family, ...], *, min_size: int, trusted: set[str]
) -> tuple[Family, ...]:
    """Families again, with the units of joined writes split into one unit per write.

    A family of joined writes too rare for a skill gives way to its parts. One large enough stays
    and its parts join the one-write families too: each write keeps all the evidence of how it is
    done, also for requests that make it alone. A part is as trusted as its whole.
    """
    units: list[Unit] = []
    for family in families:
        rare = len(family.units) < min_size
        if not rare:
            units.extend(family.units)
        for unit in family.units:
            parts = split_unit(unit)
            if parts == (unit,) and not rare:
                continue
            if unit.unit_id in trusted:
                trusted.update(part.unit_id for part in parts)
            units.extend(parts)
    return group_units(units)
