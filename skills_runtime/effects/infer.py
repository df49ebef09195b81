"""Deciding every tool's effect from every signal a user has, combined and explained.

Each signal is weighed evidence (see :class:`~skills_runtime.effects.model.Evidence`):

========================  ======================================================  ===========
signal                    what                                                    weight
========================  ======================================================  ===========
``declared``              ``--writes``/``--reads``, a config file, the toolset    decisive
``label``                 ``mutates_db`` on calls, ``x_mutates_db`` on schemas   8
``annotation``            MCP ``readOnlyHint`` (6), ``destructiveHint`` (3)       3–6
``name``                  the first verb of the tool's name                       3
``description``           its first verb (2), a read-only phrase (4)              2–4
``behaviour``             re-reads that changed, repeats, answers fed forward     up to 4
``parameters``            free text to store, or paging and filters               1
========================  ======================================================  ===========

The score is the sum (write positive); a tool with a positive score writes, a negative one reads.
A tool nothing speaks for is taken as a write: a skill then replays its calls exactly, which
costs a call where a read would have been dropped, but never silently drops a change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from skills_runtime.effects.behaviour import BehaviourTally, Order
from skills_runtime.effects.lexicon import (
    description_evidence,
    is_context_tool,
    is_handoff,
    name_evidence,
    parameter_evidence,
)
from skills_runtime.effects.model import DECISIVE, Effect, EffectTable, Evidence, ToolEffect
from skills_runtime.errors import InvalidInput
from skills_runtime.trajectory.domains import domains
from skills_runtime.trajectory.model import ToolSchema, Trajectory

__all__ = ["Declared", "Observations", "declared_from", "infer_by_domain", "infer_effects"]

_LABEL_WEIGHT = 8.0


@dataclass(frozen=True, kw_only=True)
class Declared:
    """Effects a user states outright; they decide whatever the other signals say.

    Args:
        writes: Tools that change state.
        reads: Tools that only answer.
        context: Tools that set what later calls act on (a directory, a login); they are writes.
        source: Where the declaration came from, for the evidence (``--writes``, a file).
    """

    writes: frozenset[str] = frozenset()
    reads: frozenset[str] = frozenset()
    context: frozenset[str] = frozenset()
    source: str = "declared"

    def __post_init__(self) -> None:
        both = self.reads & (self.writes | self.context)
        if both:
            raise InvalidInput(
                f"{self.source}: {sorted(both)} declared both as reads and as writes; "
                "declare each tool once"
            )

    def merged(self, other: Declared) -> Declared:
        """This declaration with ``other`` filling in the tools it does not name."""
        named = self.writes | self.reads | self.context
        return Declared(
            writes=self.writes | (other.writes - named),
            reads=self.reads | (other.reads - named),
            context=self.context | (other.context - named),
            source=other.source if not named else f"{self.source}, {other.source}",
        )

    def effect_of(self, tool: str) -> Effect | None:
        if tool in self.writes or tool in self.context:
            return Effect.WRITE
        if tool in self.reads:
            return Effect.READ
        return None


def _annotation_evidence(schema: ToolSchema | None) -> list[Evidence]:
    hints = schema.annotations if schema is not None else {}
    found: list[Evidence] = []
    read_only = hints.get("readOnlyHint")
    if read_only is True:
        found.append(Evidence("annotation", Effect.READ, 6.0, "MCP readOnlyHint is true"))
    elif read_only is False:
        found.append(Evidence("annotation", Effect.WRITE, 6.0, "MCP readOnlyHint is false"))
    if hints.get("destructiveHint") is True and read_only is not True:
        found.append(Evidence("annotation", Effect.WRITE, 3.0, "MCP destructiveHint is true"))
    return found


def _static_evidence(
    tool: str,
    schema: ToolSchema | None,
    labels: Counter[bool] | None,
    declared: Declared,
) -> list[Evidence]:
    found: list[Evidence] = []
    stated = declared.effect_of(tool)
    if stated is not None:
        found.append(Evidence("declared", stated, DECISIVE, f"declared by {declared.source}"))
    if labels:
        for says, count in sorted(labels.items()):
            effect = Effect.WRITE if says else Effect.READ
            word = "changing" if says else "not changing"
            found.append(
                Evidence(
                    "label",
                    effect,
                    _LABEL_WEIGHT,
                    f"{count} recorded mark{'s' if count != 1 else ''} say it is {word} the data "
                    "(mutates_db)",
                )
            )
    found += _annotation_evidence(schema)
    description = schema.description if schema is not None else ""
    named = name_evidence(tool, description)
    if named is not None:
        found.append(named)
    if not is_handoff(tool, description):
        found += description_evidence(description)
    if schema is not None:
        hinted = parameter_evidence(schema.parameters)
        if hinted is not None:
            found.append(hinted)
    return found


def _score(evidence: Iterable[Evidence]) -> float:
    return sum(e.weight if e.says is Effect.WRITE else -e.weight for e in evidence)


class Observations:
    """What a domain's trajectories say of its tools, gathered one trajectory at a time.

    Memory is bounded by the number of tools (and of distinct re-read patterns), not by the
    number of trajectories: per tool the richest declaration, the label votes, and the
    behavioural tally. ``decide`` turns it into an :class:`EffectTable`; the outcome does not
    depend on the order trajectories were added in, as long as each comes with its place in a
    stable order (ties between equally rich declarations go to the earliest).
    """

    def __init__(self) -> None:
        self.schemas: dict[str, tuple[tuple[int, int], Order, ToolSchema]] = {}
        self.labels: dict[str, Counter[bool]] = {}
        self.called: set[str] = set()
        self.behaviour = BehaviourTally()

    def add(self, trajectory: Trajectory, order: Order) -> None:
        """Take in one trajectory; ``order`` is its place in a stable order (id, digest)."""
        for schema in trajectory.tool_schemas:
            self._declare(schema, order)
            if schema.mutates is not None:
                self.labels.setdefault(schema.name, Counter())[schema.mutates] += 1
        for call in trajectory.calls:
            self.called.add(call.name)
            if call.mutates is not None:
                self.labels.setdefault(call.name, Counter())[call.mutates] += 1
        self.behaviour.add(trajectory, order)

    def _declare(self, schema: ToolSchema, order: Order) -> None:
        # The richest declaration wins (the longest description, then the most annotations),
        # then the one earliest in the stable order.
        rank = (-len(schema.description), -len(schema.annotations))
        held = self.schemas.get(schema.name)
        if held is None or (rank, order) < (held[0], held[1]):
            self.schemas[schema.name] = (rank, order, schema)

    def merge(self, other: Observations) -> None:
        """Add what ``other`` gathered (two groups of trajectories found to be one domain)."""
        for _, order, schema in other.schemas.values():
            self._declare(schema, order)
        for tool, votes in other.labels.items():
            self.labels.setdefault(tool, Counter()).update(votes)
        self.called |= other.called
        self.behaviour.merge(other.behaviour)

    def decide(self, *, declared: Declared = Declared()) -> EffectTable:
        """One decision per tool with its evidence, strongest first."""
        schemas = {tool: schema for tool, (_, _, schema) in self.schemas.items()}
        tools = sorted(
            self.called | set(schemas) | declared.writes | declared.reads | declared.context
        )
        static = {
            tool: _static_evidence(tool, schemas.get(tool), self.labels.get(tool), declared)
            for tool in tools
        }
        behaviour = self.behaviour.evidence({tool: _score(ev) for tool, ev in static.items()})
        decisions: dict[str, ToolEffect] = {}
        for tool in tools:
            evidence = sorted(
                [*static[tool], *behaviour.get(tool, ())],
                key=lambda e: (-e.weight, e.signal, e.detail),
            )
            score = _score(evidence)
            effect = Effect.WRITE if score >= 0 else Effect.READ
            agreeing = [e for e in evidence if e.says is effect]
            decided_by = agreeing[0].signal if agreeing and score != 0 else "default"
            description = schemas[tool].description if tool in schemas else ""
            context = effect is Effect.WRITE and (
                tool in declared.context
                or (not declared.effect_of(tool) and is_context_tool(tool, description) is not None)
            )
            decisions[tool] = ToolEffect(
                tool=tool,
                effect=effect,
                score=score,
                decided_by=decided_by,
                evidence=tuple(evidence),
                context=context,
            )
        return EffectTable(decisions)


def infer_effects(
    trajectories: Iterable[Trajectory],
    *,
    declared: Declared = Declared(),
) -> EffectTable:
    """Decide, for every tool the trajectories call or declare, whether it reads or writes.

    Args:
        trajectories: Every trajectory of the domain (failed calls are left out of behaviour).
            Where the order matters (the example a piece of evidence quotes, which of two
            equally rich declarations is shown), the first given counts.
        declared: Effects stated by the user; they decide over every other signal.

    Returns:
        One decision per tool with its evidence, strongest first.
    """
    observed = Observations()
    for position, trajectory in enumerate(trajectories):
        observed.add(trajectory, (f"{position:012d}",))
    return observed.decide(declared=declared)


def infer_by_domain(
    trajectories: Iterable[Trajectory],
    *,
    declared: Declared = Declared(),
) -> EffectTable:
    """``infer_effects`` for each domain (trajectories sharing tools) on its own, then merged:
    what one application's traces show never decides another's tools."""
    table = EffectTable()
    for domain in domains(list(trajectories)):
        table = table.merged(infer_effects(domain, declared=declared))
    return table


def declared_from(mapping: Mapping[str, bool], *, source: str) -> Declared:
    """A declaration from ``{tool: writes?}`` (a toolset's ``mutates`` flags)."""
    return Declared(
        writes=frozenset(tool for tool, writes in mapping.items() if writes),
        reads=frozenset(tool for tool, writes in mapping.items() if not writes),
        source=source,
    )
