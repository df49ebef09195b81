"""Merging: procedures with one intent become one skill with alternative ways in.

Families are cut by the exact sequence of calls, so one intent — cancel an order — comes out as
several procedures: with no lookup, after finding the customer by email, after finding them by
name and zip. An agent choosing among near-copies picks badly, and each copy holds only part of
the evidence. Plans with the same writes (and the same last call) are merged here:

1. Parameters are aligned by what they feed, not by their names: ``(tool, nth call, argument)``
   of their first use, writes first. Two plans' ``zip`` that feed different calls stay two
   parameters; the address's ``zip`` of one plan and ``zip_2`` of another become one.
2. The statements every plan ends with (structurally equal after the alignment), which must hold
   every write, are the shared tail. What each plan does before it is a *branch*, run when the
   caller gives the parameters only that branch uses (``email``; ``first_name``, ``last_name``
   and ``zip``). At most one branch needs none of them (it runs otherwise); a plan with nothing
   before the tail is the case where no branch runs.
3. The merged plan must reproduce every unit of every plan it absorbed: ``reproduces`` (given by
   the engine, a replay over the unit's own recording) is asked for each. A plan that would break
   any of them — routed to the wrong branch, or a tail that needs a value its branch lacks — is
   left out and merged with the others left out, so nothing is ever lost: at worst a plan stays
   a skill of its own.

Plans are taken largest first (then the stronger, then by key), so the result is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

from skills_runtime.synthesis.group import Unit
from skills_runtime.synthesis.naming import unique
from skills_runtime.synthesis.plan import (
    Branch,
    CallStep,
    Choice,
    Expr,
    Guard,
    Loop,
    Param,
    ParamRef,
    Plan,
    Required,
    ResultRef,
    Statement,
)
from skills_runtime.synthesis.prose import give_message
from skills_runtime.synthesis.types import JsonType

__all__ = ["Merged", "Procedure", "merge_procedures"]


@dataclass(frozen=True)
class Procedure:
    """One family's plan with its units, their arguments and what each returned."""

    key: tuple[str, ...]
    plan: Plan
    units: tuple[Unit, ...]
    arguments: tuple[dict[str, Any], ...]
    expected: tuple[Any, ...]
    strength: int = 0


@dataclass(frozen=True)
class Merged:
    """A skill's plan standing for one or more procedures, with all their units."""

    keys: tuple[tuple[str, ...], ...]
    plan: Plan
    units: tuple[Unit, ...]
    arguments: tuple[dict[str, Any], ...]
    expected: tuple[Any, ...]
    ways: tuple[tuple[str, ...], ...]
    """The reads each branch makes, in branch order (empty for a single procedure)."""


Reproduces = Callable[[Plan, Unit, dict[str, Any], Any], bool]


def _intent(plan: Plan) -> tuple[object, ...]:
    """What a procedure is for: its changes (a ``cd`` or a login before them is a way in, not
    the intent), what it ends with and what it returns."""
    return (plan.changes, plan.final_tool, plan.answer, plan.returns)


def _param_keys(plan: Plan) -> dict[str, tuple[object, ...]]:
    """Each parameter's role: where it is first used, writes before reads."""
    seen: dict[str, int] = {}
    uses: list[tuple[bool, tuple[object, ...], str]] = []
    role: tuple[object, ...]
    for call in plan.calls:
        nth = seen.get(call.tool, 0)
        seen[call.tool] = nth + 1
        for arg, expr in (*call.args, *call.optional):
            if isinstance(expr, ParamRef):
                uses.append((not call.is_write, (call.tool, nth, arg), expr.name))
    for guard in plan.guards:
        if isinstance(guard.expected, ParamRef):
            role = ("guard", guard.noun, *guard.subject.path)
            uses.append((True, role, guard.expected.name))
    keys: dict[str, tuple[object, ...]] = {}
    for _, role, name in sorted(uses, key=lambda use: use[0]):  # writes first, stable
        keys.setdefault(name, role)
    for param in plan.params:
        keys.setdefault(param.name, ("param", param.name))
    return keys


def _rename_expr(expr: Expr, names: dict[str, str], known: Collection[str] = ()) -> Expr:
    """The parameter's merged name; a whole result named like a merged parameter is that
    parameter: a branch that looks ``user_id`` up sets the value another way gives."""
    if isinstance(expr, ParamRef):
        return ParamRef(names[expr.name])
    if isinstance(expr, ResultRef) and not expr.path and expr.var in known:
        return ParamRef(expr.var)
    return expr


def _rename_call(call: CallStep, names: dict[str, str], known: Collection[str]) -> CallStep:
    return replace(
        call,
        args=tuple((arg, _rename_expr(expr, names, known)) for arg, expr in call.args),
        optional=tuple((arg, ParamRef(names[p.name])) for arg, p in call.optional),
    )


def _rename(statement: Statement, names: dict[str, str], known: Collection[str]) -> Statement:
    if isinstance(statement, CallStep):
        return _rename_call(statement, names, known)
    if isinstance(statement, Guard):
        return replace(statement, expected=_rename_expr(statement.expected, names, known))
    if isinstance(statement, Loop):
        return replace(
            statement,
            source=_rename_expr(statement.source, names, known),
            call=_rename_call(statement.call, names, known),
        )
    return statement  # a plan fresh from anti-unification holds no choice yet


def _roles(body: Sequence[Statement]) -> list[tuple[tuple[object, ...], Expr]]:
    """Every argument of every call, by role: ``(tool, nth call of it, argument)``."""
    seen: dict[str, int] = {}
    found: list[tuple[tuple[object, ...], Expr]] = []
    for statement in body:
        if isinstance(statement, CallStep):
            nth = seen.get(statement.tool, 0)
            seen[statement.tool] = nth + 1
            found += [((statement.tool, nth, arg), expr) for arg, expr in statement.args]
    return found


def _rename_var(statement: Statement, old: str, new: str) -> Statement:
    def expr(e: Expr) -> Expr:
        if isinstance(e, ResultRef) and e.var == old:
            return ParamRef(new) if not e.path else ResultRef(new, e.path)
        return e

    if isinstance(statement, CallStep):
        return replace(
            statement,
            var=new if statement.var == old else statement.var,
            args=tuple((arg, expr(e)) for arg, e in statement.args),
        )
    if isinstance(statement, Guard):
        subject = statement.subject
        if subject.var == old:
            subject = ResultRef(new, subject.path)
        return replace(statement, subject=subject, expected=expr(statement.expected))
    return statement


def _adopt_names(
    aligned: list[tuple[Procedure, dict[str, str], tuple[Statement, ...]]],
) -> list[tuple[Procedure, dict[str, str], tuple[Statement, ...]]]:
    """A plan that looks up what another plan is given takes the parameter's name for it.

    ``patient = find_patient_by_phone(...)`` feeding ``move_visit(patient_id=patient)`` where
    another way calls ``move_visit(patient_id=patient_id)``: the lookup's result becomes
    ``patient_id``, so the write is one statement and the lookup sets the argument when the
    caller did not give it.
    """
    given_at: dict[tuple[object, ...], str] = {}
    for _, _, body in aligned:
        for role, expr in _roles(body):
            if isinstance(expr, ParamRef):
                given_at.setdefault(role, expr.name)
    adopted = []
    for procedure, mapping, body in aligned:
        own_vars = {s.var for s in body if isinstance(s, CallStep) and s.var is not None}
        for role, expr in _roles(body):
            target = given_at.get(role)
            if (
                isinstance(expr, ResultRef)
                and not expr.path
                and target is not None
                and target != expr.var
                and target not in mapping.values()
                and target not in own_vars
            ):
                body = tuple(_rename_var(s, expr.var, target) for s in body)
                own_vars = (own_vars - {expr.var}) | {target}
        adopted.append((procedure, mapping, body))
    return adopted


def _params_in_calls(statements: Sequence[Statement]) -> list[str]:
    """The parameters the statements' calls pass as required arguments, in order."""
    found: list[str] = []
    for statement in statements:
        if isinstance(statement, CallStep):
            for _, expr in statement.args:
                if isinstance(expr, ParamRef) and expr.name not in found:
                    found.append(expr.name)
    return found


def _reads_only(statements: Sequence[Statement], defined: set[str]) -> bool:
    """Whether every result the statements read was set before: in ``defined`` or by an
    earlier statement among them."""
    known = set(defined)
    for statement in statements:
        exprs: list[Expr] = []
        if isinstance(statement, CallStep):
            exprs = [e for _, e in statement.args]
        elif isinstance(statement, Guard):
            exprs = [statement.subject, statement.expected]
        elif isinstance(statement, Loop):
            exprs = [statement.source, *(e for _, e in statement.call.args)]
        for expr in exprs:
            if isinstance(expr, ResultRef) and expr.var not in known:
                return False
        if isinstance(statement, CallStep) and statement.var is not None:
            known.add(statement.var)
        if isinstance(statement, Loop):
            known.add(statement.var)
    return True


def _sets(branch: Branch) -> set[str]:
    """The names a branch assigns (a lookup's result taking a parameter's name)."""
    return {s.var for s in branch.body if isinstance(s, CallStep) and s.var is not None}


def _params_used(statements: Sequence[Statement]) -> set[str]:
    used: set[str] = set()
    for statement in statements:
        calls = [statement.call] if isinstance(statement, Loop) else [statement]
        for call in calls:
            if isinstance(call, CallStep):
                used.update(e.name for _, e in call.args if isinstance(e, ParamRef))
                used.update(p.name for _, p in call.optional)
            elif isinstance(call, Guard) and isinstance(call.expected, ParamRef):
                used.add(call.expected.name)
    return used


def _align(plans: Sequence[Plan]) -> tuple[dict[str, Param], list[dict[str, str]]] | None:
    """The merged parameters, by name, and each plan's mapping of its names to them.

    Parameters meet by role; a role's name is its argument's name, the writes' arguments
    choosing first (an address's ``zip`` stays ``zip``; a lookup's ``zip`` becomes ``zip_2``).
    None when one role has two types.
    """
    by_role: dict[tuple[object, ...], Param] = {}
    writes_first: list[tuple[bool, int, tuple[object, ...]]] = []
    all_roles = [_param_keys(plan) for plan in plans]
    for plan, roles in zip(plans, all_roles, strict=True):
        for param in plan.params:
            role = roles[param.name]
            known = by_role.get(role)
            if known is None:
                by_role[role] = param
                is_read = role[0] == "param" or not _is_write_role(plan, role)
                writes_first.append((is_read, len(writes_first), role))
            elif known.type.render() != param.type.render():
                return None
    names: dict[tuple[object, ...], str] = {}
    params: dict[str, Param] = {}
    for _, _, role in sorted(writes_first):
        preferred = role[2] if len(role) == 3 and isinstance(role[2], str) else by_role[role].name
        name = unique(str(preferred), set(params))
        names[role] = name
        params[name] = by_role[role]
    mappings = [
        {param.name: names[roles[param.name]] for param in plan.params}
        for plan, roles in zip(plans, all_roles, strict=True)
    ]
    return params, mappings


def _is_write_role(plan: Plan, role: tuple[object, ...]) -> bool:
    return any(call.tool == role[0] and call.is_write for call in plan.calls)


def _common_tail(bodies: Sequence[tuple[Statement, ...]]) -> int:
    """How many statements every body ends with (compared by equality: constants may be lists)."""
    size = 0
    shortest = min(len(body) for body in bodies)
    while size < shortest and all(
        body[len(body) - size - 1] == bodies[0][len(bodies[0]) - size - 1] for body in bodies
    ):
        size += 1
    return size


def _build(procedures: Sequence[Procedure], reproduces: Reproduces) -> Merged | None:
    """The merged plan of ``procedures`` (taken in this order), or None when it cannot be."""
    if len(procedures) == 1:
        (only,) = procedures
        return Merged((only.key,), only.plan, only.units, only.arguments, only.expected, ())
    found = _align([procedure.plan for procedure in procedures])
    if found is None:
        return None
    table, mappings = found
    aligned: list[tuple[Procedure, dict[str, str], tuple[Statement, ...]]] = []
    for procedure, mapping in zip(procedures, mappings, strict=True):
        known = set(table) - set(mapping.values())
        body = tuple(_rename(s, mapping, known) for s in procedure.plan.body)
        aligned.append((procedure, mapping, body))
    aligned = _adopt_names(aligned)
    size = _common_tail([body for _, _, body in aligned])
    tail = aligned[0][2][len(aligned[0][2]) - size :]
    branches: list[Branch] = []
    ways: list[tuple[str, ...]] = []
    bare = False
    tail_params = _params_used(tail)
    for procedure, mapping, body in aligned:
        prefix = body[: len(body) - size]
        if any(isinstance(s, CallStep) and s.is_write and not s.context for s in prefix):
            return None  # a change outside the shared tail: a different procedure
        if not prefix:
            bare = True
            continue
        required = {mapping[p.name] for p in procedure.plan.params if not p.optional}
        gating = (_params_used(prefix) & required) - tail_params
        when = tuple(mapping[p.name] for p in procedure.plan.params if mapping[p.name] in gating)
        steps = tuple(s for s in prefix if isinstance(s, CallStep | Guard))
        if len(steps) != len(prefix):
            return None
        same = [b for b in branches if b.when == when]
        if same and same[0].body != steps:
            continue  # routed to the existing branch: the check below decides if that is fine
        if not same:
            branches.append(Branch(when, steps))
            ways.append(tuple(s.tool for s in steps if isinstance(s, CallStep)))
    otherwise = [b for b in branches if not b.when]
    if len(otherwise) > 1 or (otherwise and bare):
        return None
    # What the tail reads must exist on every path: set by the tail itself before, or by every
    # branch when one of them always runs. Otherwise a caller taking no way in would reach an
    # unset name (the replays alone cannot show it: each took a way).
    found_by_all = set.intersection(*(_sets(b) for b in branches)) if branches else set()
    stop = ""
    if not _reads_only(tail, (found_by_all if otherwise else set()) | set(table)):
        if bare or otherwise or not _reads_only(tail, found_by_all | set(table)):
            return None
        # Every way finds what the tail reads: taking none of them stops, saying how to give one.
        stop = give_message([b.when for b in branches])
    order = sorted(range(len(branches)), key=lambda k: (-len(branches[k].when), k))
    branches = [branches[k] for k in order]
    ways = [ways[k] for k in order]
    first = procedures[0].plan
    # Each plan's own name for every merged parameter it has, and whether it may leave it out.
    own = [{merged: name for name, merged in m.items()} for _, m, _ in aligned]
    left_out = [
        {p.name for p in procedure.plan.params if p.optional} for procedure, _, _ in aligned
    ]
    required = {
        name
        for name in table
        if all(
            name in names and names[name] not in skipped
            for names, skipped in zip(own, left_out, strict=True)
        )
    }
    position = {name: k for k, name in enumerate(table)}
    params = tuple(
        replace(
            table[name],
            name=name,
            type=_nullable(table[name].type, unless=name in required),
            optional=name not in required,
            values=tuple(
                given.get(names.get(name, ""))
                for (procedure, _, _), names in zip(aligned, own, strict=True)
                for given in procedure.arguments
            ),
        )
        for name in sorted(table, key=lambda n: (n not in required, position[n]))
    )
    # A value the tail passes that the caller may leave out and only some branches set: the
    # skill refuses to go on without it, before any write, saying how to give it.
    optional_in_tail = [
        name for name in _params_in_calls(tail) if name in table and name not in required
    ]
    needed = tuple(
        Required(name, tuple(b.when for b in branches if name in _sets(b)))
        for name in optional_in_tail
        if any(name in _sets(b) for b in branches)
    )
    merged_body = (Choice(tuple(branches), stop), *needed, *tail) if branches else tail
    plan = replace(
        first,
        params=params,
        body=merged_body,
        expected_reads=tuple(
            dict.fromkeys(read for p in procedures for read in p.plan.expected_reads)
        ),
    )
    units: list[Unit] = []
    arguments: list[dict[str, Any]] = []
    expected: list[Any] = []
    for procedure, mapping, _ in aligned:
        for unit, given, answer in zip(
            procedure.units, procedure.arguments, procedure.expected, strict=True
        ):
            merged_args: dict[str, Any] = {p.name: None for p in params}
            merged_args.update({mapping[name]: value for name, value in given.items()})
            if not reproduces(plan, unit, merged_args, answer):
                return None
            units.append(unit)
            arguments.append(merged_args)
            expected.append(answer)
    keys = tuple(p.key for p in procedures)
    return Merged(keys, plan, tuple(units), tuple(arguments), tuple(expected), tuple(ways))


def _nullable(kind: JsonType, *, unless: bool) -> JsonType:
    return kind if unless or kind.kind == "optional" else JsonType("optional", (kind,))


def merge_procedures(
    procedures: Sequence[Procedure], *, reproduces: Reproduces
) -> tuple[Merged, ...]:
    """One merged plan per intent where every unit allows it; a plan that does not merge keeps
    a skill of its own (merged with any others left out alike)."""
    by_intent: dict[tuple[object, ...], list[Procedure]] = {}
    for procedure in procedures:
        by_intent.setdefault(_intent(procedure.plan), []).append(procedure)
    merged: list[Merged] = []
    for group in by_intent.values():
        pending = sorted(
            group, key=lambda p: (-len(p.units), -p.strength, [str(part) for part in p.key])
        )
        while pending:
            accepted = [pending[0]]
            left: list[Procedure] = []
            for candidate in pending[1:]:
                if _build([*accepted, candidate], reproduces) is not None:
                    accepted.append(candidate)
                else:
                    left.append(candidate)
            result = _build(accepted, reproduces)
            assert result is not None  # every step above was checked
            merged.append(result)
            pending = left
    return tuple(merged)
