"""Grouping: cut trajectories into procedures (units) and gather the units of one shape.

A *unit* is what one request needed. Its writes are the state changes of one request (turn) that
belong together, each with its *backward slice*: the earlier reads that explain its scalar
arguments (an argument reused from a read's arguments, or found in a read's result at a path
without list positions), transitively, plus the entry lookup whose answer identifies the entity
the slice reads (a user id found by name and zip that the order's result names). Reads that feed
nothing are left out: they are the agent's exploration, not the procedure.

Writes of one request belong together when the later one depends on the earlier one:

- *a created id*: the id of what the earlier write answered (its whole answer, its ``id``, or
  ``ticket_id`` when the tool names a ticket), that nothing showed before, is an argument of
  the later one (a ticket is created, then assigned by the id it was given);
- *a fresh name*: both take a name (not an id) that no earlier call answered: the same name
  when it is distinctive or an argument names a place, or a path below it (a directory is made,
  then a file is moved into it);
- *context*: the earlier write sets what later calls act on (moving into a directory, logging
  in: see ``ToolEffect.context``) and every later write of the request depends on it.

Writes that depend on none of each other are separate procedures, even in one request ("cancel
this order and return that one"). A request that changed nothing but answered the user gives an
*answer unit*: the reads whose results the answer quotes (or, with no answer recorded, the last
read), with their slices; it returns what the last of them answered. One read alone is no
procedure.

A *family* is the set of units with the same key: the sequence of tools of the unit, consecutive
repeats of a read collapsed. When a family of joined writes is too small, its units are split
back into one unit per write (``split_unit``), which usually join larger families.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from skills_runtime.effects.lexicon import words
from skills_runtime.synthesis.lift import (
    Flow,
    LiftedStep,
    LiftedTrace,
    Origin,
    Path,
    is_distinctive,
    walk,
)
from skills_runtime.trajectory.model import canonical_json
from skills_runtime.trajectory.values import states

__all__ = [
    "Answer",
    "Family",
    "Unit",
    "answer_options",
    "family_key_text",
    "group_units",
    "split_unit",
    "units_of",
]


AnswerKind = Literal["value", "count"]
Answer = tuple[AnswerKind, Path]
"""How a request's answer was computed from the last read: the value at a path of its result,
or the number of elements of a list there."""


@dataclass(frozen=True)
class Unit:
    """One procedure of a trajectory: its writes (or answer) and the reads they need, in order."""

    trace: LiftedTrace
    steps: tuple[int, ...]
    """Positions (into ``trace.steps``) of the unit; the last one is its final write or answer."""
    ordinal: int
    """Which unit of its trajectory this is (0-based)."""
    writes: tuple[int, ...] = ()
    """Positions of its writes, in order (empty for an answer unit)."""
    total: int = 1
    """How many units its trajectory gave (ids carry ``#k`` when more than one)."""
    part: str = ""
    """For one write of a split unit, its label (``0a``, ``0b``): the id becomes ``t#0a``."""
    answers_with: frozenset[Answer] = frozenset()
    """For an answer unit, every way of computing from its last read a value its answer states."""

    @property
    def trajectory_id(self) -> str:
        return self.trace.trajectory.id

    @property
    def unit_id(self) -> str:
        """The trajectory id, with ``#k`` for the k-th unit when the trajectory has several."""
        if self.part:
            return f"{self.trajectory_id}#{self.part}"
        return self.trajectory_id if self.total == 1 else f"{self.trajectory_id}#{self.ordinal}"

    @property
    def write(self) -> LiftedStep:
        """The final step: the last write, or the read whose answer the unit returns."""
        return self.trace.steps[self.steps[-1]]

    @property
    def answers(self) -> bool:
        """Whether the unit only answers (it may move or sign in first, but changes nothing)."""
        return self.write.is_write is False

    @property
    def key(self) -> tuple[str, ...]:
        names: list[str] = []
        previous: LiftedStep | None = None
        for position in self.steps:
            step = self.trace.steps[position]
            # A run of one read is one slot; every write is its own slot.
            if previous is None or previous.name != step.name or step.is_write:
                names.append(step.name)
            previous = step
        if self.answers:
            names.append("-> answer")
        return tuple(names)


@dataclass(frozen=True)
class Family:
    """Units of the same procedure, ordered by unit id."""

    key: tuple[str, ...]
    units: tuple[Unit, ...]


def family_key_text(key: tuple[str, ...]) -> str:
    """A readable, stable spelling of a family key: ``find_user -> get_order -> cancel``."""
    return " -> ".join(part.removeprefix("-> ") for part in key)


def _strength(flow: Flow) -> tuple[int, int, int]:
    positions = sum(1 for part in flow.path if isinstance(part, int))
    return (positions, len(flow.path), -flow.step)


def _strong_flow(origin: Origin) -> Flow | None:
    strong = [flow for flow in origin.flows if not any(isinstance(p, int) for p in flow.path)]
    return min(strong, key=_strength) if strong else None


def _needs(step: LiftedStep) -> Iterable[int]:
    # Elements of list arguments (the items to exchange, the new items) are the agent's choices:
    # the reads that show them are handled as loops (see ``loops``), not as the slice's spine.
    for arg in step.args:
        origin = arg.origin
        if arg.elements is not None or origin is None:
            continue
        flow = _strong_flow(origin)
        if flow is not None:  # it came from an answer: that read, not an earlier use of it
            yield flow.step
        elif origin.same_as is not None:
            yield origin.same_as[0]


def _slice(trace: LiftedTrace, sink: int) -> set[int]:
    """The sink and the reads before it that it needs (see the module docstring)."""
    chosen = {sink}
    pending = [sink]
    while pending:
        position = pending.pop()
        for needed in _needs(trace.steps[position]):
            step = trace.steps[needed]
            # Reads, and writes that set context (a login whose token a later call passes).
            if needed < sink and needed not in chosen and (not step.is_write or step.context):
                chosen.add(needed)
                pending.append(needed)
    # An entry lookup (a read answering one distinctive value, like a user id) belongs to the
    # slice when a chosen read's result names that value: it identifies the same entity.
    named: set[str] = set()
    for position in chosen:
        if position != sink:
            for _, value in walk(trace.steps[position].result):
                if isinstance(value, str):
                    named.add(value)
    for position in range(sink):
        step = trace.steps[position]
        if (
            position not in chosen
            and not step.is_write
            and isinstance(step.result, str)
            and is_distinctive(step.result)
            and step.result in named
        ):
            first = next(
                k
                for k in range(sink)
                if trace.steps[k].name == step.name and trace.steps[k].result == step.result
            )
            chosen.add(first)
    return chosen


def _fresh_strings(step: LiftedStep) -> set[str]:
    """String arguments that look like names (no spaces): candidates for a shared fresh value.

    Identifiers (arguments named ``id`` or ``*_id``) are left out: a system gives ids to things
    that already exist, so two writes taking one id act on one existing thing, which joins
    nothing (an order re-addressed and then changed), while a name a write introduces is what
    a later write can build on (a directory made, then filled).
    """
    found = set()
    for arg in step.args:
        if arg.name == "id" or arg.name.endswith(("_id", "_ids")):
            continue
        values = arg.value if isinstance(arg.value, list) else [arg.value]
        for value in values:
            if (
                isinstance(value, str)
                and len(value.strip()) >= 2
                and not any(ch.isspace() for ch in value)
            ):
                found.add(value)
    return found


def _seen_before(trace: LiftedTrace, position: int) -> set[str]:
    """Every scalar value (as JSON) answered by, or passed to, a call before ``position``."""
    seen: set[str] = set()
    for step in trace.steps[:position]:
        for _, value in walk(step.result):
            if isinstance(value, str | int | float):
                seen.add(canonical_json(value))
    return seen


def _own_id(tool: str, path: tuple[str | int, ...]) -> bool:
    """Whether ``path`` in an answer of ``tool`` is the identity of what it answered: the whole
    answer, its ``id``, or the ``<noun>_id`` of a noun in the tool's name (``ticket_id`` of
    ``create_ticket``), not an id it merely mentions (the ``user_id`` an order belongs to)."""
    if not path:
        return True
    if len(path) != 1 or not isinstance(path[0], str):
        return False
    field = path[0].lower()
    if field == "id":
        return True
    noun = field.removesuffix("_id")
    return field.endswith("_id") and noun in words(tool)


def _created(trace: LiftedTrace, earlier: int, later: int) -> bool:
    """Whether the later write takes an id the earlier one created: its whole answer or an id
    field of it, never an argument of it, and seen nowhere before it."""
    first, second = trace.steps[earlier], trace.steps[later]
    given = {canonical_json(value) for arg in first.args for _, value in walk(arg.value)}
    seen: set[str] | None = None
    for arg in second.args:
        values = arg.value if arg.elements is not None else [arg.value]
        origins = arg.elements if arg.elements is not None else (arg.origin,)
        for value, origin in zip(values, origins, strict=True):
            if origin is None or not any(
                flow.step == earlier and _own_id(first.name, flow.path) for flow in origin.flows
            ):
                continue
            key = canonical_json(value)
            seen = _seen_before(trace, earlier) if seen is None else seen
            if key not in given and key not in seen:
                return True
    return False


_LOCATION_WORDS = frozenset(
    [
        "dir",
        "directory",
        "folder",
        "path",
        "dest",
        "destination",
        "target",
        "parent",
        "location",
        "into",
        "where",
    ]
)


def _names_a_place(name: str) -> bool:
    return any(word in _LOCATION_WORDS for word in words(name))


def _shares_fresh_name(trace: LiftedTrace, earlier: int, later: int) -> bool:
    """Whether both writes take a name the earlier one introduced (see the module docstring)."""
    first, second = trace.steps[earlier], trace.steps[later]
    names = _fresh_strings(first)
    if not names:
        return False
    seen = _seen_before(trace, earlier)
    fresh = {name for name in names if canonical_json(name) not in seen}
    place = any(_names_a_place(arg.name) for arg in (*first.args, *second.args))
    for value in _fresh_strings(second):
        if value in fresh and (place or is_distinctive(value)):
            return True
        if any(value.startswith((name + "/", name + "\\")) for name in fresh):
            return True
    return False


def _depends(trace: LiftedTrace, earlier: int, later: int) -> bool:
    """Whether the write at ``later`` depends on the write at ``earlier`` (same request)."""
    return _created(trace, earlier, later) or _shares_fresh_name(trace, earlier, later)


def _components(trace: LiftedTrace, writes: list[int]) -> list[list[int]]:
    """Writes grouped by dependence within their request, in order of their first write."""
    parent = {w: w for w in writes}

    def root(w: int) -> int:
        while parent[w] != w:
            parent[w] = parent[parent[w]]
            w = parent[w]
        return w

    for j, later in enumerate(writes):
        for earlier in writes[:j]:
            same_request = trace.steps[earlier].turn == trace.steps[later].turn
            if same_request and root(earlier) != root(later) and _depends(trace, earlier, later):
                parent[root(later)] = root(earlier)
    groups: dict[int, list[int]] = {}
    for w in writes:
        groups.setdefault(root(w), []).append(w)
    return sorted(groups.values(), key=lambda group: group[0])


def answer_options(result: object, answer: str) -> frozenset[Answer]:
    """Every way of reading a value the answer states out of a read's result: a scalar at a path
    with no list positions, or the length of a list at such a path."""
    found: set[Answer] = set()
    for path, value in walk(result):
        if any(isinstance(part, int) for part in path):
            continue
        if isinstance(value, list):
            if states(answer, len(value)):
                found.add(("count", path))
        elif states(answer, value):
            found.add(("value", path))
    return frozenset(found)


def _answer_sinks(trace: LiftedTrace, turn: int) -> tuple[list[int], frozenset[Answer]]:
    """The reads of a request that changed nothing whose answers the agent's answer states, and
    (when the last of them gives it) how to compute what it states."""
    reads = [k for k, step in enumerate(trace.steps) if step.turn == turn and not step.is_write]
    if not reads:
        return [], frozenset()
    requests = trace.trajectory.requests
    answer = requests[turn].answer if turn < len(requests) else ""
    if not answer:
        return [reads[-1]], frozenset()
    for position in reversed(reads):
        options = answer_options(trace.steps[position].result, answer)
        if options:
            return [position], options
    quoted = []
    for position in reads:
        values = {
            str(value)
            for _, value in walk(trace.steps[position].result)
            if isinstance(value, str | int | float)
            and not isinstance(value, bool)
            and is_distinctive(value)
        }
        if any(value in answer for value in values):
            quoted.append(position)
    return quoted, frozenset()


def _with_context(trace: LiftedTrace, sinks: list[int]) -> tuple[int, ...]:
    """The sinks' slices, with the writes that set context earlier in the same request (a
    ``cd`` before the ``mv``: nothing flows from it, but the later calls act where it moved)."""
    steps: set[int] = set()
    for sink in sinks:
        steps |= _slice(trace, sink)
        turn = trace.steps[sink].turn
        steps |= {k for k in range(sink) if trace.steps[k].context and trace.steps[k].turn == turn}
    return tuple(sorted(steps))


def _unit(
    trace: LiftedTrace,
    sinks: list[int],
    ordinal: int,
    total: int,
    *,
    part: str = "",
    context: bool = True,
    answers_with: frozenset[Answer] = frozenset(),
) -> Unit:
    if context:
        steps = _with_context(trace, sinks)
    else:
        steps = tuple(sorted(set().union(*(_slice(trace, sink) for sink in sinks))))
    writes = tuple(k for k in steps if trace.steps[k].is_write)
    return Unit(
        trace, steps, ordinal, writes=writes, total=total, part=part, answers_with=answers_with
    )


def units_of(trace: LiftedTrace, *, joined: bool = True) -> tuple[Unit, ...]:
    """The units of a lifted trajectory, in order of their first write (answers last).

    Args:
        trace: The lifted trajectory.
        joined: Join dependent writes of one request into one unit (else one unit per write).
    """
    steps = trace.steps
    writes = [k for k, step in enumerate(steps) if step.is_write and not step.context]
    groups: list[tuple[list[int], frozenset[Answer]]] = [
        (group, frozenset())
        for group in (_components(trace, writes) if joined else [[w] for w in writes])
    ]
    written_turns = {steps[w].turn for w in writes}
    for turn in sorted({step.turn for step in steps} - written_turns):
        sinks, options = _answer_sinks(trace, turn)
        # One read is a procedure only when the answer is computed from it (a count, a field).
        if len(_with_context(trace, sinks)) >= 2 or (sinks and options):
            groups.append((sinks, options))
        elif not sinks:  # a request that only moved or signed in ("go to my projects folder")
            moves = [k for k, step in enumerate(steps) if step.context and step.turn == turn]
            if moves:
                groups.append((moves[-1:], frozenset()))
    return tuple(
        _unit(trace, group, k, len(groups), answers_with=options)
        for k, (group, options) in enumerate(groups)
    )


def split_unit(unit: Unit) -> tuple[Unit, ...]:
    """A unit as one unit per write it makes, each with only the reads (and the logins) its
    arguments need, without the moves that merely preceded it; a unit that is already that is
    returned as it is.

    The parts keep the unit's id with a letter per write (``t#0a``, ``t#0b``): they are pieces
    of one procedure, learned on their own when the whole is too rare, and give each write all
    the evidence of how it is done.
    """
    own = [k for k in unit.writes if not unit.trace.steps[k].context]
    letters = "abcdefghijklmnopqrstuvwxyz"
    parts = tuple(
        _unit(
            unit.trace,
            [write],
            unit.ordinal,
            unit.total,
            part=f"{unit.ordinal}{letters[k % 26]}{k // 26 or ''}",
            context=False,
        )
        for k, write in enumerate(own)
    )
    if len(parts) == 1 and parts[0].steps == unit.steps:
        return (unit,)
    return parts or (unit,)


def group_units(units: Iterable[Unit]) -> tuple[Family, ...]:
    """Gather units by key; families and their units come out in a stable order."""
    by_key: dict[tuple[str, ...], list[Unit]] = {}
    for unit in units:
        by_key.setdefault(unit.key, []).append(unit)
    return tuple(
        Family(key, tuple(sorted(members, key=lambda u: (u.unit_id, u.trace.digest))))
        for key, members in sorted(by_key.items())
    )
