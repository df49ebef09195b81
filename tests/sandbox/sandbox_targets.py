"""Trusted targets for ``run_trusted`` tests (imported only inside workers)."""

from __future__ import annotations

import contextlib
from typing import Any

from sandbox.restricted import CompiledSkill, compile_skill, tool_dispatcher


def echo(payload: Any, tools: Any) -> Any:
    """Return the payload unchanged."""
    return {"payload": payload}


def run_skill(payload: dict[str, Any], tools: Any) -> Any:
    """Compile restricted source in the worker and call it with the bridge's tools."""
    compiled = compile_skill(payload["source"])
    if not isinstance(compiled, CompiledSkill):
        return {"rejected": compiled.message}
    return compiled.call(payload["entry"], payload["args"], dispatch=tool_dispatcher(tools))


def hypothesis_in_worker(payload: Any, tools: Any) -> Any:
    """Run a tiny hypothesis property inside the worker, as the verifier does."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    compiled = compile_skill("def double(x: int) -> int:\n    return x * 2\n")
    assert isinstance(compiled, CompiledSkill)
    seen: list[int] = []

    @settings(max_examples=20, database=None, derandomize=True, deadline=None)
    @given(st.integers())
    def prop(x: int) -> None:
        assert compiled.call("double", {"x": x}, dispatch=tool_dispatcher(tools)) == 2 * x
        seen.append(x)

    prop()
    return {"examples": len(seen)}


def raises(payload: Any, tools: Any) -> Any:
    """A trusted target that fails."""
    raise KeyError("missing thing")


def segfault(payload: Any, tools: Any) -> Any:
    """A trusted target whose worker dies of a signal (a crash no verdict explains)."""
    import ctypes

    return ctypes.string_at(0)


def calls_on_after_its_end(payload: Any, tools: Any) -> Any:
    """Catch the end of the call (only trusted code can) and call the tool again."""
    for _ in range(payload["calls"]):
        with contextlib.suppress(BaseException):  # the misbehaviour under test
            tools.get_order(order_id="A1")
    return "went on"


def computes_on_after_its_end(payload: Any, tools: Any) -> Any:
    """Catch the end of the call and never answer."""
    try:
        while True:
            tools.get_order(order_id="A1")
    except BaseException:  # the misbehaviour under test
        while True:
            pass


def host_side_modules(payload: Any, tools: Any) -> Any:
    """Which of the host's modules this worker process has loaded."""
    import sys

    return sorted(name for name in payload if name in sys.modules)
