"""A simulated agent's run, recorded turn by turn, written out as the transcripts loggers keep.

The example domains (``files``, ``helpdesk``) record their trajectories by letting a scripted agent
drive real tools. The script is an :class:`Episode`: each :meth:`Episode.call` (or
:meth:`Episode.parallel`) is one assistant turn with its tool calls, each call is run for real by a
``Caller``, and :meth:`Episode.answer` is the final assistant message. What the model saw of a
result is kept as text, exactly as the caller rendered it; whether it was an error is kept too, but
only formats that carry such a flag (Anthropic's ``is_error``) ever write it out.

The rendering functions produce the records a logger of the OpenAI Chat Completions API or of the
Anthropic Messages API would write: the request's ``tools`` and ``messages`` (the system prompt
first for OpenAI, beside them for Anthropic), plus the record's own ``id``, ``split`` and an
optional outcome. Call ids look like the APIs' own and are derived from the episode id, so the same
run always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FAILURES",
    "Call",
    "CallOutcome",
    "Caller",
    "Episode",
    "Script",
    "Task",
    "Turn",
    "plan_noise",
    "to_anthropic",
    "to_openai_chat",
    "typo",
]


@dataclass(frozen=True)
class CallOutcome:
    """What one real tool call gave back: the text the model saw, an error flag, the JSON value."""

    text: str
    is_error: bool
    value: Any = None


Caller = Callable[[str, dict[str, Any]], CallOutcome]
"""Runs one tool call for real (``name``, ``arguments``) and says what came back."""

Script = Callable[["Episode"], None]
"""What the simulated agent does for one task, call by call, on an :class:`Episode`."""


@dataclass(frozen=True)
class Call:
    """One tool call of a turn, with what came back."""

    tool: str
    arguments: dict[str, Any]
    text: str
    is_error: bool


@dataclass(frozen=True)
class Turn:
    """One assistant message: optional words, then one or more tool calls."""

    say: str | None
    calls: tuple[Call, ...]


@dataclass
class Episode:
    """One task carried out by the simulated agent, recorded as it happens.

    Args:
        caller: Runs the tool calls for real.
    """

    caller: Caller
    turns: list[Turn] = field(default_factory=list)
    final: str = ""
    noise: list[str] = field(default_factory=list)
    """The kinds of noise the script put in on purpose (for the answer key, not the transcript)."""
    last_error: str | None = None

    def call(self, tool: str, *, say: str | None = None, **arguments: Any) -> Any:
        """One turn with one call; return the call's JSON value, or None when it failed."""
        return self.parallel([(tool, arguments)], say=say)[0]

    def parallel(
        self, calls: list[tuple[str, dict[str, Any]]], *, say: str | None = None
    ) -> list[Any]:
        """One turn with several calls (parallel tool calls); their values, None for failures."""
        made: list[Call] = []
        values: list[Any] = []
        for tool, arguments in calls:
            outcome = self.caller(tool, dict(arguments))
            made.append(Call(tool, dict(arguments), outcome.text, outcome.is_error))
            values.append(None if outcome.is_error else outcome.value)
            self.last_error = outcome.text if outcome.is_error else None
        self.turns.append(Turn(say, tuple(made)))
        return values

    def note(self, kind: str) -> None:
        """Remember that this run holds a kind of noise (``"detour"``, ``"gave_up"`` …)."""
        if kind not in self.noise:
            self.noise.append(kind)

    def answer(self, text: str) -> None:
        """The agent's last message to the user."""
        self.final = text

    def counts(self) -> dict[str, int]:
        """How many calls the run made, how many failed, and how many turns made several calls."""
        calls = [call for turn in self.turns for call in turn.calls]
        return {
            "calls": len(calls),
            "failed_calls": sum(call.is_error for call in calls),
            "parallel_turns": sum(len(turn.calls) > 1 for turn in self.turns),
        }

    @property
    def succeeded(self) -> bool:
        """Whether the run did what was asked (no failure among the noise it holds)."""
        return not FAILURES.intersection(self.noise)


def _token(seed: str, length: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    chars = []
    for _ in range(length):
        number, digit = divmod(number, len(alphabet))
        chars.append(alphabet[digit])
    return "".join(chars)


def _outcome_fields(outcome: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in outcome.items() if value is not None}


def to_openai_chat(
    record_id: str,
    *,
    split: str,
    system: str,
    instruction: str,
    episode: Episode,
    tools: list[dict[str, Any]],
    outcome: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The Chat Completions record of an episode: ``{id, split, [outcome], tools, messages}``.

    Tool errors are only text in the ``role: "tool"`` message: the API has no error flag.
    """
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": system},
        {"role": "user", "content": instruction},
    ]
    number = 0
    for turn in episode.turns:
        tool_calls = []
        results = []
        for call in turn.calls:
            call_id = "call_" + _token(f"{record_id}/{number}", 24)
            number += 1
            arguments = json.dumps(call.arguments, ensure_ascii=False)
            tool_calls.append(
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": call.tool, "arguments": arguments},
                }
            )
            results.append({"role": "tool", "tool_call_id": call_id, "content": call.text})
        messages.append({"role": "assistant", "content": turn.say, "tool_calls": tool_calls})
        messages.extend(results)
    messages.append({"role": "assistant", "content": episode.final})
    return {
        "id": record_id,
        "split": split,
        **_outcome_fields(outcome or {}),
        "tools": tools,
        "messages": messages,
    }


def to_anthropic(
    record_id: str,
    *,
    split: str,
    system: str,
    instruction: str,
    episode: Episode,
    tools: list[dict[str, Any]],
    outcome: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The Messages API record of an episode: ``{id, split, [outcome], system, tools, messages}``.

    ``tools`` are OpenAI function tools; they are written as Anthropic tools (``input_schema``).
    A failed call's ``tool_result`` carries ``is_error: true``, as the API allows.
    """
    messages: list[dict[str, Any]] = [{"role": "user", "content": instruction}]
    number = 0
    for turn in episode.turns:
        content: list[dict[str, Any]] = []
        if turn.say:
            content.append({"type": "text", "text": turn.say})
        results: list[dict[str, Any]] = []
        for call in turn.calls:
            use_id = "toolu_01" + _token(f"{record_id}/{number}", 22)
            number += 1
            content.append(
                {"type": "tool_use", "id": use_id, "name": call.tool, "input": call.arguments}
            )
            result: dict[str, Any] = {
                "type": "tool_result",
                "tool_use_id": use_id,
                "content": call.text,
            }
            if call.is_error:
                result["is_error"] = True
            results.append(result)
        messages.append({"role": "assistant", "content": content})
        messages.append({"role": "user", "content": results})
    messages.append({"role": "assistant", "content": [{"type": "text", "text": episode.final}]})
    declared = [
        {
            "name": tool["function"]["name"],
            "description": tool["function"]["description"],
            "input_schema": tool["function"]["parameters"],
        }
        for tool in tools
    ]
    return {
        "id": record_id,
        "split": split,
        **_outcome_fields(outcome or {}),
        "system": system,
        "tools": declared,
        "messages": messages,
    }


FAILURES = frozenset({"gave_up", "wrong_change", "wrong_answer"})
"""Noise kinds that leave the task undone: the run did not succeed."""


@dataclass(frozen=True)
class Task:
    """One request to the simulated agent, and the script that carries it out.

    ``noise`` is what the script was told to get wrong on the way; the script notes on its
    :class:`Episode` what it actually did.
    """

    procedure: str
    who: str
    """The user the session belongs to (files) or the operator who signs in (helpdesk)."""
    instruction: str
    run: Script
    today: str = "2024-06-03"
    """The day the request was made (the system prompt says it)."""


def plan_noise(
    rng: random.Random,
    count: int,
    kinds: list[str],
    failures: list[str],
    *,
    clean: float = 0.35,
    failing: float = 0.15,
) -> list[frozenset[str]]:
    """The noise each of ``count`` runs of one procedure gets.

    A run is clean with probability ``clean``, else it gets one or two of ``kinds``; a share
    ``failing`` of the runs (rounded, at random places) also gets one of ``failures``.
    """
    failed = set(rng.sample(range(count), k=round(count * failing))) if failures else set()
    plans = []
    for index in range(count):
        chosen: set[str] = set()
        if kinds and rng.random() >= clean:
            chosen.update(rng.sample(kinds, k=min(len(kinds), rng.choice([1, 1, 2]))))
        if index in failed:
            chosen.add(rng.choice(failures))
        plans.append(frozenset(chosen))
    return plans


def typo(text: str, rng: random.Random) -> str:
    """``text`` with one slip of the keyboard in its last path segment (two letters swapped)."""
    head, _, tail = text.rpartition("/")
    spots = [
        i
        for i in range(len(tail) - 1)
        if tail[i].isalnum() and tail[i + 1].isalnum() and tail[i] != tail[i + 1]
    ]
    if not spots:
        return text + "x"
    i = rng.choice(spots)
    slipped = tail[:i] + tail[i + 1] + tail[i] + tail[i + 2 :]
    return f"{head}/{slipped}" if head or text.startswith("/") else slipped
