"""The learning pipeline: import → synthesize → check → verify → store.

``learn`` is what ``skillbank learn`` and the demo run. Learning is incremental: the trajectories
earlier runs learned from are kept in the registry and join the new ones, so a family that gains
traces is re-synthesized into a new version of the same skill (or the same version, when the
source comes out byte-identical); a family that gained nothing since its skill was learned (the
same digest, see ``collect``) is not synthesized or gated again. Trajectories stream through
(files are read lazily), and only each family's sample is kept. Every version passes through
:func:`~skills_runtime.gates.run_gates` like any hand-written source; each of its source
trajectories becomes a regression case that later versions must keep passing.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from os import PathLike
from typing import Any

from pydantic import ValidationError

from skill_registry import Provenance, Registry, State, VersionRecord
from skills_runtime.checking import signature_of
from skills_runtime.effects import Declared, EffectTable, ToolEffect, infer_by_domain
from skills_runtime.errors import InvalidInput
from skills_runtime.evaluate import EvaluationReport, evaluate
from skills_runtime.gates import GateResult, current_version, run_gates
from skills_runtime.synthesis import (
    SynthesisOptions,
    SynthesisResult,
    SynthesizedSkill,
    Unexplained,
)
from skills_runtime.synthesis.collect import Collected, FamilyCount, collect
from skills_runtime.synthesis.engine import synthesize_collected
from skills_runtime.synthesis.group import family_key_text
from skills_runtime.tool_drift import record_tool_schemas
from skills_runtime.tools import HOST_CALLS_SOURCE
from skills_runtime.trajectory import (
    ImportReport,
    Problem,
    ToolSchema,
    Trajectory,
    TrajectoryFiles,
    load_trajectories,
    parse_record,
)
from skills_runtime.trajectory.domains import domains
from skills_runtime.trajectory.native import dump_native
from skills_runtime.verify import VerifySettings

__all__ = [
    "RECORDED_SOURCES",
    "SYNTHESIZER",
    "LearnReport",
    "LearnedSkill",
    "Superseded",
    "domains",
    "evaluate_stored",
    "learn",
    "select_split",
    "split_missing",
    "stored_effects",
]

SYNTHESIZER = "skillbank.synthesis"
SYNTHESIZER_VERSION = "0.1.0"

Progress = Callable[[str, int, int], None]
"""``(stage, done, total)``: called as work advances, for progress bars."""


@dataclass(frozen=True)
class LearnedSkill:
    """One skill the run produced: where it is stored and what its gates said."""

    name: str
    version: int
    state: str
    source_trajectories: tuple[str, ...]
    gate: GateResult

    def to_json(self) -> dict[str, Any]:
        verification = self.gate.verification
        return {
            "name": self.name,
            "version": self.version,
            "state": self.state,
            "source_trajectories": list(self.source_trajectories),
            "check": {
                "ok": bool(self.gate.check.get("ok")),
                "findings": self.gate.check.get("findings", []),
            },
            "verify": None if verification is None else verification.to_json(),
            "passed": self.gate.passed,
            "reasons": list(self.gate.reasons),
        }


@dataclass(frozen=True)
class Superseded:
    """A stored skill that a skill of this run replaces: the new one was learned from every family
    the old one was (usually from more: a new way in merged them into one intent).

    A verified version is deprecated at once (search, evaluation and exports leave it out); a
    promoted one is only reported, for whoever promotes skills to deprecate it once its
    successor is promoted, so agents never lose a trusted tool to a learning run.
    """

    name: str
    version: int
    by: str
    by_version: int
    deprecated: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LearnReport:
    """What a learning run did: skills stored, trajectories left unexplained, time per stage."""

    skills: tuple[LearnedSkill, ...]
    unexplained: tuple[Unexplained, ...]
    problems: tuple[Problem, ...]
    trajectories: int
    seconds: dict[str, float] = field(default_factory=dict)
    kept: int = 0
    """How many of ``trajectories`` came from the registry (earlier runs, recorded calls)."""
    demoted: tuple[str, ...] = ()
    """Versions (``name vN``) sent back to re-verification because a tool they call changed."""
    effects: EffectTable = field(default_factory=EffectTable)
    """Every tool's effect as decided for this run, with its evidence."""
    stats: dict[str, int] = field(default_factory=dict)
    """Counts of synthesis: units, families, dropped calls, units by known outcome."""
    unexplained_counts: dict[str, int] = field(default_factory=dict)
    """How many units were left unexplained for each reason (``unexplained`` has examples)."""
    unchanged: tuple[str, ...] = ()
    """Skills whose families gained nothing since they were learned: not synthesized or gated
    again (their current versions stand)."""
    superseded: tuple[Superseded, ...] = ()
    """Stored skills whose every family a skill of this run (that passed its gates) learned from
    too: one intent, now one skill (see :class:`Superseded`)."""

    def to_json(self) -> dict[str, Any]:
        """The ``skillbank learn --json`` document."""
        return {
            "trajectories": self.trajectories,
            "new_trajectories": self.trajectories - self.kept,
            "kept_trajectories": self.kept,
            "demoted": list(self.demoted),
            "skills": [skill.to_json() for skill in self.skills],
            "unchanged": list(self.unchanged),
            "superseded": [item.to_json() for item in self.superseded],
            "unexplained": [item.to_json() for item in self.unexplained],
            "unexplained_counts": dict(self.unexplained_counts),
            "problems": [problem.to_json() for problem in self.problems],
            "effects": self.effects.to_json(),
            "stats": dict(self.stats),
            "seconds": {stage: round(value, 3) for stage, value in self.seconds.items()},
        }


def select_split(trajectories: Iterable[Trajectory], split: str | None) -> list[Trajectory]:
    """The trajectories of one benchmark split (all of them when ``split`` is None).

    Raises:
        InvalidInput: There are trajectories, but none of them is in ``split``.
    """
    given = list(trajectories)
    chosen = [t for t in given if split is None or t.split == split]
    if given and not chosen:
        raise split_missing(split, {t.split for t in given if t.split is not None})
    return chosen


def split_missing(split: str | None, present: Iterable[str]) -> InvalidInput:
    """The error for trajectories none of which is in ``split``, naming the splits present."""
    names = sorted(present)
    return InvalidInput(
        f"no trajectory is in split {split!r}; the splits present are {names}"
        + ("" if names else " (the trajectories name no split: leave out --split)")
    )


RECORDED_SOURCES = (HOST_CALLS_SOURCE,)
"""Registry sources of trajectories that agents produced by calling host tools through skillbank."""


def _stored_learning_set(registry: Registry, *, recorded: bool) -> list[Trajectory]:
    """Trajectories kept by earlier learning runs, and (when asked) those agents recorded."""
    stored = []
    sources = ("learning", *RECORDED_SOURCES) if recorded else ("learning",)
    for source in sources:
        for record in registry.trajectories(source=source):
            parsed = _parse_stored(record.trajectory)
            if parsed is not None:
                stored.append(parsed)
    return stored


def _parse_stored(data: dict[str, Any]) -> Trajectory | None:
    """A kept trajectory: native records (learning) or model dumps (recorded calls)."""
    if "calls" in data:
        try:
            return Trajectory.model_validate(data)
        except ValidationError:
            return None
    report = parse_record(data, format="native")
    return report.trajectories[0] if report.trajectories else None


def learn(
    paths: Iterable[str | PathLike[str]] | None = None,
    *,
    registry: Registry,
    trajectories: Iterable[Trajectory] = (),
    split: str | None = None,
    format: str = "auto",
    incremental: bool = True,
    recorded: bool = False,
    settings: VerifySettings = VerifySettings(),  # noqa: B008 - frozen value, safe as a default
    executor: Any = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    declared: Declared = Declared(),  # noqa: B008 - frozen value, safe as a default
) -> LearnReport:
    """Learn skills from trajectory files (and/or values) and store them, gated, in ``registry``.

    Args:
        paths: Trajectory files in any supported format, read lazily (twice: see ``collect``).
        registry: Where skills, versions, reports and source trajectories are stored.
        trajectories: More trajectories, learned from alongside the files: a list, or any
            source that gives the same trajectories each time it is iterated (then they are
            streamed, never all held in memory).
        split: Learn only from trajectories of this benchmark split (e.g. ``train``).
        format: The files' record format (``auto`` detects per record).
        incremental: Also learn from the trajectories earlier runs stored.
        recorded: Also learn from the host-tool calls agents made through ``skillbank serve
            --record-host-calls`` (kept in the registry, one trajectory per session).
        settings: Verification effort and limits.
        executor: A sandbox executor for the verification workers (default: the sandbox's own).
        jobs: Verifications run at once (default: the number of cores, at most 4).
        progress: Called as skills are gated.
        declared: Tool effects the user states (they decide over what the traces suggest).

    Returns:
        The report; bad input files appear in ``problems``, never as exceptions.

    Raises:
        InvalidInput: There are trajectories, but none of them is in ``split``.
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    files = TrajectoryFiles(list(paths) if paths is not None else [], format=format)
    kept = _stored_learning_set(registry, recorded=recorded) if incremental else []
    source = _LearningSet((files, trajectories), split=split, kept=kept)
    options = SynthesisOptions(declared=declared)
    collected = collect(source, options=options, by_domain=True)
    seconds["collect"] = time.perf_counter() - started
    if files.paths and not source.given and files.problems:
        # Nothing readable in what was given: report it, and change nothing in the registry.
        return LearnReport((), (), files.problems, 0, seconds)
    # The given trajectories' tool schemas come first: they say how the tools are today.
    demoted = record_tool_schemas(registry, source.schemas.values())

    started = time.perf_counter()
    stored = _stored_learning(registry)
    result, unchanged = _synthesize_by_domain(collected, registry, options, stored)
    seconds["synthesize"] = time.perf_counter() - started

    by_id = {tid: t for domain in collected for tid, t in domain.originals.items()}
    if result.skills:  # the runs that taught guards their lessons are kept with the samples
        for domain in collected:
            for taught in domain.lessons:
                registry.record_trajectory(dump_native(taught), source="learning")
    families = {unit: domain for domain in collected for unit in domain.members}
    started = time.perf_counter()
    # Storing is quick and keeps version numbers in a stable order; gating is slow (one sandbox
    # worker per verification) and independent per skill, so it runs ``jobs`` at a time.
    versions = [_store(registry, skill, by_id, families) for skill in result.skills]
    total = len(result.skills)
    finished = 0
    lock = threading.Lock()

    def gate(skill: SynthesizedSkill, version: int) -> LearnedSkill:
        nonlocal finished
        outcome = run_gates(
            registry,
            skill.name,
            version=version,
            tool_schemas=skill.tool_schemas,
            cases=skill.replay_cases,
            settings=settings,
            executor=executor,
        )
        if progress is not None:
            with lock:
                finished += 1
                progress(skill.name, finished, total)
        return LearnedSkill(
            name=skill.name,
            version=outcome.version,
            state=outcome.state,
            source_trajectories=skill.source_trajectories,
            gate=outcome,
        )

    if progress is not None:
        progress("", 0, total)
    workers = max(1, jobs if jobs is not None else min(4, os.cpu_count() or 1))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gate")
    try:
        learned = list(pool.map(gate, result.skills, versions))
    except BaseException:
        # Ctrl-C (or a failure): gates not yet started never start; running ones finish within
        # their sandbox limits, so what they record is whole.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    superseded = _supersede(registry, learned, stored, standing=unchanged)
    seconds["check_and_verify"] = time.perf_counter() - started
    return LearnReport(
        skills=tuple(learned),
        unexplained=result.unexplained,
        problems=files.problems,
        trajectories=source.chosen + source.kept_used,
        seconds=seconds,
        kept=source.kept_used,
        demoted=tuple(f"{record.name} v{record.version}" for record in demoted),
        effects=result.effects,
        stats=dict(result.stats),
        unexplained_counts=dict(result.unexplained_counts),
        unchanged=unchanged,
        superseded=superseded,
    )


LEARNING_ACTOR = "skillbank.learn"


def _supersede(
    registry: Registry,
    learned: Sequence[LearnedSkill],
    stored: Mapping[str, _LearnedFrom],
    *,
    standing: Collection[str],
) -> tuple[Superseded, ...]:
    """Retire the stored skills whose every family a passed skill of this run learned from.

    Learning again after a new way in merges the families of an older skill into a skill with
    another name (``renew_loan_by_card`` becomes ``renew_loan_by_card_or_email``); left standing,
    the older one would compete with it for every task of that intent. The same holds for a
    skill learned from the very same families under another name (naming changes between
    releases). ``stored`` is what the registry held before this run (read once, at its start).
    """
    learned_names = {skill.name for skill in learned}
    passed = [skill for skill in learned if skill.gate.passed]
    if not passed:
        return ()
    families = {
        skill.name: _families_of(registry.get(skill.name, version=skill.version))
        for skill in passed
    }
    found = []
    for name, before in stored.items():
        if name in learned_names or name in standing:
            continue
        by = [s for s in passed if before.texts and before.texts <= families[s.name]]
        record = current_version(registry, name) if by else None
        if record is None or record.state not in {State.VERIFIED, State.PROMOTED}:
            continue
        successor = by[0]
        deprecated = record.state is State.VERIFIED
        if deprecated:
            registry.deprecate(
                record.name,
                version=record.version,
                actor=LEARNING_ACTOR,
                reason=(
                    f"superseded by {successor.name} v{successor.version}, learned from every "
                    "procedure this skill was learned from"
                ),
            )
        found.append(
            Superseded(record.name, record.version, successor.name, successor.version, deprecated)
        )
    return tuple(found)


def _families_of(record: VersionRecord) -> frozenset[str]:
    """The families (keys as text) a synthesized version was learned from."""
    details = record.provenance.details
    texts = details.get("families")
    if isinstance(texts, list):
        return frozenset(str(text) for text in texts)
    one = details.get("family")
    return frozenset({one}) if isinstance(one, str) else frozenset()


class _LearningSet:
    """What a run learns from, re-read on every pass: the given trajectories of the split, then
    the kept ones not given again. Holds no trajectory itself beyond the kept ones (the samples
    earlier runs stored); counts and the first schema of every tool describe the last pass.
    """

    def __init__(
        self,
        given: Sequence[Iterable[Trajectory]],
        *,
        split: str | None,
        kept: Sequence[Trajectory],
    ) -> None:
        self.sources = given
        self.split = split
        self.kept = kept
        self.given = self.chosen = self.kept_used = 0
        self.schemas: dict[str, ToolSchema] = {}

    def __iter__(self) -> Iterator[Trajectory]:
        kept_ids = {t.id for t in self.kept}
        given = chosen = 0
        present: set[str] = set()
        again: set[str] = set()
        schemas: dict[str, ToolSchema] = {}
        for source in self.sources:
            for trajectory in source:
                given += 1
                if self.split is not None and trajectory.split != self.split:
                    if trajectory.split is not None and len(present) < 100:
                        present.add(trajectory.split)
                    continue
                chosen += 1
                if trajectory.id in kept_ids:
                    again.add(trajectory.id)
                for schema in trajectory.tool_schemas:
                    schemas.setdefault(schema.name, schema)
                yield trajectory
        if given and not chosen:
            raise split_missing(self.split, present)
        used = 0
        for trajectory in self.kept:
            if trajectory.id not in again:
                used += 1
                for schema in trajectory.tool_schemas:
                    schemas.setdefault(schema.name, schema)
                yield trajectory
        self.given, self.chosen, self.kept_used, self.schemas = given, chosen, used, schemas


def _synthesize_by_domain(
    collected: Sequence[Collected],
    registry: Registry,
    options: SynthesisOptions,
    stored: Mapping[str, _LearnedFrom],
) -> tuple[SynthesisResult, tuple[str, ...]]:
    """Synthesize each domain on its own; names stay unique across domains and the registry.

    Families that gained nothing since a stored skill was learned from them are left out, and
    those skills (returned second) stand as they are: see ``_unchanged_families``.
    """
    skills: list[SynthesizedSkill] = []
    unexplained: list[Unexplained] = []
    counts: Counter[str] = Counter()
    stats: Counter[str] = Counter()
    taken: set[str] = set()
    effects = EffectTable()
    unchanged: set[str] = set()
    for domain in collected:
        standing, same = _unchanged_families(domain, stored)
        unchanged |= standing
        if same:
            families = tuple(f for f in domain.families if family_key_text(f.key) not in same)
            domain = replace(domain, families=families)
        domain_options = replace(options, taken_names=frozenset(taken))
        result = synthesize_collected(domain, options=domain_options)
        foreign = _foreign_names(registry, result.skills)
        if foreign:  # a name the registry gives to another procedure: synthesize around it
            again = replace(domain_options, taken_names=frozenset(taken | foreign))
            result = synthesize_collected(domain, options=again)
        skills += result.skills
        unexplained += result.unexplained
        counts.update(result.unexplained_counts)
        stats.update(result.stats)
        stats["families_unchanged"] += len(same)
        effects = effects.merged(result.effects)
        taken |= {skill.name for skill in result.skills}
    unexplained.sort(key=lambda item: (item.trajectory_id, item.reason))
    result = SynthesisResult(
        tuple(skills), tuple(unexplained), dict(stats), effects, unexplained_counts=dict(counts)
    )
    return result, tuple(sorted(unchanged))


@dataclass(frozen=True)
class _LearnedFrom:
    """What a stored skill's current version was synthesized from (see ``collect``)."""

    texts: frozenset[str]
    """Its families, by key as text (a merged skill has several)."""
    families: frozenset[str] | None
    """Their digests; None when this synthesizer did not record them (they are not trusted)."""
    neighbours: frozenset[str] | None
    """The digests of every family of its domain then whose writes met the skill's: those it
    could merge with."""


def _stored_learning(registry: Registry) -> dict[str, _LearnedFrom]:
    """Skill → what its current version was learned from, for every synthesized skill.

    Digests are kept only from versions of this synthesizer that recorded both lists (earlier
    releases kept one digest per merged skill): the other skills are synthesized again, never
    trusted on half the evidence.
    """
    found: dict[str, _LearnedFrom] = {}
    for summary in registry.list_skills():
        record = current_version(registry, summary.name)
        if record is None or record.provenance.synthesizer != SYNTHESIZER:
            continue
        details = record.provenance.details
        ours = record.provenance.synthesizer_version == SYNTHESIZER_VERSION
        found[summary.name] = _LearnedFrom(
            _families_of(record),
            _digest_list(details.get("family_digests")) if ours else None,
            _digest_list(details.get("family_neighbours")) if ours else None,
        )
    return found


def _digest_list(value: object) -> frozenset[str] | None:
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return frozenset(value)
    return None


def _unchanged_families(
    domain: Collected, learned_from: Mapping[str, _LearnedFrom]
) -> tuple[set[str], set[str]]:
    """The stored skills of ``domain`` that stand as they are, and the families they hold.

    A skill stands when every family it was learned from (a merged skill has several) has the
    digest it had then, and every family now meeting its writes met them then with the same
    digest: merging joins plans with the same changes (or, without changes, the same last call),
    so a new or changed family there could join the skill, and a new way in must not come out as
    a skill of its own beside it. Families that gave no skill but were there before (too rare, or
    not mergeable) leave it standing.
    """
    text_of = {size.digest: text for text, size in domain.sizes.items()}
    writes_of = _family_writes(domain)
    standing: dict[str, set[str]] = {}
    for name, learned in learned_from.items():
        if learned.families is None or learned.neighbours is None:
            continue
        if not learned.families <= text_of.keys():
            continue
        texts = {text_of[digest] for digest in learned.families}
        writes = set().union(*(writes_of[text] for text in texts))
        meeting = {digest for digest, text in text_of.items() if writes_of[text] & writes}
        if meeting <= learned.neighbours:
            standing[name] = texts
    return set(standing), set().union(*standing.values())


def _family_writes(domain: Collected) -> dict[str, set[str]]:
    """Each family (key as text) → what it changes (its context writes are ways in), else its
    last call: what merging compares, so families that could merge share one of these."""
    found = {}
    for family in domain.families:
        tools = [part for part in family.key if not part.startswith("-> ")]
        effects = domain.effects
        writes = {tool for tool in tools if effects.is_write(tool) and not effects.is_context(tool)}
        found[family_key_text(family.key)] = writes or set(tools[-1:]) or set(family.key)
    return found


def _foreign_names(registry: Registry, skills: Sequence[SynthesizedSkill]) -> set[str]:
    """Names of new skills that the registry already gives to a different procedure.

    A stored skill is the same procedure when it was learned from at least one of the new skill's
    trajectories (learning is incremental, so a family keeps its traces); otherwise reusing its
    name would file an unrelated procedure as a new version of it.
    """
    foreign = set()
    for skill in skills:
        record = current_version(registry, skill.name)
        if record is None:
            continue
        stored = {ref.id for ref in record.provenance.source_trajectories}
        if not stored & set(skill.source_trajectories):
            foreign.add(skill.name)
    return foreign


def _store(
    registry: Registry,
    skill: SynthesizedSkill,
    by_id: dict[str, Trajectory],
    families: dict[str, Collected],
) -> int:
    """Add the skill as a version (dedup by content hash) with its regression cases; its number.

    Its provenance names the trajectories of its family's sample it was learned from, and says
    how many units the whole family had and its digest (see ``collect``).
    """
    signature = signature_of(skill.source)
    schema = {
        "parameters": signature.parameters_schema,
        "returns": signature.returns_schema,
    }
    current = current_version(registry, skill.name)
    parent = None if current is None else current.version
    sources = [by_id[tid] for tid in dict.fromkeys(skill.source_trajectories) if tid in by_id]
    record = registry.add_version(
        skill.name,
        source=skill.source,
        schema=schema,
        summary=skill.summary,
        docstring=signature.description,
        tools=skill.tools,
        provenance=Provenance(
            synthesizer=SYNTHESIZER,
            synthesizer_version=SYNTHESIZER_VERSION,
            # The registry derives the refs (id and digest) from the trajectories it stores, so
            # the provenance names exactly the records kept beside it.
            parent_version=parent,
            details={
                "effects": dict(skill.effects),
                "procedure": skill.family_key,
                **_family_details(skill, families),
            },
        ),
        trajectories=[dump_native(t) for t in sources],
    )
    known_ids = {case.case.get("trajectory_id") for case in registry.regression_cases(skill.name)}
    for case in skill.replay_cases:
        if case.trajectory_id not in known_ids:
            registry.add_regression_case(skill.name, case.to_json(), version=record.version)
    return record.version


def _family_details(skill: SynthesizedSkill, families: dict[str, Collected]) -> dict[str, Any]:
    """The families a skill was learned from (several, when ways in were merged): their keys and
    digests, their counts summed, and the digests of its neighbours (every family of the domain
    whose writes meet the skill's, itself included: see ``_unchanged_families``)."""
    found: dict[str, FamilyCount] = {}
    first = None
    domain = None
    for case in skill.replay_cases:
        holder = families.get(case.trajectory_id)
        if holder is None:
            continue
        domain = holder
        text = domain.members[case.trajectory_id]
        first = first or text
        found.setdefault(text, domain.sizes[text])
    if first is None or domain is None:
        return {}
    writes_of = _family_writes(domain)
    writes = set().union(*(writes_of[text] for text in found))
    sizes = [found[text] for text in sorted(found)]
    return {
        "family": first,
        "families": sorted(found),
        "family_digests": [size.digest for size in sizes],
        "family_neighbours": sorted(
            size.digest for text, size in domain.sizes.items() if writes_of[text] & writes
        ),
        "family_units": sum(size.units for size in sizes),
        "family_trusted": sum(size.trusted for size in sizes),
        "family_sampled": sum(size.sampled for size in sizes),
    }


def evaluate_stored(
    paths: Iterable[str | PathLike[str]] = (),
    *,
    registry: Registry,
    trajectories: Sequence[Trajectory] = (),
    split: str | None = None,
    states: Sequence[str] | None = None,
    progress: Progress | None = None,
    declared: Declared = Declared(),  # noqa: B008 - frozen value, safe as a default
) -> tuple[EvaluationReport, ImportReport]:
    """Replay held-out trajectories against the current versions of the stored skills, and
    against the raw-trajectory baseline of the training runs the registry keeps.

    Args:
        paths: Held-out trajectory files.
        registry: The skills to evaluate.
        trajectories: Held-out trajectories already in memory, evaluated with the files'.
        split: Evaluate only trajectories of this split (e.g. ``test``).
        states: Only skills in these states (default: every state but rejected and deprecated).
        progress: Called as each trajectory is replayed.
        declared: Tool effects the user states; they decide over what the skills were learned
            with and over what the held-out traces show.
    """
    files = list(paths)
    imported = load_trajectories(files) if files else ImportReport((), (), {})
    chosen = select_split([*imported.trajectories, *trajectories], split)
    wanted = set(states) if states is not None else None
    skills = []
    for summary in registry.list_skills():
        state = str(summary.state)
        if wanted is not None and state not in wanted:
            continue
        if wanted is None and state in {"rejected", "deprecated"}:
            continue
        skills.append(registry.get(summary.name))
    effects = stored_effects(skills)
    named = declared.writes | declared.reads | declared.context
    if named:
        stated = infer_by_domain(chosen, declared=declared).restricted(named)
        effects = stated.merged(effects)
    # The baseline replays the runs the skills were learned from (kept by learning runs).
    training = _stored_learning_set(registry, recorded=False)
    report = evaluate(skills, chosen, progress=progress, effects=effects, training=training)
    return report, imported


def stored_effects(versions: Iterable[VersionRecord]) -> EffectTable:
    """The tool effects the given versions were learned with (kept in their provenance).

    Where two versions decided a tool differently, the later version (the newest learning run)
    is kept.
    """
    decided: dict[str, ToolEffect] = {}
    for version in sorted(versions, key=lambda v: (v.created_at, v.name)):
        found = version.provenance.details.get("effects")
        if not isinstance(found, dict):
            continue
        for tool, data in found.items():
            try:
                decided[str(tool)] = ToolEffect.from_json(data)
            except (KeyError, TypeError, ValueError):
                continue  # a hand-edited or foreign provenance: the traces decide instead
    return EffectTable(decided)
