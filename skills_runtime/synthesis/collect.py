"""Collecting: trajectories in, one at a time; per family a bounded sample and its counts.

Synthesis needs little of each trajectory once it has seen it: the procedures (units) it holds,
counted into their families, and some counts of what its tools answered. So trajectories stream
through, in two passes over the source:

1. **Evidence.** Every trajectory's tools join a domain (tools called together are one
   application, see :mod:`~skills_runtime.trajectory.domains`) and what it shows of them is
   added to that domain's :class:`~skills_runtime.effects.infer.Observations`; once all are seen,
   each domain's effects are decided.
2. **Units.** Every trajectory is lifted with its domain's effects and cut into units (see
   ``group``); each unit is counted into its family. A family keeps its counts (units, trusted,
   by outcome) and a **sample**: the ``SAMPLE_SIZE`` units with the smallest unit digests
   (sha256 of the trajectory's digest and the unit's id), which is the same set whatever order the
   trajectories come in. Anti-unification runs on the sample. Result fields are counted with a
   bound too (``FIELD_VALUES`` values per field, the smallest; more than that is *many*, which is
   all a categorical test needs), and what stays unexplained is counted per reason with a few
   examples.

Memory is bounded by the number of families and tools, not by the number of trajectories. Where
a family has at most ``SAMPLE_SIZE`` units, its sample is all of them and synthesis is exactly
what it would be with every trajectory in memory. Each family also gets a **digest** of what its
skill is made from (its key, its sample and which units are trusted, the effects, schemas and
field statistics of its tools, the minimum size): a learning run whose family digest equals the
stored one has nothing new to learn for it.

A one-shot iterator is read into memory first (it cannot be read twice); give a re-iterable
source (a list, :class:`~skills_runtime.trajectory.loader.TrajectoryFiles`) to stream.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from skills_runtime.effects import EffectTable
from skills_runtime.effects.infer import Observations
from skills_runtime.errors import InvalidInput
from skills_runtime.synthesis.antiunify import FieldStats, field_stats
from skills_runtime.synthesis.group import Family, Unit, family_key_text, split_unit, units_of
from skills_runtime.synthesis.lift import lift
from skills_runtime.synthesis.model import SynthesisOptions, Unexplained
from skills_runtime.synthesis.outcomes import judge_request
from skills_runtime.trajectory.model import ToolSchema, Trajectory, canonical_json

__all__ = [
    "EXAMPLES_PER_REASON",
    "FIELD_VALUES",
    "SAMPLE_SIZE",
    "Collected",
    "FamilyCount",
    "UnexplainedTally",
    "collect",
]

SAMPLE_SIZE = 256
"""Units a family keeps for anti-unification (and replay cases); the rest are counted."""

FIELD_VALUES = 32
"""Distinct values counted per result field; more is *many* (far above a categorical field's)."""

LESSONS = 2
"""Values kept per (write, read, field) refusal: ``FieldStats.refused`` only ever answers with
the smallest two (the smallest that differs from the value the guard expects)."""

EXAMPLES_PER_REASON = 50
"""Unexplained units kept as examples per reason (the smallest ids); all are counted."""

Order = tuple[str, str]


@dataclass(frozen=True)
class FamilyCount:
    """What a family saw, beyond its sample."""

    units: int
    trusted: int
    outcomes: Mapping[str, int]
    sampled: int
    digest: str

    def to_json(self) -> dict[str, object]:
        return {
            "units": self.units,
            "trusted": self.trusted,
            "outcomes": dict(self.outcomes),
            "sampled": self.sampled,
            "digest": self.digest,
        }


class UnexplainedTally:
    """Unexplained units counted per reason, with the ``limit`` smallest ids of each as examples."""

    def __init__(self, *, limit: int | None = None) -> None:
        self.limit = EXAMPLES_PER_REASON if limit is None else limit
        self.counts: Counter[str] = Counter()
        self._examples: dict[str, list[tuple[_Desc, int, Unexplained]]] = {}
        self._ticket = itertools.count()

    def add(self, item: Unexplained) -> None:
        self.counts[item.reason] += 1
        kept = self._examples.setdefault(item.reason, [])
        entry = (_Desc(item.trajectory_id), next(self._ticket), item)
        if len(kept) < self.limit:
            heapq.heappush(kept, entry)
        elif item.trajectory_id < kept[0][2].trajectory_id:
            heapq.heapreplace(kept, entry)

    def copy(self) -> UnexplainedTally:
        """A tally of its own with the same counts and examples."""
        twin = UnexplainedTally(limit=self.limit)
        twin.counts = Counter(self.counts)
        twin._examples = {reason: list(kept) for reason, kept in self._examples.items()}
        twin._ticket = itertools.count(next(self._ticket))
        return twin

    def extend(self, items: Iterable[Unexplained]) -> None:
        for item in items:
            self.add(item)

    @property
    def examples(self) -> tuple[Unexplained, ...]:
        """The kept examples, ordered by id then reason."""
        found = [item for kept in self._examples.values() for _, _, item in kept]
        return tuple(sorted(found, key=lambda item: (item.trajectory_id, item.reason)))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class _Desc:
    """A string that orders in reverse, so a min-heap keeps the largest at its top."""

    text: str

    def __lt__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.text > other.text


@dataclass(frozen=True)
class Collected:
    """One domain, collected: what the back half of synthesis needs, bounded."""

    families: tuple[Family, ...]
    effects: EffectTable
    stats: FieldStats
    schemas: Mapping[str, ToolSchema]
    trusted: frozenset[str]
    unexplained: UnexplainedTally
    counts: Mapping[str, int]
    sizes: Mapping[str, FamilyCount]
    """Per family (its key as text): counts and digest."""
    members: Mapping[str, str]
    """Sampled unit id → its family's key as text."""
    originals: Mapping[str, Trajectory]
    """Sampled trajectories as given (before effects marked them), by id."""
    lessons: tuple[Trajectory, ...] = ()
    """Trajectories that teach what the samples alone do not: those whose failed writes teach the
    lessons kept in ``stats.refusals``, and the one that gave each tool its schema. Kept with the
    samples, so a run over kept trajectories knows the same lessons and describes every tool the
    same way (a family's digest covers its tools' schemas)."""


class _ValueCounts:
    """Exact counts of the ``limit`` smallest values seen, and whether there were more.

    A value among the smallest at the end was among the smallest at every moment it was seen,
    so it was never dropped: its count is exact, whatever order values came in.
    """

    __slots__ = ("counts", "largest", "limit")

    def __init__(self, limit: int) -> None:
        self.counts: dict[str, int] = {}
        self.limit = limit
        self.largest: str | None = None

    def add(self, value: str, times: int) -> None:
        counts = self.counts
        if value in counts:
            counts[value] += times
            return
        if len(counts) < self.limit:
            counts[value] = times
            self.largest = None
            return
        largest = self.largest if self.largest is not None else max(counts)
        if value < largest:
            del counts[largest]
            counts[value] = times
            self.largest = None
        else:
            self.largest = largest


class _FamilyTally:
    """One family: its counts, the multiset of its unit digests, and its bounded sample."""

    def __init__(self) -> None:
        self.units = 0
        self.trusted = 0
        self.wholes = 0
        self.outcomes: Counter[str] = Counter()
        self._heap: list[tuple[int, int, _Member]] = []
        self._ticket = itertools.count()

    def add(self, member: _Member, limit: int) -> None:
        self.units += 1
        self.trusted += member.trusted
        self.wholes += member.whole
        self.outcomes[member.outcome] += 1
        entry = (-member.rank, next(self._ticket), member)
        if len(self._heap) < limit:
            heapq.heappush(self._heap, entry)
        elif member.rank < -self._heap[0][0]:
            heapq.heapreplace(self._heap, entry)

    @property
    def sample(self) -> list[_Member]:
        return [member for _, _, member in self._heap]


@dataclass(frozen=True)
class _Member:
    unit: Unit
    digest: str
    trusted: bool
    whole: bool
    """A unit of joined writes that was also split into parts: left out if its family is rare."""
    original: Trajectory
    outcome: str

    @property
    def rank(self) -> int:
        return int(self.digest[:32], 16)


class _Domain:
    """Everything pass 2 gathers for one domain."""

    def __init__(self, effects: EffectTable, options: SynthesisOptions) -> None:
        self.effects = effects
        self.context = frozenset(effect.tool for effect in effects if effect.context)
        self.options = options
        self.schemas: dict[str, tuple[Order, ToolSchema, Trajectory]] = {}
        self.values: dict[tuple[str, str], _ValueCounts] = {}
        self.refusals: dict[tuple[str, str, str], dict[str, tuple[Order, str, Trajectory]]] = {}
        self.families: dict[tuple[str, ...], _FamilyTally] = {}
        self.unexplained = UnexplainedTally()
        self.trajectories = 0
        self.units = 0
        self.dropped = 0
        self.outcomes: Counter[str] = Counter()

    def add(self, given: Trajectory, order: Order) -> None:
        trace = lift(self.effects.apply(given), digest=order[1], context=self.context)
        self.trajectories += 1
        self.dropped += len(trace.dropped)
        for schema in trace.trajectory.tool_schemas:
            held = self.schemas.get(schema.name)
            if held is None or order < held[0]:
                self.schemas[schema.name] = (order, schema, given)
        self._count_fields(field_stats([trace]), order, given)
        found = units_of(trace)
        if not found:
            failed = len(trace.dropped)
            calls = "call" if failed == 1 else "calls"
            note = f" ({failed} failed or unreadable {calls} dropped)" if failed else ""
            self.unexplained.add(
                Unexplained(
                    given.id, f"no successful write and no answer read{note}: nothing to learn"
                )
            )
        for unit in found:
            verdict = judge_request(trace.trajectory, unit.write.turn)
            outcome = verdict.outcome.value if verdict.recorded else "unknown"
            self.outcomes[outcome] += 1
            if not verdict.learnable:
                self.unexplained.add(
                    Unexplained(unit.unit_id, f"not learned from: {verdict.because}")
                )
                continue
            self.units += 1
            parts = split_unit(unit)
            whole = parts != (unit,)
            self._join(unit, verdict.trusted, whole, given, outcome)
            if whole:  # its parts also join the one-write families (see ``engine``)
                for part in parts:
                    self._join(part, verdict.trusted, False, given, outcome)

    def _join(
        self, unit: Unit, trusted: bool, whole: bool, given: Trajectory, outcome: str
    ) -> None:
        digest = hashlib.sha256(f"{unit.trace.digest}\0{unit.unit_id}".encode()).hexdigest()
        member = _Member(unit, digest, trusted, whole, given, outcome)
        family = self.families.get(unit.key)
        if family is None:
            family = self.families[unit.key] = _FamilyTally()
        family.add(member, max(SAMPLE_SIZE, self.options.min_family_size))

    def _count_fields(self, stats: FieldStats, order: Order, given: Trajectory) -> None:
        for key, counts in stats.counts.items():
            kept = self.values.get(key)
            if kept is None:
                kept = self.values[key] = _ValueCounts(FIELD_VALUES)
            for value, times in counts.items():
                kept.add(value, times)
        for lesson, errors in stats.refusals.items():
            known = self.refusals.setdefault(lesson, {})
            for value, error in errors.items():
                held = known.get(value)
                if held is None or order < held[0]:
                    known[value] = (order, error, given)
            if len(known) > LESSONS:  # only the smallest values ever answer ``refused``
                for value in sorted(known)[LESSONS:]:
                    del known[value]

    def finish(self) -> Collected:
        min_size = self.options.min_family_size
        stats = FieldStats(
            {key: dict(kept.counts) for key, kept in self.values.items()},
            {
                key: {v: error for v, (_, error, _) in known.items()}
                for key, known in self.refusals.items()
            },
        )
        schemas = {name: schema for name, (_, schema, _) in sorted(self.schemas.items())}
        families: list[Family] = []
        sizes: dict[str, FamilyCount] = {}
        members: dict[str, str] = {}
        originals: dict[str, Trajectory] = {}
        trusted: set[str] = set()
        for key in sorted(self.families):
            tally = self.families[key]
            sample = tally.sample
            units, sure, outcomes = tally.units, tally.trusted, Counter(tally.outcomes)
            if units < min_size and tally.wholes:
                # Joined writes too rare for a skill give way to their parts (every unit of a
                # family this small is in its sample).
                sample = [member for member in sample if not member.whole]
                units = len(sample)
                sure = sum(member.trusted for member in sample)
                outcomes = Counter(member.outcome for member in sample)
            if not sample:
                continue
            sample.sort(key=lambda m: (m.unit.unit_id, m.unit.trace.digest))
            family = Family(key, tuple(member.unit for member in sample))
            families.append(family)
            text = family_key_text(key)
            digest = self._digest(family, sample, stats, schemas)
            sizes[text] = FamilyCount(units, sure, dict(outcomes), len(sample), digest)
            for member in sample:
                members.setdefault(member.unit.unit_id, text)
                originals.setdefault(member.unit.trajectory_id, member.original)
                if member.trusted:
                    trusted.add(member.unit.unit_id)
        counts = {
            "trajectories": self.trajectories,
            "units": self.units,
            "families": len(families),
            "dropped_calls": self.dropped,
            **{f"units_{outcome}": self.outcomes[outcome] for outcome in sorted(self.outcomes)},
        }
        lessons = {
            taught.id: taught for known in self.refusals.values() for _, _, taught in known.values()
        }
        lessons.update((given.id, given) for _, _, given in self.schemas.values())
        return Collected(
            families=tuple(families),
            effects=self.effects,
            stats=stats,
            schemas=schemas,
            trusted=frozenset(trusted),
            unexplained=self.unexplained,
            counts=counts,
            sizes=sizes,
            members=members,
            originals=originals,
            lessons=tuple(lessons[tid] for tid in sorted(lessons)),
        )

    def _digest(
        self,
        family: Family,
        sample: list[_Member],
        stats: FieldStats,
        schemas: Mapping[str, ToolSchema],
    ) -> str:
        """What the family's skill is made of (see the module docstring), as a sha256."""
        tools = sorted(set(family.key) - {"-> answer"})
        decided = {tool: self.effects.get(tool) for tool in tools}
        writes = [tool for tool in tools if self.effects.is_write(tool)]
        categorical = sorted(
            f"{tool}.{name}"
            for (tool, name) in stats.counts
            if tool in decided and stats.categorical(tool, name)
        )
        lessons = sorted(
            (write, tool, name, sorted(errors.items())[:2])
            for (write, tool, name), errors in stats.refusals.items()
            if write in writes and tool in decided
        )
        payload = {
            "key": list(family.key),
            "sample": sorted([member.digest, member.trusted] for member in sample),
            "min_family_size": self.options.min_family_size,
            "effects": {
                tool: None if effect is None else [effect.effect.value, effect.context]
                for tool, effect in decided.items()
            },
            "schemas": {
                tool: [schemas[tool].description, dict(schemas[tool].parameters)]
                for tool in tools
                if tool in schemas
            },
            "categorical": categorical,
            "refusals": lessons,
        }
        return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


class _Domains:
    """Tools joined into domains as trajectories arrive, each with its observations."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.observed: dict[str, Observations] = {}
        self.callless = Observations()

    def root(self, tool: str) -> str:
        parent = self.parent
        while parent.setdefault(tool, tool) != tool:
            parent[tool] = parent[parent[tool]]
            tool = parent[tool]
        return tool

    def add(self, trajectory: Trajectory, order: Order, *, observe: bool) -> None:
        names = sorted({call.name for call in trajectory.calls})
        if not names:
            if observe:
                self.callless.add(trajectory, order)
            return
        first = self.root(names[0])
        for name in names[1:]:
            other = self.root(name)
            if other != first:
                self.parent[other] = first
                moved = self.observed.pop(other, None)
                if moved is not None:
                    self.observed.setdefault(first, Observations()).merge(moved)
        if observe:
            self.observed.setdefault(first, Observations()).add(trajectory, order)

    def of(self, trajectory: Trajectory) -> str:
        """The domain (its root tool) of a trajectory; ``""`` for one without calls."""
        first = min((call.name for call in trajectory.calls), default=None)
        return "" if first is None else self.root(first)

    def ordered(self) -> list[str]:
        """Domains by their first tool name; the one of trajectories without calls last."""
        firsts: dict[str, str] = {}
        for tool in self.parent:
            root = self.root(tool)
            if root not in firsts or tool < firsts[root]:
                firsts[root] = tool
        return sorted(firsts, key=lambda root: (firsts[root], root))


def _passes(trajectories: Iterable[Trajectory]) -> Iterable[Trajectory]:
    """The source itself when it can be read again, else its trajectories in a list."""
    if isinstance(trajectories, Iterator):
        return list(trajectories)
    return trajectories


def collect(
    trajectories: Iterable[Trajectory],
    *,
    options: SynthesisOptions = SynthesisOptions(),  # noqa: B008 - a frozen value, never mutated
    by_domain: bool = False,
) -> list[Collected]:
    """Stream trajectories into families, in two passes (see the module docstring).

    Args:
        trajectories: The trajectories; read twice unless ``options.effects`` is given (and
            not ``by_domain``).
        options: Minimum family size, declared or already decided effects.
        by_domain: One result per domain (tools called together), in a stable order; else
            one result for everything.

    Returns:
        The collected domains (one when not ``by_domain``; none for no trajectories by domain).
    """
    source = _passes(trajectories)
    domains = _Domains()
    decided: dict[str, EffectTable] = {}
    if options.effects is None or by_domain:
        observe = options.effects is None
        everything = Observations()
        for trajectory in source:
            order = (trajectory.id, "")
            if by_domain:
                domains.add(trajectory, order, observe=observe)
            else:
                everything.add(trajectory, order)
        if not by_domain:
            decided[""] = everything.decide(declared=options.declared)
        elif options.effects is not None:
            decided = dict.fromkeys([*domains.ordered(), ""], options.effects)
        else:
            for root in domains.ordered():
                observed = domains.observed.get(root, Observations())
                decided[root] = observed.decide(declared=options.declared)
            decided[""] = domains.callless.decide(declared=options.declared)
    else:
        decided[""] = options.effects
    if not by_domain:
        single = _Domain(decided[""], options)
        for trajectory in source:
            single.add(trajectory, (trajectory.id, trajectory.digest()))
        return [single.finish()]
    tallies: dict[str, _Domain] = {}
    for trajectory in source:
        root = domains.of(trajectory)
        tally = tallies.get(root)
        if tally is None:
            if root not in decided:
                raise InvalidInput(
                    f"trajectory {trajectory.id!r} calls tools the first reading of the source "
                    "did not show: the source must give the same trajectories on every reading"
                )
            tally = tallies[root] = _Domain(decided[root], options)
        tally.add(trajectory, (trajectory.id, trajectory.digest()))
    return [tallies[root].finish() for root in [*domains.ordered(), ""] if root in tallies]
