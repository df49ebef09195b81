"""The ``tools`` object a skill receives: attribute access yields callers, nothing else.

``tools.NAME(**kwargs)`` turns the keyword arguments into fresh JSON and hands ``(NAME, args)`` to
a dispatch function (the worker's pipe to the host, or the in-process bridge). The object holds
nothing but that function, in a slot skill code cannot name (underscore names are refused at
compile time and by the attribute guard), and the write guard refuses any assignment to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sandbox._json import compact_ascii

__all__ = ["Dispatch", "SkillTools", "TextDispatch", "tool_dispatcher"]

Dispatch = Callable[[str, dict[str, Any]], Any]

_ENCODE = compact_ascii


class TextDispatch:
    """A dispatch that takes the arguments as their JSON text, for sending them on unchanged.

    The worker writes a tool call to its pipe: decoding the arguments only to encode them
    again would cost both for nothing. Subclasses define ``__call__(name, arguments_json)``.
    """

    __slots__ = ()

    def __call__(self, name: str, arguments_json: str) -> Any:
        raise NotImplementedError


class SkillTools:
    """Gateway from skill code to the host's tools.

    Args:
        dispatch: Called as ``dispatch(name, kwargs)`` with fresh JSON arguments; returns the
            tool's JSON value or raises ``sandbox.ToolError``.
    """

    __slots__ = ("_dispatch",)

    def __init__(self, dispatch: Dispatch | TextDispatch) -> None:
        self._dispatch = dispatch

    def lookup_tool(self, name: str) -> Callable[..., Any]:
        """Return a caller for tool ``name`` (the host decides whether it is granted)."""
        if not name.isidentifier() or name.startswith("_"):
            raise AttributeError(f"{name!r} is not a valid tool name")
        dispatch = self._dispatch
        as_text = isinstance(dispatch, TextDispatch)

        def call_tool(*args: Any, **kwargs: Any) -> Any:
            if args:
                raise TypeError(
                    f"tool {name!r} takes keyword arguments only, e.g. tools.{name}(key=value)"
                )
            try:
                text = _ENCODE(kwargs)
            except RecursionError as exc:
                # The interpreter's stack limit fired while encoding: chained as the cause, so
                # the skill's handlers report the limit (a skill catching this TypeError does
                # not get to carry on as if the limit had not fired).
                raise TypeError(f"arguments of tool {name!r} are nested too deeply") from exc
            except (TypeError, ValueError) as exc:
                raise TypeError(f"arguments of tool {name!r} must be JSON values: {exc}") from None
            if as_text:
                return dispatch(name, text)  # type: ignore[arg-type]
            return dispatch(name, json.loads(text))

        return call_tool

    def __getattr__(self, name: str) -> Callable[..., Any]:
        # Only trusted code reaches this path; skill code goes through the attribute guard.
        if name.startswith("_"):
            raise AttributeError(name)
        return self.lookup_tool(name)

    def __repr__(self) -> str:
        return "<tools>"


def tool_dispatcher(tools: SkillTools) -> Dispatch | TextDispatch:
    """The dispatch function behind a tools object (for trusted code running skills itself)."""
    return tools._dispatch
