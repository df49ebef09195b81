"""Run one request (restricted skill or trusted target) and classify what happened.

Shared by the worker process and the in-process executor. Classification uses the *identity* of
the interpreter's own exception classes, never names: skill code cannot reach or construct
``MemoryError`` or ``RecursionError`` (they are not in its builtins, and ``__class__`` and
``type`` are unavailable), so an instance of the real class means the interpreter hit the limit.
A skill that catches one (``except Exception``) does not get to carry on: its handler re-raises
:class:`sandbox.watch.LimitReached` (see that module), which is classified the same way.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from sandbox._json import compact_ascii
from sandbox.caps import keep_text
from sandbox.errors import MissingEntry
from sandbox.proxy import Dispatch, SkillTools, TextDispatch
from sandbox.restricted import compile_skill
from sandbox.result import Rejection
from sandbox.watch import LimitWatch, limit_of

__all__ = ["Outcome", "encode_value", "error_payload", "run_request"]

# (status, payload): ("ok", value) | ("error", {"type","message"}) | ("rejected", {"line",
# "message"}) | ("memory", message) — "memory" covers the stack (recursion) limit too — |
# ("limit", kind) when the harness ended the call.
Outcome = tuple[str, Any]

_ENCODE = compact_ascii

_MESSAGE_CAP = 2_000
"""Bytes of an error message kept when the request names no ``message_bytes`` limit."""


def run_request(
    request: dict[str, Any], dispatch: Dispatch | TextDispatch, on_print: Callable[[str], None]
) -> Outcome:
    """Run ``request`` (``{"op": "run"|"trusted", ...}``) and classify the outcome."""
    watch = LimitWatch()
    try:
        if request["op"] == "run":
            compiled = compile_skill(request["source"])
            if isinstance(compiled, Rejection):
                return "rejected", compiled.to_dict()
            value = compiled.call(
                request["entry"], request["args"], dispatch=dispatch, on_print=on_print, watch=watch
            )
        else:
            function = load_target(request["target"])
            value = function(request["payload"], SkillTools(dispatch))
    except MissingEntry as exc:
        return "rejected", {"line": None, "message": str(exc)}
    except BaseException as exc:
        if watch.fired is not None:  # the limit fired first, whatever ended the call after it
            return _limit_outcome(*watch.fired)
        cap = request.get("limits", {}).get("message_bytes", _MESSAGE_CAP)
        return classify_exception(exc, message_bytes=int(cap))
    return "ok", value


def classify_exception(exc: BaseException, *, message_bytes: int = _MESSAGE_CAP) -> Outcome:
    """Turn an exception escaping the code into an outcome."""
    limit = limit_of(exc)
    if limit is not None:
        return _limit_outcome(*limit)
    return "error", error_payload(exc, message_bytes=message_bytes)


def _limit_outcome(kind: str, detail: str) -> Outcome:
    # The interpreter's own limits are "memory"; any other kind was fired by the harness (the
    # host ended the call, e.g. its tool budget is spent) and is reported by its name.
    return ("memory", detail) if kind == "memory" else ("limit", kind)


def error_payload(exc: BaseException, *, message_bytes: int = _MESSAGE_CAP) -> dict[str, str]:
    """``{"type", "message"}`` of an exception, with the message capped."""
    try:
        # A message of many megabytes costs time to build; cut before encoding it.
        message = keep_text(str(exc), message_bytes)
    except BaseException:
        message = "<the exception message could not be built>"
    return {"type": type(exc).__name__, "message": message}


def encode_value(value: Any) -> tuple[str | None, dict[str, str] | None]:
    """JSON text of a return value, or an ``InvalidResult`` error payload."""
    try:
        return _ENCODE(value), None
    except RecursionError:
        return None, {"type": "InvalidResult", "message": "return value is nested too deeply"}
    except (TypeError, ValueError) as exc:
        return None, {
            "type": "InvalidResult",
            "message": f"return value is not JSON-serialisable: {exc}",
        }


def load_target(target: str) -> Callable[..., Any]:
    """Import ``"package.module:function"`` (trusted code) and return the function."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"target {target!r} must look like 'package.module:function'")
    found: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        found = getattr(found, part)
    if not callable(found):
        raise TypeError(f"target {target!r} is not callable")
    return found  # type: ignore[no-any-return]
