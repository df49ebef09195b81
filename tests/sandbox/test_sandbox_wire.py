"""What crosses the pipe: requests, tool answers and frames, made once and read back the same."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox import ConfigurationError, Limits, ProcessPool, Tool
from sandbox._json import compact, compact_ascii
from sandbox._protocol import BlockingReader, FrameReader, Spin, decode, encode
from sandbox._request import run_request, trusted_request
from sandbox.bridge import ToolBridge
from sandbox.proxy import SkillTools, TextDispatch

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=10,
)


@given(st.dictionaries(st.text(min_size=1, max_size=6), _json, max_size=4), st.text(max_size=40))
def test_a_request_reads_back_as_the_call_it_was_built_from(
    args: dict[str, Any], source: str
) -> None:
    args.pop("tools", None)
    limits = Limits(wall_seconds=3.0)
    message = run_request(source, "entry", args, limits).message()
    assert message == {
        "op": "run",
        "source": source,
        "entry": "entry",
        "args": json.loads(json.dumps(args)),
        "limits": json.loads(json.dumps(limits.to_dict())),
    }


def test_a_trusted_request_carries_its_target_and_payload() -> None:
    message = trusted_request("pkg.mod:fn", {"a": [1, 2]}, Limits()).message()
    assert message["op"] == "trusted"
    assert message["target"] == "pkg.mod:fn"
    assert message["payload"] == {"a": [1, 2]}


@pytest.mark.parametrize("bad", [{"a": float("nan")}, {"a": object()}, {"a": {1, 2}}])
def test_arguments_that_are_not_json_are_refused_by_name(bad: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="args must be JSON values"):
        run_request("def f(a):\n    return a\n", "f", bad, Limits())


def _bridge(answer: Any) -> ToolBridge:
    tool = Tool("lookup", lambda key: answer, {"type": "object"})
    return ToolBridge((tool,), Limits())


@given(_json)
def test_a_tool_answer_sent_to_the_worker_is_the_answer_the_bridge_returns(answer: Any) -> None:
    sent = decode(_bridge(answer).reply("lookup", {"key": "k"}))
    ok, value = _bridge(answer).call("lookup", {"key": "k"})
    assert ok
    assert sent == {"value": value}


def test_an_answer_holding_a_lone_surrogate_still_reaches_the_worker_as_json() -> None:
    sent = decode(_bridge({"text": "a\ud800b"}).reply("lookup", {"key": "k"}))
    assert sent == {"value": {"text": "a\ud800b"}}


def test_a_failing_or_refused_tool_call_is_sent_as_an_error() -> None:
    bridge = _bridge(None)
    assert "not granted" in decode(bridge.reply("other", {}))["error"]
    failing = ToolBridge((Tool("boom", lambda: 1 / 0, {"type": "object"}),), Limits())
    assert "ZeroDivisionError" in decode(failing.reply("boom", {}))["error"]


def test_a_tool_answer_that_is_not_json_is_an_error_not_a_reply() -> None:
    error = decode(_bridge({1, 2}).reply("lookup", {"key": "k"}))["error"]
    assert "failed: TypeError" in error


class _Texts(TextDispatch):
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def __call__(self, name: str, arguments_json: str) -> Any:
        self.sent.append((name, arguments_json))
        return "ok"


def test_a_text_dispatch_gets_the_arguments_as_the_json_text_that_was_checked() -> None:
    texts = _Texts()
    assert SkillTools(texts).lookup_tool("find")(when="today", n=[1, 2]) == "ok"
    assert texts.sent == [("find", '{"when":"today","n":[1,2]}')]


def test_a_plain_dispatch_gets_fresh_json_values() -> None:
    seen: list[Any] = []
    original = {"n": (1, 2)}
    SkillTools(lambda name, args: seen.append(args)).lookup_tool("find")(**original)
    assert seen == [{"n": [1, 2]}]


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read_end, write_end = os.pipe()
    yield read_end, write_end
    for fd in (read_end, write_end):
        with contextlib.suppress(OSError):
            os.close(fd)


@given(st.lists(_json, min_size=1, max_size=5))
def test_frames_written_at_once_are_read_one_by_one(messages: list[Any]) -> None:
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"".join(encode(message) for message in messages))
        reader = BlockingReader(read_end)
        assert [reader.read(spin_seconds=0.001) for _ in messages] == messages
    finally:
        os.close(read_end)
        os.close(write_end)


def test_the_host_reader_says_end_of_file_when_the_worker_closes(pipe: tuple[int, int]) -> None:
    read_end, write_end = pipe
    os.write(write_end, encode({"op": "done"}))
    os.close(write_end)
    reader = FrameReader(read_end)
    assert reader.read(deadline=_far(), max_bytes=1000, spin_seconds=0.001) == {"op": "done"}
    assert repr(reader.read(deadline=_far(), max_bytes=1000, spin_seconds=0.001)) == "EOF"


def _far() -> float:
    return time.monotonic() + 30


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_reader_polls_again_only_after_a_frame_that_came_within_the_window() -> None:
    clock = _Clock()
    spin = Spin(clock=clock)
    assert spin.start(0.0001)  # nothing known yet: poll first
    clock.now += 0.002  # a slow frame (a skill computing)
    spin.arrived()
    assert not spin.start(0.0001)  # sleeps at once on the next one
    clock.now += 0.00005  # which came quickly
    spin.arrived()
    assert spin.start(0.0001)  # so it polls again


def test_no_window_means_no_polling() -> None:
    assert not Spin().start(0.0)


def test_only_a_call_alone_in_the_pool_polls_for_its_worker() -> None:
    inside = threading.Semaphore(0)
    release = threading.Event()
    lone_seen: list[bool] = []

    def hold() -> str:
        inside.release()
        release.wait(10)
        return "held"

    with ProcessPool(size=2, limits=Limits(wall_seconds=20)) as pool:
        assert pool.warm()
        source = "def f(tools):\n    return tools.hold()\n"
        tools = [Tool("hold", hold, {"type": "object"})]
        first = threading.Thread(
            target=pool.run, args=(source,), kwargs={"entry": "f", "args": {}, "tools": tools}
        )
        first.start()
        inside.acquire(timeout=20)
        lone_seen.append(pool._keeper.lone())
        second = threading.Thread(
            target=pool.run, args=(source,), kwargs={"entry": "f", "args": {}, "tools": tools}
        )
        second.start()
        inside.acquire(timeout=20)
        lone_seen.append(pool._keeper.lone())
        release.set()
        first.join(20)
        second.join(20)
        lone_seen.append(pool._keeper.lone())
    assert lone_seen == [True, False, True]


_ASCII_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
_TEXT_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False, ensure_ascii=False)
_values = st.recursive(
    _json | st.floats() | st.builds(object) | st.tuples(st.integers()),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=3) | st.integers(), children, max_size=3)
    ),
    max_leaves=8,
)


def _outcome(encode: Any, value: Any) -> tuple[str, str]:
    try:
        return "text", encode(value)
    except (TypeError, ValueError) as exc:
        return type(exc).__name__, str(exc)


@given(_values)
def test_the_fast_encoders_write_what_json_writes_and_refuse_what_it_refuses(value: Any) -> None:
    assert _outcome(compact_ascii, value) == _outcome(_ASCII_ENCODER.encode, value)
    assert _outcome(compact, value) == _outcome(_TEXT_ENCODER.encode, value)


def test_the_fast_encoders_still_find_circular_references() -> None:
    loop: list[Any] = []
    loop.append(loop)
    for encoder in (compact, compact_ascii):
        with pytest.raises(ValueError, match="Circular reference"):
            encoder(loop)
        assert encoder([1]) == "[1]"  # and the next value starts afresh
