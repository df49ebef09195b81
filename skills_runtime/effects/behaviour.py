"""What the traces show about effects: reads that answer differently, calls that feed others.

Three kinds of behaviour are evidence, gathered over every successful call of every trajectory:

- **A re-read that changed.** The same tool called with the same arguments answers differently
  later in one trajectory: something called in between changed the state. The re-read tool is
  an observer of state (a read); the calls in between that are not already known to be reads are
  the suspects, and share the weight (one suspect takes it all).
- **A repeat that differs.** The same call made twice in a row answers differently each time:
  each call made something new (``create`` gives a new id every time).
- **Answers fed forward.** Distinctive values of a tool's results become arguments of later
  calls in most of its uses: it is consulted to go on (a lookup). Writes that create things are
  fed forward too, so this is weak evidence.

Distinctive values only (ids, e-mails, long strings): ``1`` or ``True`` prove nothing.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from skills_runtime.effects.model import Effect, Evidence
from skills_runtime.trajectory.failures import failure_of
from skills_runtime.trajectory.model import ToolCall, Trajectory, canonical_json
from skills_runtime.trajectory.values import is_distinctive, walk

__all__ = ["BehaviourTally", "Order", "behaviour_evidence"]

_SUSPECT_WEIGHT = 3.0
_OBSERVER_WEIGHT = 1.0
_REPEAT_WEIGHT = 2.0
_FED_WEIGHT = 1.0
_CAP = 4.0


def _successful(trajectory: Trajectory) -> list[ToolCall]:
    return [
        call
        for call in trajectory.calls
        if call.paired and call.raw_arguments is None and failure_of(call) is None
    ]


def _distinct_values(value: Any) -> set[tuple[str, Any]]:
    # Keyed by type and value: equal exactly when their JSON is (1234 is not "1234" nor 1234.0),
    # without encoding every value.
    return {
        (type(item).__name__, item)
        for _, item in walk(value)
        if isinstance(item, str | int | float) and is_distinctive(item)
    }


def _call_text(call: ToolCall) -> str:
    shown = ", ".join(f"{k}={v!r}" for k, v in sorted(call.arguments.items()))
    text = f"{call.name}({shown})"
    return text if len(text) <= 70 else text[:67] + "..."


Order = tuple[str, ...]
"""Where a trajectory stands in a stable order (its id, then its digest): the example a piece of
evidence quotes is the first one in that order, whatever order the trajectories arrive in."""


class BehaviourTally:
    """Behavioural evidence gathered one trajectory at a time, in memory bounded by the tools.

    A re-read that changed is kept as an event (the re-read tool and the tools called in
    between) with a count; which of the tools in between are suspects depends on what the other
    signals say of them, known only once every trajectory was seen (``evidence``).
    """

    def __init__(self) -> None:
        self._re_reads: Counter[tuple[str, frozenset[str]]] = Counter()
        self._repeats: Counter[str] = Counter()
        self._examples: dict[tuple[str, ...], tuple[Order, str]] = {}
        self._uses: Counter[str] = Counter()
        self._fed: Counter[str] = Counter()

    def _example(self, key: tuple[str, ...], order: Order, text: str) -> None:
        held = self._examples.get(key)
        if held is None or order < held[0]:
            self._examples[key] = (order, text)

    def add(self, trajectory: Trajectory, order: Order) -> None:
        """Count what one trajectory shows."""
        calls = _successful(trajectory)
        last_seen: dict[tuple[str, str], int] = {}
        for position, call in enumerate(calls):
            key = (call.name, canonical_json(call.arguments))
            earlier = last_seen.get(key)
            last_seen[key] = position
            if earlier is None:
                continue
            if canonical_json(calls[earlier].result) == canonical_json(call.result):
                continue
            between = frozenset(
                c.name for c in calls[earlier + 1 : position] if c.name != call.name
            )
            if not between:
                continue
            self._re_reads[(call.name, between)] += 1
            self._example(("re-read", call.name, *sorted(between)), order, _where(call, trajectory))
        for before, after in itertools.pairwise(calls):
            if before.name != after.name:
                continue
            if canonical_json(before.arguments) != canonical_json(after.arguments):
                continue
            if canonical_json(before.result) == canonical_json(after.result):
                continue
            self._repeats[after.name] += 1
            self._example(("repeat", after.name), order, _where(after, trajectory))
        # Each call's argument values once: a result is fed forward when a later call uses one.
        used_later: list[set[tuple[str, Any]]] = [set() for _ in range(len(calls) + 1)]
        for position in range(len(calls) - 1, -1, -1):
            used_later[position] = used_later[position + 1] | _distinct_values(
                calls[position].arguments
            )
        for position, call in enumerate(calls):
            values = _distinct_values(call.result)
            if not values:
                continue
            self._uses[call.name] += 1
            if values & used_later[position + 1]:
                self._fed[call.name] += 1

    def merge(self, other: BehaviourTally) -> None:
        """Add what ``other`` counted (two groups of trajectories found to be one domain)."""
        self._re_reads.update(other._re_reads)
        self._repeats.update(other._repeats)
        self._uses.update(other._uses)
        self._fed.update(other._fed)
        for key, (order, text) in other._examples.items():
            self._example(key, order, text)

    def evidence(self, prior: Mapping[str, float]) -> dict[str, list[Evidence]]:
        """Behavioural evidence per tool.

        Args:
            prior: Each tool's score from the other signals (negative: a read), so that a call
                already known to be a read is never suspected of a change it cannot have made.
        """
        tally = _Tally()
        for (tool, between), times in sorted(self._re_reads.items(), key=_event_order):
            suspects = sorted(name for name in between if prior.get(name, 0.0) > -2)
            if not suspects:
                continue
            example = self._examples[("re-read", tool, *sorted(between))]
            tally.add(
                tool,
                Effect.READ,
                "answered differently after another call: it reports state",
                _OBSERVER_WEIGHT,
                example,
                times,
            )
            for suspect in suspects:
                tally.add(
                    suspect,
                    Effect.WRITE,
                    f"a re-read answered differently after it ({tool})",
                    _SUSPECT_WEIGHT / len(suspects),
                    example,
                    times,
                )
        for tool, times in sorted(self._repeats.items()):
            tally.add(
                tool,
                Effect.WRITE,
                "the same call made twice in a row answered differently: each call makes something",
                _REPEAT_WEIGHT,
                self._examples[("repeat", tool)],
                times,
            )
        found = tally.evidence()
        for tool, count in sorted(self._uses.items()):
            fed = self._fed[tool]
            if count >= 3 and fed >= 0.8 * count:
                detail = f"{fed} of its {count} answers are fed into later calls (a lookup)"
                found[tool].append(Evidence("behaviour", Effect.READ, _FED_WEIGHT, detail))
        return found


def _event_order(item: tuple[tuple[str, frozenset[str]], int]) -> tuple[str, list[str]]:
    (tool, between), _ = item
    return tool, sorted(between)


def _where(call: ToolCall, trajectory: Trajectory) -> str:
    return f"{_call_text(call)} in {trajectory.id}"


class _Tally:
    def __init__(self) -> None:
        self.weight: dict[tuple[str, Effect, str], float] = defaultdict(float)
        self.example: dict[tuple[str, Effect, str], tuple[Order, str]] = {}
        self.count: Counter[tuple[str, Effect, str]] = Counter()

    def add(
        self,
        tool: str,
        says: Effect,
        kind: str,
        weight: float,
        example: tuple[Order, str],
        times: int,
    ) -> None:
        key = (tool, says, kind)
        self.weight[key] += weight * times
        self.count[key] += times
        held = self.example.get(key)
        if held is None or example[0] < held[0]:
            self.example[key] = example

    def evidence(self) -> dict[str, list[Evidence]]:
        found: dict[str, list[Evidence]] = defaultdict(list)
        for key in sorted(self.weight):
            tool, says, kind = key
            times = self.count[key]
            example = self.example[key][1]
            detail = f"{kind} ({times} time{'s' if times != 1 else ''}; e.g. {example})"
            found[tool].append(Evidence("behaviour", says, min(_CAP, self.weight[key]), detail))
        return found


def behaviour_evidence(
    trajectories: Iterable[Trajectory], prior: Mapping[str, float]
) -> dict[str, list[Evidence]]:
    """Behavioural evidence per tool over trajectories given in their order.

    Args:
        trajectories: Every trajectory of the domain.
        prior: Each tool's score from the other signals (see ``BehaviourTally.evidence``).
    """
    tally = BehaviourTally()
    for position, trajectory in enumerate(trajectories):
        tally.add(trajectory, (f"{position:012d}",))
    return tally.evidence(prior)
