"""Binding: the arguments a skill must be called with to reproduce a trajectory.

Binding reads the skill's *source* (with libcst, never by running it), so it works for any skill
of the contract shape, synthesized or stored: every ``tools.NAME(arg=param)`` names where a
parameter's value shows up in a trajectory. Writes are matched first, in order (they are exact);
then reads supply the parameters only they use (a name and zip for a lookup), choosing the first
read of that tool that agrees with what is already bound.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol

import libcst as cst

from skills_runtime.synthesis.lift import is_distinctive, walk
from skills_runtime.synthesis.model import BindFailure, Binding
from skills_runtime.trajectory.model import ToolCall, Trajectory, canonical_json

__all__ = ["CallSite", "SkillLike", "bind", "call_sites", "explain_bind"]


class SkillLike(Protocol):
    """What binding needs of a skill: its name and source (write tools when known)."""

    @property
    def name(self) -> str: ...

    @property
    def source(self) -> str: ...


@dataclass(frozen=True)
class CallSite:
    """One ``tools.NAME(...)`` call in a skill: which keyword takes which parameter."""

    tool: str
    params: tuple[tuple[str, str], ...]
    """(keyword, parameter name) for keywords whose value is a parameter as is."""


class _Collector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.params: list[str] = []
        self.sites: list[CallSite] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self.params:
            self.params = [p.name.value for p in node.params.params][1:]

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == "tools"
        ):
            pairs = tuple(
                (arg.keyword.value, arg.value.value)
                for arg in node.args
                if arg.keyword is not None
                and isinstance(arg.value, cst.Name)
                and arg.value.value in self.params
            )
            self.sites.append(CallSite(func.attr.value, pairs))


def call_sites(source: str) -> tuple[tuple[str, ...], tuple[CallSite, ...]]:
    """The parameters (after ``tools``) and the tool call sites of a skill source, in order."""
    collector = _Collector()
    cst.parse_module(source).visit(collector)
    return tuple(collector.params), tuple(collector.sites)


def _write_tools(skill: SkillLike, trajectory: Trajectory) -> Collection[str]:
    declared = getattr(skill, "write_tools", None)
    if declared:
        return set(declared)
    return {call.name for call in trajectory.calls if trajectory.is_write(call)}


def explain_bind(skill: SkillLike, trajectory: Trajectory) -> Binding | BindFailure:
    """Bind a skill to a trajectory, or say why it cannot be bound."""

    def fail(reason: str) -> BindFailure:
        return BindFailure(skill.name, trajectory.id, reason)

    try:
        params, sites = call_sites(skill.source)
    except cst.ParserSyntaxError as error:
        return fail(f"the skill source does not parse: {error.message}")
    writes = _write_tools(skill, trajectory)
    calls = [c for c in trajectory.calls if not c.is_error and c.paired]
    bound: dict[str, Any] = {}
    cursor = 0
    last_write = -1

    def take(site: CallSite, call: ToolCall) -> str | None:
        for keyword, param in site.params:
            if keyword not in call.arguments:
                return f"{call.name} was called without {keyword!r}"
            value = call.arguments[keyword]
            if param in bound and canonical_json(bound[param]) != canonical_json(value):
                return f"{param!r} would be both {bound[param]!r} and {value!r}"
        for keyword, param in site.params:
            bound[param] = call.arguments[keyword]
        return None

    for site in (s for s in sites if s.tool in writes):
        while cursor < len(calls) and not (
            calls[cursor].name == site.tool and trajectory.is_write(calls[cursor])
        ):
            cursor += 1
        if cursor >= len(calls):
            return fail(f"the trajectory has no (further) successful write {site.tool}")
        problem = take(site, calls[cursor])
        if problem:
            return fail(problem)
        last_write = cursor
        cursor += 1
    # A skill that ends with a write is bound up to that write; one that ends with a read (it
    # answers, perhaps after signing in) may take values from any call before its answer.
    ends_with_write = bool(sites) and sites[-1].tool in writes
    horizon = calls[: last_write + 1] if last_write >= 0 and ends_with_write else calls
    # Values the writes used: when several reads could supply a parameter, the one whose result
    # holds most of them is the one the procedure read (the same evidence lifting uses).
    written = {
        canonical_json(value)
        for call in horizon
        if trajectory.is_write(call)
        for arg in call.arguments.values()
        for _, value in walk(arg)
        if is_distinctive(value)
    }

    def evidence(call: ToolCall) -> int:
        return sum(1 for _, v in walk(call.result) if canonical_json(v) in written)

    for site in (s for s in sites if s.tool not in writes):
        if not site.params:
            continue
        candidates = [
            call
            for call in horizon
            if call.name == site.tool
            and not trajectory.is_write(call)
            and all(
                param not in bound
                or canonical_json(bound[param]) == canonical_json(call.arguments.get(keyword))
                for keyword, param in site.params
            )
        ]
        candidates.sort(key=lambda call: -evidence(call))
        if not candidates or take(site, candidates[0]) is not None:
            shown = ", ".join(f"{k}={bound.get(p, '?')!r}" for k, p in site.params)
            return fail(f"the trajectory has no read {site.tool}({shown}) to bind from")
    missing = [p for p in params if p not in bound]
    if missing:
        return fail(f"no call of the trajectory gives a value for {', '.join(missing)}")
    return Binding(skill.name, trajectory.id, {p: bound[p] for p in params})


def bind(skill: SkillLike, trajectory: Trajectory) -> Binding | None:
    """The arguments that make ``skill`` reproduce ``trajectory``; None when ``explain_bind``
    finds no binding (it says why)."""
    found = explain_bind(skill, trajectory)
    return found if isinstance(found, Binding) else None
