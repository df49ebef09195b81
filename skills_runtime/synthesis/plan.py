"""The skill IR: what a synthesized skill does, before it is rendered as Python.

A plan is a line of tool calls, guards and loops over typed parameters. Every argument is an
expression: a parameter, a path into an earlier call's result, a constant, or (inside a loop) a
path into the loop's element. Guards compare a path into a result with an expected value and
raise ``SkillPrecondition`` when it differs. A loop calls one read tool per element of a list,
optionally only for elements whose field is in another list. The plan returns the result of its
write call.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from skills_runtime.synthesis.lift import Path
from skills_runtime.synthesis.types import JsonType

__all__ = [
    "Branch",
    "CallStep",
    "Choice",
    "Const",
    "ElementRef",
    "Expr",
    "Guard",
    "GuardKind",
    "Loop",
    "Param",
    "ParamRef",
    "Plan",
    "Required",
    "ResultRef",
    "Statement",
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


@dataclass(frozen=True)
class ElementRef:
    """The element of the enclosing loop, or a value inside it: ``item["product_id"]``."""

    var: str
    path: Path


Expr = ParamRef | ResultRef | Const | ElementRef


@dataclass(frozen=True)
class CallStep:
    """``var = tools.tool(arg=expr, ...)`` (``var`` is None when nothing reads the result)."""

    tool: str
    args: tuple[tuple[str, Expr], ...]
    var: str | None
    is_write: bool
    context: bool = False
    """A write that sets what later calls act on (a directory, a login), not a change asked for."""
    optional: tuple[tuple[str, ParamRef], ...] = ()
    """Arguments some traces passed and others left out: each is passed only when its parameter
    is not None (rendered as ``if p is None: call(...) else: call(..., a=p)``)."""


GuardKind = Literal["value", "owner", "match"]


@dataclass(frozen=True)
class Guard:
    """``if subject != expected: raise SkillPrecondition(...)``.

    ``kind`` says what the condition means, so the message and the docstring can say it in
    words: ``value`` (a field such as a status must equal a constant), ``owner`` (the record's
    owner id must be the one the skill found or was given), ``match`` (a field must equal a value
    the skill already knows). ``noun`` names the record in words (``order``), ``other`` what
    ``expected`` stands for (``customer``, ``email``; empty for a constant).
    """

    subject: ResultRef
    expected: Expr
    kind: GuardKind
    noun: str
    other: str = ""
    lesson: str = ""
    """The error a write answered when the condition did not hold, when one taught it."""


@dataclass(frozen=True)
class Loop:
    """``for var in source: [if var<where path> in <where list>:] <call>``."""

    var: str
    source: Expr
    where: tuple[Path, Expr] | None
    call: CallStep
    description: str


@dataclass(frozen=True)
class Branch:
    """Steps that run when every parameter in ``when`` was given (is not None)."""

    when: tuple[str, ...]
    body: tuple[CallStep | Guard, ...]


@dataclass(frozen=True)
class Choice:
    """``if ...: elif ...:`` — the first branch whose parameters were all given runs, or none.

    One skill stands for procedures that differ only in how they find what they act on (a
    customer by email, by name and zip, or not at all): each way is a branch, chosen by which
    of its parameters the caller gave.
    """

    branches: tuple[Branch, ...]
    stop: str = ""
    """When not empty, taking no branch stops the skill with this message (the steps after the
    choice need what every branch finds): ``give email, or first_name, last_name and zip``."""


@dataclass(frozen=True)
class Required:
    """``if p is None: raise SkillPrecondition(...)``: a value the steps after a choice need,
    which the caller gives or one of the branches finds (``user_id``, or a name and zip to
    look it up). Without it the skill stops before any write and says how to give it."""

    param: str
    ways: tuple[tuple[str, ...], ...]
    """The parameters of each branch that would have found it."""


Statement = CallStep | Guard | Loop | Choice | Required


@dataclass(frozen=True)
class Param:
    """A typed parameter of the skill, with what it means and the value each trace gave it."""

    name: str
    type: JsonType
    description: str
    values: tuple[Any, ...]
    optional: bool = False
    """Whether the caller may leave it out (``= None``): some traces did not pass it."""


@dataclass(frozen=True)
class Plan:
    """A whole skill: parameters, calls and guards in order, and which result it returns."""

    params: tuple[Param, ...]
    body: tuple[Statement, ...]
    returns: str
    return_type: JsonType
    returned_noun: str = ""
    """What the write answers in words (``order``) when every trace shows it, else ``""``."""
    expected_reads: tuple[str, ...] = ()
    """Reads the recorded runs made whose answers the procedure never uses: the agent made them
    to choose what to ask for, so the caller is expected to have made them."""
    answer: tuple[str, Path] | None = None
    """For a procedure that only answers: ``("value", path)`` returns the value at ``path`` of
    the last read's result, ``("count", path)`` the number of elements of the list there."""

    @property
    def tools(self) -> tuple[str, ...]:
        """Tools called, in first-call order, without repeats."""
        return tuple(dict.fromkeys(call.tool for call in self.calls))

    def _flat(self) -> Iterator[CallStep | Guard]:
        """Every call and guard, loop bodies and branches included, in source order."""
        for statement in self.body:
            if isinstance(statement, Loop):
                yield statement.call
            elif isinstance(statement, CallStep | Guard):
                yield statement
            elif isinstance(statement, Choice):
                for branch in statement.branches:
                    yield from branch.body

    @property
    def calls(self) -> tuple[CallStep, ...]:
        """Every call, loop bodies and branches included, in source order."""
        return tuple(s for s in self._flat() if isinstance(s, CallStep))

    @property
    def guards(self) -> tuple[Guard, ...]:
        """Every guard, those of branches included, in source order."""
        return tuple(s for s in self._flat() if isinstance(s, Guard))

    @property
    def write_tools(self) -> tuple[str, ...]:
        """Every write, in order, the ones that only set context included (those of branches
        too: a ``cd`` made on one way in)."""
        return tuple(call.tool for call in self.calls if call.is_write)

    @property
    def changes(self) -> tuple[str, ...]:
        """The writes the procedure is for (not the moves and logins that set context)."""
        return tuple(
            s.tool for s in self.body if isinstance(s, CallStep) and s.is_write and not s.context
        )

    @property
    def final_tool(self) -> str:
        """What the procedure ends with: its last change, else (it answers) its last call."""
        changes = self.changes
        return changes[-1] if changes else self.calls[-1].tool
