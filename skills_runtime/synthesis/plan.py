"""The skill IR: what a synthesized skill does, before it is rendered as Python.

A plan is a straight line of tool calls and guards over typed parameters. Every argument is an
expression: a parameter, a path into an earlier call's result, or a constant. Guards compare a
path into a result with an expected value and raise ``SkillPrecondition`` when it differs. The
plan returns the result of its write call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skills_runtime.synthesis.lift import Path
from skills_runtime.synthesis.types import JsonType

__all__ = [
    "CallStep",
    "Const",
    "Expr",
    "Guard",
    "Param",
    "ParamRef",
    "Plan",
    "ResultRef",
    "evaluate",
]


@dataclass(frozen=True)
class ParamRef:
    """The value of a parameter."""

    name: str


@dataclass(frozen=True)
class ResultRef:
    """A value inside the result of an earlier call: ``order["items"][0]["item_id"]``."""

    var: str
    path: Path


@dataclass(frozen=True)
class Const:
    """A value equal in every trace of the family."""

    value: Any


Expr = ParamRef | ResultRef | Const


@dataclass(frozen=True)
class CallStep:
    """``var = tools.tool(arg=expr, ...)`` (``var`` is None when nothing reads the result)."""

    tool: str
    args: tuple[tuple[str, Expr], ...]
    var: str | None
    is_write: bool


@dataclass(frozen=True)
class Guard:
    """``if subject != expected: raise SkillPrecondition(message)``."""

    subject: ResultRef
    expected: Expr
    message: str


@dataclass(frozen=True)
class Param:
    """A typed parameter of the skill, with what it means and the value each trace gave it."""

    name: str
    type: JsonType
    description: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Plan:
    """A whole skill: parameters, calls and guards in order, and which result it returns."""

    params: tuple[Param, ...]
    body: tuple[CallStep | Guard, ...]
    returns: str
    return_type: JsonType

    @property
    def tools(self) -> tuple[str, ...]:
        """Tools called, in first-call order, without repeats."""
        return tuple(dict.fromkeys(s.tool for s in self.body if isinstance(s, CallStep)))

    @property
    def write_tools(self) -> tuple[str, ...]:
        return tuple(s.tool for s in self.body if isinstance(s, CallStep) and s.is_write)


def evaluate(expr: Expr, params: dict[str, Any], results: dict[str, Any]) -> Any:
    """The value of an expression given parameter values and the results seen so far."""
    if isinstance(expr, ParamRef):
        return params[expr.name]
    if isinstance(expr, Const):
        return expr.value
    value = results[expr.var]
    for part in expr.path:
        value = value[part]
    return value
