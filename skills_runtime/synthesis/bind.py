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
from skills_runtime.trajectory.failures import failure_of
from skills_runtime.trajectory.model import ToolCall, Trajectory, canonical_json

__all__ = ["CallSite", "SkillLike", "bind", "call_sites", "explain_bind", "site_groups"]


class SkillLike(Protocol):
    """What binding needs of a skill: its name and source (write tools when known)."""

    @property
    def name(self) -> str: ...

    @property
    def source(self) -> str: ...


@dataclass(frozen=True)
class CallSite:
    """One ``tools.NAME(...)`` call in a skill: which keyword takes which parameter.

    Calls of one tool in the branches of ``if p is None: ... else: ...`` (optional arguments)
    are alternatives: they share a ``group``, and a trajectory's call binds to the one whose
    keywords it passed.
    """

    tool: str
    params: tuple[tuple[str, str], ...]
    """(keyword, parameter name) for keywords whose value is a parameter as is."""
    keywords: frozenset[str] = frozenset()
    """Every keyword the call passes."""
    group: int = 0
    branch: int = 0
    """Which branch of an ``if a is not None: ... elif b is not None: ... else: ...`` choice
    (alternative ways of finding what the skill acts on) holds the call; 0 for none."""


def _is_none_test(node: cst.BaseExpression) -> bool:
    return (
        isinstance(node, cst.Comparison)
        and isinstance(node.left, cst.Name)
        and len(node.comparisons) == 1
        and isinstance(node.comparisons[0].operator, cst.Is)
        and isinstance(node.comparisons[0].comparator, cst.Name)
        and node.comparisons[0].comparator.value == "None"
    )


def _is_given_test(node: cst.BaseExpression) -> bool:
    """``a is not None and b is not None``: the test of a branch of a choice."""
    if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.And):
        return _is_given_test(node.left) and _is_given_test(node.right)
    return (
        isinstance(node, cst.Comparison)
        and isinstance(node.left, cst.Name)
        and len(node.comparisons) == 1
        and isinstance(node.comparisons[0].operator, cst.IsNot)
        and isinstance(node.comparisons[0].comparator, cst.Name)
        and node.comparisons[0].comparator.value == "None"
    )


class _Collector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.params: list[str] = []
        self.sites: list[CallSite] = []
        self.group = 0
        self.branching = 0
        self.branches = 0
        self.inside: list[int] = []
        self.otherwise: set[int] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self.params:
            self.params = [p.name.value for p in node.params.params][1:]

    def visit_If(self, node: cst.If) -> None:
        # ``if p is None: call(...) else: call(..., a=p)``: the calls inside are one group.
        if _is_none_test(node.test) and isinstance(node.orelse, cst.Else):
            if not self.branching:
                self.group += 1
            self.branching += 1

    def leave_If(self, original_node: cst.If) -> None:
        if _is_none_test(original_node.test) and isinstance(original_node.orelse, cst.Else):
            self.branching -= 1

    def visit_If_body(self, node: cst.If) -> None:
        if _is_given_test(node.test):
            self.branches += 1
            self.inside.append(self.branches)
            if isinstance(node.orelse, cst.Else):
                self.otherwise.add(id(node.orelse))

    def leave_If_body(self, node: cst.If) -> None:
        if _is_given_test(node.test):
            self.inside.pop()

    def visit_Else(self, node: cst.Else) -> None:
        if id(node) in self.otherwise:
            self.branches += 1
            self.inside.append(self.branches)

    def leave_Else(self, original_node: cst.Else) -> None:
        if id(original_node) in self.otherwise:
            self.inside.pop()

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
            keywords = frozenset(arg.keyword.value for arg in node.args if arg.keyword)
            if not self.branching:
                self.group += 1
            branch = self.inside[-1] if self.inside else 0
            self.sites.append(CallSite(func.attr.value, pairs, keywords, self.group, branch))


def call_sites(source: str) -> tuple[tuple[str, ...], tuple[CallSite, ...]]:
    """The parameters (after ``tools``) and the tool call sites of a skill source, in order."""
    collector = _Collector()
    cst.parse_module(source).visit(collector)
    return tuple(collector.params), tuple(collector.sites)


def site_groups(sites: tuple[CallSite, ...]) -> list[tuple[CallSite, ...]]:
    """Call sites gathered into their groups (one call, or the alternatives of one call)."""
    groups: dict[int, list[CallSite]] = {}
    for site in sites:
        groups.setdefault(site.group, []).append(site)
    return [tuple(group) for _, group in sorted(groups.items())]


def _choose(group: tuple[CallSite, ...], call: ToolCall) -> CallSite:
    """The alternative a call took: the one passing exactly its keywords (else the first)."""
    given = frozenset(call.arguments)
    return next((site for site in group if site.keywords == given), group[0])


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
    calls = [c for c in trajectory.calls if c.paired and failure_of(c) is None]
    bound: dict[str, Any] = {}
    cursor = 0
    last_write = -1

    def take(group: tuple[CallSite, ...], call: ToolCall) -> str | None:
        site = _choose(group, call)
        for keyword, param in site.params:
            if keyword not in call.arguments:
                return f"{call.name} was called without {keyword!r}"
            value = call.arguments[keyword]
            if param in bound and canonical_json(bound[param]) != canonical_json(value):
                return f"{param!r} would be both {bound[param]!r} and {value!r}"
        for keyword, param in site.params:
            bound[param] = call.arguments[keyword]
        # The other branches' optional parameters were left out by this call.
        for other in group:
            for _, param in other.params:
                bound.setdefault(param, None)
        return None

    groups = site_groups(sites)
    # A write inside a branch (a ``cd`` made only on one way in) is the way the trajectory took
    # when its next write is that one; otherwise the branch is left out.
    way_written: int | None = None
    left_out: set[int] = set()
    for group in (g for g in groups if g[0].tool in writes):
        site = group[0]
        if site.branch:
            upcoming = next(
                (k for k in range(cursor, len(calls)) if trajectory.is_write(calls[k])), None
            )
            if upcoming is None or calls[upcoming].name != site.tool or way_written is not None:
                left_out.add(site.branch)
                continue
            cursor = upcoming
            way_written = site.branch
        while cursor < len(calls) and not (
            calls[cursor].name == site.tool and trajectory.is_write(calls[cursor])
        ):
            cursor += 1
        if cursor >= len(calls):
            return fail(f"the trajectory has no (further) successful write {site.tool}")
        problem = take(group, calls[cursor])
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

    def bind_reads(read_groups: list[tuple[CallSite, ...]]) -> str | None:
        for group in read_groups:
            site = group[0]
            if not any(alternative.params for alternative in group):
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
            if not candidates or take(group, candidates[0]) is not None:
                shown = ", ".join(f"{k}={bound.get(p, '?')!r}" for k, p in site.params)
                return f"the trajectory has no read {site.tool}({shown}) to bind from"
        return None

    reads = [g for g in groups if g[0].tool not in writes]
    problem = bind_reads([g for g in reads if not g[0].branch])
    if problem:
        return fail(problem)
    # Alternative ways in: the first branch whose reads the trajectory made all of is the way
    # it took; every other branch's parameters are left out (None), so the skill skips them.
    taken_way = False
    branches = sorted({g[0].branch for g in groups if g[0].branch})
    if way_written is not None:  # the way whose write the trajectory made comes first
        branches = [way_written, *(b for b in branches if b != way_written)]
    for branch in branches:
        own = [g for g in groups if g[0].branch == branch]
        own_reads = [g for g in own if g[0].tool not in writes]
        before = dict(bound)
        if branch == way_written:
            problem = bind_reads(own_reads)
            if problem:
                return fail(problem)
            taken_way = True
            continue
        if taken_way or branch in left_out or bind_reads(own_reads) is not None:
            bound.clear()
            bound.update(before)
            for group in own:
                for site in group:
                    for _, param in site.params:
                        bound.setdefault(param, None)
            continue
        taken_way = True
    missing = [p for p in params if p not in bound]
    if missing:
        return fail(f"no call of the trajectory gives a value for {', '.join(missing)}")
    return Binding(skill.name, trajectory.id, {p: bound[p] for p in params})


def bind(skill: SkillLike, trajectory: Trajectory) -> Binding | None:
    """The arguments that make ``skill`` reproduce ``trajectory``; None when ``explain_bind``
    finds no binding (it says why)."""
    found = explain_bind(skill, trajectory)
    return found if isinstance(found, Binding) else None
