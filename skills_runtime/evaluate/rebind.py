"""Rebinding a training run's arguments to a held-out task, call by call.

The rules, in the order they are tried, are those of :mod:`~skills_runtime.evaluate.baseline`:
held-out call, flow, request, position, kept. A :class:`Rebinder` follows one replay: it is asked
for each call's arguments before the call, and told each answer after it, so that values found in
answers are read from what the replay got rather than from what the training run got.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from skills_runtime.evaluate.nearest import request_text
from skills_runtime.trajectory.failures import failure_of
from skills_runtime.trajectory.model import ToolCall, Trajectory, canonical_json
from skills_runtime.trajectory.values import Path, is_distinctive, walk

__all__ = ["Rebinder", "same_shape", "successful_calls"]

_MISSING: Any = object()
_RUN = re.compile(r"[^\W\d_]+|\d+|\s+|.", re.S)


def successful_calls(trajectory: Trajectory) -> list[ToolCall]:
    """The calls of a run that answered: not failed, not left unanswered, arguments readable."""
    return [
        call
        for call in trajectory.calls
        if call.paired and call.raw_arguments is None and failure_of(call) is None
    ]


def _at(value: Any, path: Path) -> Any:
    for part in path:
        in_list = isinstance(part, int) and isinstance(value, list) and 0 <= part < len(value)
        if in_list or (isinstance(part, str) and isinstance(value, dict) and part in value):
            value = value[part]
        else:
            return _MISSING
    return value


def _shape(text: str) -> re.Pattern[str]:
    """A pattern for texts written like ``text``: the same runs of capitalised words, words,
    digits, spaces and punctuation (``Yusuf Rossi`` fits ``Mei Chen``; ``#W2378156`` fits
    ``#W1234567``)."""
    parts = []
    for run in _RUN.findall(text):
        if run[0].isdigit():
            parts.append(r"\d+")
        elif run[0].isspace():
            parts.append(r"\s+")
        elif run[0].isalpha():
            parts.append(r"[A-Z][^\W\d_]*" if run[0].isupper() else r"[^\W\d_]+")
        else:
            parts.append(re.escape(run))
    return re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)")


_LONGEST = 80
"""Longer texts are contents, not names: they are not looked for in a request (and a pattern of
a bounded number of runs keeps the search linear in the request's length)."""


def same_shape(value: str, training: str, held_out: str) -> str | None:
    """The text of ``held_out`` that stands where ``value`` stands in ``training``: the one
    written the same way at the same rank among the distinct texts written that way.

    Only a text without surrounding spaces and at most 80 characters long is looked for: the
    pattern then starts with a letter, a digit or a literal, never inside a word (it may not
    follow a word character), and its runs alternate between disjoint classes, so no match
    attempt backtracks.
    """
    if not value or value != value.strip() or len(value) > _LONGEST:
        return None
    pattern = _shape(value)
    ranked = list(dict.fromkeys(match.group() for match in pattern.finditer(training)))
    if value not in ranked:
        return None
    rank = ranked.index(value)
    there = list(dict.fromkeys(match.group() for match in pattern.finditer(held_out)))
    return there[rank] if rank < len(there) else None


class Rebinder:
    """The arguments of a training run's calls, rebound to a held-out run as the replay goes."""

    def __init__(self, training: Trajectory, held_out: Trajectory) -> None:
        self._training_request = request_text(training)
        self._held_out_request = request_text(held_out)
        self._held_out: dict[str, list[ToolCall]] = {}
        for call in successful_calls(held_out):
            self._held_out.setdefault(call.name, []).append(call)
        self._seen: Counter[str] = Counter()
        self._answers: list[tuple[Any, Any]] = []  # (training answer, replay answer) per call
        self._pending: Any = None
        self.rules: Counter[str] = Counter()
        """How many values each rule gave so far."""

    def arguments(self, call: ToolCall) -> dict[str, Any]:
        """The arguments to replay ``call`` (the training run's next call) with."""
        k = self._seen[call.name]
        self._seen[call.name] += 1
        calls = self._held_out.get(call.name, [])
        slot = calls[k].arguments if k < len(calls) else {}
        self._pending = call.result
        rebound = {}
        for name, value in call.arguments.items():
            given = slot.get(name, _MISSING)
            if isinstance(value, list | dict) and given is not _MISSING:
                self.rules["held-out call"] += 1
                rebound[name] = given
            else:
                rebound[name] = self._value(value, given)
        return rebound

    def answered(self, answer: Any) -> None:
        """Tell the rebinder what the replay's last call answered."""
        self._answers.append((self._pending, answer))

    def _value(self, value: Any, given: Any) -> Any:
        if isinstance(value, list):
            return [self._value(item, _MISSING) for item in value]
        if isinstance(value, dict):
            return {key: self._value(item, _MISSING) for key, item in value.items()}
        strong, weak = self._found(value)
        for rule, found in (("held-out call", given), ("flow", strong)):
            if found is not _MISSING:
                self.rules[rule] += 1
                return found
        # Only a distinctive text (a name, an id, an e-mail) stands for something in a request:
        # a plain word ("high") has no place of its own among the request's words.
        if (
            isinstance(value, str)
            and is_distinctive(value)
            and (text := same_shape(value, self._training_request, self._held_out_request))
        ):
            self.rules["request"] += 1
            return text
        if weak is not _MISSING:
            self.rules["position"] += 1
            return weak
        self.rules["kept"] += 1
        return value

    def _found(self, value: Any) -> tuple[Any, Any]:
        """The value read where the training run found ``value`` in an earlier answer: at the
        best path without list positions, and at the best path with them."""
        if not is_distinctive(value):
            return _MISSING, _MISSING
        wanted = canonical_json(value)
        # (list positions, depth, latest first, path): the strongest place first, as lifting does.
        places: list[tuple[int, int, int, Path]] = []
        for step, (training, _) in enumerate(self._answers):
            for path, seen in walk(training):
                if not isinstance(seen, list | dict) and canonical_json(seen) == wanted:
                    positions = sum(isinstance(part, int) for part in path)
                    places.append((positions, len(path), -step, path))
        strong = weak = _MISSING
        for positions, _, latest, path in sorted(places, key=lambda place: place[:3]):
            found = _at(self._answers[-latest][1], path)
            if found is _MISSING or isinstance(found, list | dict):
                continue
            if positions == 0 and strong is _MISSING:
                strong = found
            elif positions and weak is _MISSING:
                weak = found
        return strong, weak
