"""What the example recorders share: the scripted episode, its noise plan, its transcripts."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from examples.agentlog import (
    FAILURES,
    CallOutcome,
    Episode,
    plan_noise,
    to_anthropic,
    to_openai_chat,
    typo,
)
from examples.recording import NOISE
from tests.examples.logs import anthropic_calls, check_anthropic, check_openai, openai_calls

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _echo(tool: str, arguments: dict[str, Any]) -> CallOutcome:
    if tool == "fail":
        return CallOutcome("Error: refused", is_error=True)
    return CallOutcome(json.dumps(arguments), is_error=False, value=arguments)


def test_an_episode_returns_values_and_none_for_failures() -> None:
    episode = Episode(_echo)
    assert episode.call("look", path="a") == {"path": "a"}
    assert episode.call("fail") is None
    assert episode.last_error == "Error: refused"
    assert episode.parallel([("look", {"n": 1}), ("look", {"n": 2})]) == [{"n": 1}, {"n": 2}]
    assert episode.counts() == {"calls": 4, "failed_calls": 1, "parallel_turns": 1}
    assert episode.succeeded
    episode.note("gave_up")
    assert not episode.succeeded


def test_transcripts_of_an_episode_are_valid_and_flag_errors_only_where_the_api_can() -> None:
    episode = Episode(_echo)
    episode.call("look", say="First a look.", path="a")
    episode.parallel([("fail", {}), ("look", {"n": 2})])
    episode.answer("Done.")
    tools = [
        {"type": "function", "function": {"name": n, "description": n, "parameters": {}}}
        for n in ("look", "fail")
    ]
    fields = {"split": "train", "system": "Be brief.", "instruction": "Go.", "tools": tools}
    chat = to_openai_chat("run-1", episode=episode, outcome={"reward": 1}, **fields)
    messages = to_anthropic("run-1", episode=episode, outcome={"reward": None}, **fields)
    check_openai(chat)
    check_anthropic(messages)
    assert chat["reward"] == 1
    assert "reward" not in messages  # an unknown outcome is left out, not written as null
    assert [c.failed for c in anthropic_calls(messages)] == [False, True, False]
    assert [c.failed for c in openai_calls(chat, failed_prefix="Error")] == [False, True, False]
    assert "is_error" not in json.dumps(chat)
    ids = [m["tool_calls"][0]["id"] for m in chat["messages"] if m.get("tool_calls")]
    assert all(re.fullmatch(r"call_[0-9A-Za-z]{24}", i) for i in ids)


@given(st.integers(min_value=1, max_value=12), st.integers(min_value=0, max_value=99))
def test_a_noise_plan_fails_a_fixed_share_of_runs(count: int, seed: int) -> None:
    plans = plan_noise(random.Random(seed), count, ["detour", "duplicate_read"], ["gave_up"])
    assert len(plans) == count
    assert sum(bool(plan & FAILURES) for plan in plans) == round(count * 0.15)


@given(st.from_regex(r"~/[a-z]{1,8}/[a-z0-9_-]{2,12}\.(log|md|txt)", fullmatch=True))
def test_a_typo_changes_only_the_last_path_segment(path: str) -> None:
    slipped = typo(path, random.Random(0))
    assert slipped != path
    assert slipped.rsplit("/", 1)[0] == path.rsplit("/", 1)[0]


def test_every_kind_of_noise_in_the_answer_keys_is_defined_in_the_readme() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for kind, meaning in NOISE.items():
        assert f"| `{kind}` | {meaning} |" in readme
    for domain in ("files", "helpdesk"):
        answers = json.loads((EXAMPLES / domain / "answers.json").read_text(encoding="utf-8"))
        assert {kind for run in answers["runs"] for kind in run["noise"]} <= set(NOISE)
