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

__all__ = ["behaviour_evidence"]

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


def _distinct_values(value: Any) -> set[str]:
    return {
        canonical_json(item)
        for _, item in walk(value)
        if isinstance(item, str | int | float) and is_distinctive(item)
    }


def _call_text(call: ToolCall) -> str:
    shown = ", ".join(f"{k}={v!r}" for k, v in sorted(call.arguments.items()))
    text = f"{call.name}({shown})"
    return text if len(text) <= 70 else text[:67] + "..."


class _Tally:
    def __init__(self) -> None:
        self.weight: dict[tuple[str, Effect, str], float] = defaultdict(float)
        self.example: dict[tuple[str, Effect, str], str] = {}
        self.count: Counter[tuple[str, Effect, str]] = Counter()

    def add(self, tool: str, says: Effect, kind: str, weight: float, example: str) -> None:
        key = (tool, says, kind)
        self.weight[key] += weight
        self.count[key] += 1
        self.example.setdefault(key, example)

    def evidence(self) -> dict[str, list[Evidence]]:
        found: dict[str, list[Evidence]] = defaultdict(list)
        for key in sorted(self.weight):
            tool, says, kind = key
            times = self.count[key]
            detail = f"{kind} ({times} time{'s' if times != 1 else ''}; e.g. {self.example[key]})"
            found[tool].append(Evidence("behaviour", says, min(_CAP, self.weight[key]), detail))
        return found


def behaviour_evidence(
    trajectories: Iterable[Trajectory], prior: Mapping[str, float]
) -> dict[str, list[Evidence]]:
    """Behavioural evidence per tool.

    Args:
        trajectories: Every trajectory of the domain.
        prior: Each tool's score from the other signals (negative: a read), so that a call
            already known to be a read is never suspected of a change it cannot have made.
    """
    tally = _Tally()
    uses: Counter[str] = Counter()
    fed: Counter[str] = Counter()
    for trajectory in trajectories:
        calls = _successful(trajectory)
        _re_reads(calls, prior, tally, trajectory.id)
        _repeats(calls, tally, trajectory.id)
        for position, call in enumerate(calls):
            values = _distinct_values(call.result)
            if not values:
                continue
            uses[call.name] += 1
            later = (_distinct_values(other.arguments) for other in calls[position + 1 :])
            if any(values & used for used in later):
                fed[call.name] += 1
    found = tally.evidence()
    for tool, count in sorted(uses.items()):
        if count >= 3 and fed[tool] >= 0.8 * count:
            detail = f"{fed[tool]} of its {count} answers are fed into later calls (a lookup)"
            found[tool].append(Evidence("behaviour", Effect.READ, _FED_WEIGHT, detail))
    return found


def _re_reads(
    calls: list[ToolCall], prior: Mapping[str, float], tally: _Tally, trajectory: str
) -> None:
    last_seen: dict[tuple[str, str], int] = {}
    for position, call in enumerate(calls):
        key = (call.name, canonical_json(call.arguments))
        earlier = last_seen.get(key)
        last_seen[key] = position
        if earlier is None:
            continue
        if canonical_json(calls[earlier].result) == canonical_json(call.result):
            continue
        between = calls[earlier + 1 : position]
        suspects = sorted(
            {c.name for c in between if c.name != call.name and prior.get(c.name, 0.0) > -2}
        )
        if not suspects:
            continue
        example = f"{_call_text(call)} in {trajectory}"
        tally.add(
            call.name,
            Effect.READ,
            "answered differently after another call: it reports state",
            _OBSERVER_WEIGHT,
            example,
        )
        for suspect in suspects:
            tally.add(
                suspect,
                Effect.WRITE,
                f"a re-read answered differently after it ({call.name})",
                _SUSPECT_WEIGHT / len(suspects),
                example,
            )


def _repeats(calls: list[ToolCall], tally: _Tally, trajectory: str) -> None:
    for before, after in itertools.pairwise(calls):
        if before.name != after.name:
            continue
        if canonical_json(before.arguments) != canonical_json(after.arguments):
            continue
        if canonical_json(before.result) == canonical_json(after.result):
            continue
        tally.add(
            after.name,
            Effect.WRITE,
            "the same call made twice in a row answered differently: each call makes something",
            _REPEAT_WEIGHT,
            f"{_call_text(after)} in {trajectory}",
        )
