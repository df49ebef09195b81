"""Indexed reads of tool answers: the length each one needs, checked before it is read.

A plan may take a value from a list inside an earlier answer (``user["orders"][0]``): in every
recorded run the list was long enough, but a real backend may answer with a shorter one (a
customer without orders, an order with one item). Reading past its end would crash the skill
with ``IndexError``, which says nothing about what was missing. So before a statement that
reads an element, the rendered skill checks the list's length and stops with a
``SkillPrecondition`` naming the list (``user has no orders``). A check holds for the rest of the
block it is in, so a list read twice is checked once; a check inside a branch of a choice holds
only in that branch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from skills_runtime.synthesis.lift import Path
from skills_runtime.synthesis.plan import (
    CallStep,
    Choice,
    Expr,
    Guard,
    Loop,
    Plan,
    ResultRef,
    Statement,
)

__all__ = ["IndexNeed", "index_needs", "lengths_sentence", "need_message", "statement_exprs"]


@dataclass(frozen=True)
class IndexNeed:
    """``len(var<path>) > index`` must hold before ``var<path>[index]`` is read."""

    var: str
    path: Path
    index: int


def statement_exprs(statement: Statement) -> tuple[Expr, ...]:
    """The expressions a statement reads before it does anything else (a choice's branches
    are blocks of their own and are not included)."""
    if isinstance(statement, CallStep):
        return tuple(expr for _, expr in statement.args)
    if isinstance(statement, Guard):
        return (statement.subject, statement.expected)
    if isinstance(statement, Loop):
        return (statement.source,)
    return ()


def index_needs(exprs: Iterable[Expr], checked: dict[tuple[str, Path], int]) -> list[IndexNeed]:
    """The length checks ``exprs`` need beyond those in ``checked`` (updated with them).

    ``checked`` maps a list (a variable and a path into it) to the largest index already
    checked in the current block. Outer lists come first: ``order["items"][0]["variants"][1]``
    checks the items, then the first item's variants.
    """
    found: list[IndexNeed] = []
    for expr in exprs:
        if not isinstance(expr, ResultRef):
            continue
        for need in _needs(expr):
            key = (need.var, need.path)
            if checked.get(key, -1) >= need.index:
                continue
            checked[key] = need.index
            found.append(need)
    return found


def _needs(ref: ResultRef) -> Iterator[IndexNeed]:
    for position, part in enumerate(ref.path):
        if isinstance(part, int) and part >= 0:
            yield IndexNeed(ref.var, ref.path[:position], part)


def need_message(need: IndexNeed) -> str:
    """``user has no orders``, ``order has fewer than 2 items``: what was missing, in words."""
    owner = need.var.replace("_", " ")
    names = [part for part in need.path if isinstance(part, str)]
    if need.path and isinstance(need.path[-1], str):
        what = need.path[-1].replace("_", " ")
    else:
        what = "elements"
    if names and len(names) < len(need.path):
        # A list inside an element of another list: name where it sits.
        owner = f"{owner} {' '.join(str(part).replace('_', ' ') for part in need.path[:-1])}"
    if need.index == 0:
        return f"{owner} has no {what}"
    return f"{owner} has fewer than {need.index + 1} {what}"


def lengths_sentence(plan: Plan) -> str:
    """The docstring's words for the length checks of a plan (empty when it reads no element
    of a list): ``It also stops with SkillPrecondition if the user has no orders.``"""
    checked: dict[tuple[str, Path], int] = {}
    needs: list[IndexNeed] = []
    statements: list[Statement] = list(plan.body)
    while statements:
        statement = statements.pop(0)
        if isinstance(statement, Choice):
            statements[:0] = [part for branch in statement.branches for part in branch.body]
            continue
        needs += index_needs(statement_exprs(statement), checked)
    if plan.answer is not None:
        needs += index_needs((ResultRef(plan.returns, plan.answer[1]),), checked)
    messages = list(dict.fromkeys(f"the {need_message(need)}" for need in needs))
    if not messages:
        return ""
    joined = messages[0] if len(messages) == 1 else ", ".join(messages[:-1]) + " or " + messages[-1]
    return f"It also stops with SkillPrecondition if {joined}."
