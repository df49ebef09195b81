"""Lifting: explain every argument of every call as data flow, a reused input, or a fresh value.

A trajectory is lifted into a small IR of calls. Each argument value (and each element of a list
of scalars) gets an :class:`Origin`: the earlier argument that already carried the same value
(``same_as``), and the places in earlier results where it appeared (``flows``, with their paths,
e.g. ``("items", 2, "item_id")``). Only *distinctive* values are matched: ``1``, ``True``, ``""``
or ``"USA"`` appear everywhere and prove nothing.

Failed calls are dropped with a note — flagged by the source, or answering with what reads as an
error (see :mod:`~skills_runtime.trajectory.failures`): a failed read answers nothing a later
call could use, and a failed write changed nothing. A successful retry stays, as an ordinary
call. A read that repeats an earlier one exactly (same tool, arguments and answer) is dropped
too: it taught the agent nothing new.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from skills_runtime.trajectory.failures import failure_of
from skills_runtime.trajectory.model import Trajectory, canonical_json
from skills_runtime.trajectory.values import Path, is_distinctive, walk

__all__ = [
    "Flow",
    "LiftedArg",
    "LiftedStep",
    "LiftedTrace",
    "Origin",
    "Path",
    "is_distinctive",
    "lift",
    "walk",
]


@dataclass(frozen=True)
class Flow:
    """A value found in the result of step ``step`` (an index into the lifted steps) at ``path``."""

    step: int
    path: Path


@dataclass(frozen=True)
class Origin:
    """Where a distinctive value could come from when a call used it."""

    same_as: tuple[int, str, int | None] | None
    """The first earlier (step, argument, list element) that used the same value, if any."""
    flows: tuple[Flow, ...]
    """Result paths, in earlier steps, holding the value (before its first use as an argument)."""


@dataclass(frozen=True)
class LiftedArg:
    """One argument of a call with the explanation of its value."""

    name: str
    value: Any
    origin: Origin | None
    """None when the value is not distinctive (or not a scalar)."""
    elements: tuple[Origin | None, ...] | None
    """Per-element origins when the value is a list of scalars."""


@dataclass(frozen=True)
class LiftedStep:
    """One successful call of the trajectory."""

    index: int
    """Position of the call in the original trajectory."""
    name: str
    is_write: bool
    args: tuple[LiftedArg, ...]
    result: Any
    turn: int = 0
    """The request (turn) of the trajectory the call served."""
    context: bool = False
    """Whether the call sets what later calls act on (a directory, a login): a write."""

    def arg(self, name: str) -> LiftedArg | None:
        """The argument called ``name``, if the call had one."""
        for arg in self.args:
            if arg.name == name:
                return arg
        return None


@dataclass(frozen=True)
class LiftedTrace:
    """A trajectory as IR: its successful calls with explained arguments, and what was dropped."""

    trajectory: Trajectory
    steps: tuple[LiftedStep, ...]
    dropped: tuple[tuple[int, str], ...]
    """(original call index, reason) for every call left out of the IR."""
    digest: str = ""
    """The trajectory's content digest, computed once (it orders units of equal ids)."""


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


class _Explainer:
    """Remembers where values appeared, in trajectory order, to explain later arguments."""

    def __init__(self) -> None:
        self._seen_results: dict[str, list[Flow]] = {}
        self._first_use: dict[str, tuple[int, str, int | None]] = {}
        self._origins: dict[str, tuple[Flow, ...]] = {}

    @staticmethod
    def _key(value: Any) -> str:
        return f"{type(value).__name__}:{value!r}"

    def origin(self, value: Any, use: tuple[int, str, int | None]) -> Origin | None:
        if not is_distinctive(value):
            return None
        key = self._key(value)
        first = self._first_use.get(key)
        if first is None:
            self._first_use[key] = use
            self._origins[key] = tuple(self._seen_results.get(key, ()))
            return Origin(same_as=None, flows=self._origins[key])
        return Origin(same_as=first, flows=self._origins[key])

    def record_result(self, step: int, result: Any) -> None:
        """Note where ``result`` holds distinctive values; objects are read in key order, so
        data-flow paths never depend on how a recording happened to order its keys."""
        seen = self._seen_results
        pending: list[tuple[Path, Any]] = [((), result)]
        while pending:  # depth first, children in order: the order ``walk`` gives
            path, value = pending.pop()
            if isinstance(value, dict):
                pending.extend(
                    ((*path, str(key)), value[key]) for key in sorted(value, reverse=True)
                )
            elif isinstance(value, list):
                pending.extend(
                    ((*path, index), value[index]) for index in range(len(value) - 1, -1, -1)
                )
            elif _scalar(value) and is_distinctive(value):
                seen.setdefault(self._key(value), []).append(Flow(step, path))


def _ordered_arguments(
    trajectory: Trajectory, tool: str, arguments: Mapping[str, Any]
) -> list[tuple[str, Any]]:
    """A call's arguments in the order of the tool's ``required`` list, then by name.

    JSON objects have no order, and stores (the registry among them) keep them with sorted keys,
    so neither the recording's argument order nor the schema's ``properties`` order survives a
    round trip; the ``required`` list, being a list, does. The skill comes out the same whichever
    order a recording happens to spell.
    """
    schema = trajectory.schema_of(tool)
    required = schema.parameters.get("required") if schema is not None else None
    declared = (
        [name for name in required if isinstance(name, str)] if isinstance(required, list) else []
    )
    rank = {name: position for position, name in enumerate(declared)}
    return sorted(arguments.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


def lift(
    trajectory: Trajectory,
    *,
    digest: str | None = None,
    context: frozenset[str] = frozenset(),
) -> LiftedTrace:
    """Lift a trajectory into explained calls (failed and unreadable calls are dropped, noted).

    Args:
        trajectory: The trajectory, its calls marked read or write (see ``EffectTable.apply``).
        digest: Its content digest when the caller already computed it.
        context: Tools whose calls set what later calls act on (see ``ToolEffect.context``).
    """
    explainer = _Explainer()
    steps: list[LiftedStep] = []
    dropped: list[tuple[int, str]] = []
    reads_seen: set[str] = set()
    for index, call in enumerate(trajectory.calls):
        if not call.paired or call.raw_arguments is not None:
            dropped.append((index, "call without a result or with unreadable arguments"))
            continue
        failure = failure_of(call)
        if failure is not None:
            dropped.append(
                (index, f"failed call ({failure}): it answered nothing and changed nothing")
            )
            continue
        is_write = trajectory.is_write(call)
        if not is_write:
            seen = canonical_json([call.name, call.arguments, call.result])
            if seen in reads_seen:
                dropped.append((index, "repeats an earlier read with the same answer"))
                continue
            reads_seen.add(seen)
        position = len(steps)
        args: list[LiftedArg] = []
        for name, value in _ordered_arguments(trajectory, call.name, call.arguments):
            elements: tuple[Origin | None, ...] | None = None
            if isinstance(value, list) and all(_scalar(item) for item in value):
                elements = tuple(
                    explainer.origin(item, (position, name, k)) for k, item in enumerate(value)
                )
                origin = None
            else:
                origin = explainer.origin(value, (position, name, None)) if _scalar(value) else None
            args.append(LiftedArg(name=name, value=value, origin=origin, elements=elements))
        steps.append(
            LiftedStep(
                index=index,
                name=call.name,
                is_write=is_write,
                args=tuple(args),
                result=call.result,
                turn=call.turn,
                context=is_write and call.name in context,
            )
        )
        explainer.record_result(position, call.result)
    return LiftedTrace(
        trajectory=trajectory,
        steps=tuple(steps),
        dropped=tuple(dropped),
        digest=digest if digest is not None else trajectory.digest(),
    )
