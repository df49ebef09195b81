"""Anti-unification: one plan that every unit of a family instantiates.

Units of a family have the same key, so their reads line up slot by slot (a slot is a run of
consecutive calls of one tool). A slot called exactly once in every unit becomes a *role*; slots
repeated a varying number of times are left out (their results cannot be addressed the same way
in every unit). For every argument of every role, in order of preference:

1. the same value an earlier role's argument carried, in every unit → the same expression;
2. a path into an earlier role's result that holds in every unit → data flow;
3. a value equal in every unit that is a constant by nature (an enum member, a bool, a number)
   → a constant;
4. otherwise → a typed parameter (reused when another hole has the same values everywhere).

Coincidence guard: a link (rules 1, 2 and the reuse in 4) is an equality seen in every unit, and
with few traces an equality can be chance (a customer who moves keeps their zip code, or their
second address line). Identifiers cannot coincide that way — the whole answer of a lookup, a
field or argument named ``id`` or ``*_id`` — so they link on any evidence. Every other value
links only when the family spans at least ``LINK_EVIDENCE`` (3) distinct trajectories; below
that it stays a parameter, which costs the caller one argument and never a wrong write. Paths
through a key that is itself a data value (``payment_methods["credit_card_7901829"]``) are
never links.

Loops found in every unit (see ``loops``) run just before the write; a read role of a tool that a
loop calls is left to the loop unless something uses its result. Reads are kept when something
later uses their result or when their arguments are fully explained (they then act as guards:
the read must succeed). Conditions on a kept read's result that hold in
every unit become preconditions: a categorical field (like a status) equal everywhere, and a field
equal to a value the skill already knows (the order's user id equals the user found).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from skills_runtime.synthesis.group import Answer, Family, Unit
from skills_runtime.synthesis.lift import LiftedTrace, Path, is_distinctive
from skills_runtime.synthesis.loops import LoopSpec, describe
from skills_runtime.synthesis.naming import element_name, noun_of, unique
from skills_runtime.synthesis.plan import (
    CallStep,
    Const,
    ElementRef,
    Expr,
    Guard,
    Loop,
    Param,
    ParamRef,
    Plan,
    ResultRef,
    Statement,
)
from skills_runtime.synthesis.types import JsonType, of_values, refine
from skills_runtime.trajectory.failures import failure_of
from skills_runtime.trajectory.model import ToolSchema, canonical_json

__all__ = [
    "LINK_EVIDENCE",
    "AntiUnified",
    "FieldStats",
    "antiunify",
    "computed",
    "field_stats",
    "is_identifier",
]

_MAX_CATEGORIES = 12

MAX_OPTIONAL = 2
"""Arguments of one call that some traces leave out, at most (each doubles the call's branches)."""

LINK_EVIDENCE = 3
"""Independent trajectories needed before a non-identifier value may be linked (see module doc)."""


Refusals = dict[tuple[str, str, str], dict[str, str]]

_GUARD_ORDER = {"owner": 0, "match": 1, "value": 2}


@dataclass(frozen=True)
class FieldStats:
    """How many times each value of each top-level result field was seen, per tool.

    A field is *categorical* (a status, a kind) when it takes few values over many results; only
    such fields become constant guards, so that a coincidence (two units about the same user)
    never turns a name or an address into a precondition.
    """

    counts: Mapping[tuple[str, str], Mapping[str, int]]
    refusals: Mapping[tuple[str, str, str], Mapping[str, str]] = dataclasses.field(
        default_factory=dict
    )
    """``(write, read, field) -> {value: error}``: a write that failed after the read showed
    ``field`` with that value, and what the failure said. An error that teaches a
    precondition (``"order is 'delivered'; only pending orders can be cancelled"``)."""

    def categorical(self, tool: str, field: str) -> bool:
        values = self.counts.get((tool, field), {})
        total = sum(values.values())
        return 2 <= len(values) <= _MAX_CATEGORIES and total >= 2 * len(values)

    def refused(self, writes: Iterable[str], tool: str, field: str, value: Any) -> str | None:
        """What a write of ``writes`` said when it failed with ``field`` not ``value``."""
        for write in writes:
            for seen, error in sorted(self.refusals.get((write, tool, field), {}).items()):
                if seen != repr(value):
                    return error
        return None


def field_stats(traces: Iterable[LiftedTrace]) -> FieldStats:
    """Count the values of top-level string and bool fields of every read result, and note the
    values read before each failed write."""
    counts: dict[tuple[str, str], Counter[str]] = {}
    refusals: Refusals = {}
    for trace in traces:
        for step in trace.steps:
            if step.is_write or not isinstance(step.result, dict):
                continue
            for name, value in step.result.items():
                if isinstance(value, str | bool):
                    counts.setdefault((step.name, name), Counter())[repr(value)] += 1
        _note_refusals(trace, refusals)
    return FieldStats(
        {key: dict(counter) for key, counter in counts.items()},
        {key: dict(values) for key, values in refusals.items()},
    )


def _note_refusals(
    trace: LiftedTrace, refusals: dict[tuple[str, str, str], dict[str, str]]
) -> None:
    calls = trace.trajectory.calls
    for index, _ in trace.dropped:
        call = calls[index]
        error = failure_of(call)
        if error is None or not trace.trajectory.is_write(call):
            continue
        latest: dict[str, Any] = {}
        for step in trace.steps:
            if step.index < index and not step.is_write and isinstance(step.result, dict):
                latest[step.name] = step.result
        text = call.result if isinstance(call.result, str) else canonical_json(call.result)
        for tool, result in latest.items():
            for name, value in result.items():
                if isinstance(value, str | bool):
                    refusals.setdefault((call.name, tool, name), {}).setdefault(
                        repr(value), text[:160]
                    )


@dataclass(frozen=True)
class AntiUnified:
    """A family's plan and, per unit, the arguments that make the plan reproduce it."""

    plan: Plan
    units: tuple[Unit, ...]
    arguments: tuple[dict[str, Any], ...]
    expected: tuple[Any, ...]


@dataclass
class _Hole:
    name: str
    values: tuple[Any, ...]
    tool: str
    arg: str
    optional: bool = False


def is_identifier(name: str) -> bool:
    """Whether an argument or field name says it holds an identifier (``id``, ``order_id``)."""
    return name == "id" or name.endswith("_id")


def _identifier_path(path: Path) -> bool:
    # The whole answer of a lookup (a user id), or a field named as an identifier.
    names = [part for part in path if isinstance(part, str)]
    return not path or (bool(names) and is_identifier(names[-1]))


def _keyed_by_data(path: Path) -> bool:
    # ``user["payment_methods"]["credit_card_7901829"]["id"]`` only restates the key: a path
    # through a key that is itself a data value would bake one trace's value into the skill.
    return any(isinstance(part, str) and is_distinctive(part) for part in path)


def _entity(label: str) -> str:
    """The thing an identifier names, in words: ``user_id`` → ``user``."""
    base = label[: -len("_id")] if label.endswith("_id") and len(label) > 3 else label
    return base.replace("_", " ")


def _role_var(role: int) -> str:
    return f"#{role}"


def _ints(path: Path) -> int:
    return sum(1 for part in path if isinstance(part, int))


class _Unifier:
    def __init__(
        self,
        family: Family,
        stats: FieldStats,
        schemas: Mapping[str, ToolSchema],
        loops: Sequence[LoopSpec],
    ):
        self.family = family
        self.loops = loops
        self.units = family.units
        self.stats = stats
        self.schemas = schemas
        slots: list[list[list[int]]] = []
        for unit in self.units:
            runs: list[list[int]] = []
            for position in unit.steps:
                step = unit.trace.steps[position]
                # A run of one read is one slot; every write is a slot of its own (as in keys).
                if runs and unit.trace.steps[runs[-1][0]].name == step.name and not step.is_write:
                    runs[-1].append(position)
                else:
                    runs.append([position])
            slots.append(runs)
        width = len(slots[0])
        self.roles = [i for i in range(width) if all(len(s[i]) == 1 for s in slots)]
        self.final_repeats = not self.roles or self.roles[-1] != width - 1
        self.pos = [[s[i][0] for i in self.roles] for s in slots]
        self.role_of = [{p: r for r, p in enumerate(positions)} for positions in self.pos]
        # Units cut from one trajectory are one piece of evidence, not several.
        evidence = len({unit.trajectory_id for unit in self.units})
        self.strong = evidence >= LINK_EVIDENCE
        self.exprs: dict[tuple[int, str], Expr] = {}
        self.holes: list[_Hole] = []
        self.broken: set[int] = set()
        self.optional: dict[int, list[tuple[str, ParamRef]]] = {}

    @property
    def every(self) -> range:
        return range(len(self.units))

    def optional_args(
        self, role: int, required: frozenset[str]
    ) -> list[tuple[str, ParamRef]] | None:
        """Parameters for the arguments of a role that only some traces pass (None: too many,
        or one passed as null, which leaving it out could not tell apart)."""
        seen: dict[str, None] = {}
        for u in self.every:
            for arg in self.step(u, role).args:
                if arg.name not in required:
                    seen.setdefault(arg.name)
        if len(seen) > MAX_OPTIONAL:
            return None
        found: list[tuple[str, ParamRef]] = []
        tool = self.step(0, role).name
        for name in seen:
            values = []
            for u in self.every:
                arg = self.step(u, role).arg(name)
                if arg is not None and arg.value is None:
                    return None
                values.append(None if arg is None else arg.value)
            param = unique(name, {h.name for h in self.holes} | {"tools"})
            self.holes.append(_Hole(param, tuple(values), tool, name, optional=True))
            found.append((name, ParamRef(param)))
        return found

    def step(self, unit: int, role: int) -> Any:
        return self.units[unit].trace.steps[self.pos[unit][role]]

    def distinct_results(self, role: int) -> int:
        return len({canonical_json(self.step(u, role).result) for u in range(len(self.units))})

    def property_schema(self, tool: str, arg: str) -> Mapping[str, Any] | None:
        schema = self.schemas.get(tool)
        properties = schema.parameters.get("properties") if schema else None
        prop = properties.get(arg) if isinstance(properties, dict) else None
        return prop if isinstance(prop, dict) else None

    def resolve(self, role: int, arg: str) -> Expr | None:
        args = [self.step(u, role).arg(arg) for u in range(len(self.units))]
        if any(a is None for a in args):
            return None
        origins = [a.origin for a in args if a is not None]
        values = tuple(a.value for a in args if a is not None)
        if len(origins) == len(args) and all(o is not None for o in origins):
            targets = set()
            for u, origin in enumerate(origins):
                assert origin is not None
                same = origin.same_as
                target_role = self.role_of[u].get(same[0]) if same else None
                targets.add((target_role, same[1], same[2]) if same else None)
            linkable = self.strong or is_identifier(arg)
            if len(targets) == 1 and linkable:
                (target,) = targets
                if target is not None and target[0] is not None and target[2] is None:
                    found = self.exprs.get((target[0], target[1]))
                    if found is not None:
                        return found
            common: set[tuple[int, Path]] | None = None
            for u, origin in enumerate(origins):
                assert origin is not None
                mine = {
                    (self.role_of[u][flow.step], flow.path)
                    for flow in origin.flows
                    if flow.step in self.role_of[u]
                    and not _keyed_by_data(flow.path)
                    and (self.strong or _identifier_path(flow.path))
                }
                common = mine if common is None else common & mine
            if common:
                best = min(common, key=lambda c: (_ints(c[1]), len(c[1]), -c[0], repr(c[1])))
                if _ints(best[1]) == 0 or self.distinct_results(best[0]) >= 2:
                    return ResultRef(_role_var(best[0]), best[1])
        tool = self.step(0, role).name
        prop = self.property_schema(tool, arg)
        first = values[0]
        if all(canonical_json(v) == canonical_json(first) for v in values):
            enum = prop.get("enum") if prop else None
            natural = (
                first is None
                or isinstance(first, bool)
                or (isinstance(first, int | float) and not is_distinctive(first))
            )
            if natural or (isinstance(enum, list) and first in enum):
                return Const(first)
        for hole in self.holes:
            same_values = canonical_json(hole.values) == canonical_json(values)
            similar = hole.arg == arg or all(is_distinctive(v) for v in values)
            if same_values and similar and (self.strong or is_identifier(arg)):
                return ParamRef(hole.name)
        name = unique(arg, {h.name for h in self.holes} | {"tools"})
        self.holes.append(_Hole(name, values, tool, arg))
        return ParamRef(name)

    def guards(self, role: int, known: Sequence[tuple[Expr, tuple[Any, ...]]]) -> list[Guard]:
        results = [self.step(u, role).result for u in range(len(self.units))]
        if not all(isinstance(r, dict) for r in results):
            return []
        tool = self.step(0, role).name
        noun = noun_of(tool).replace("_", " ")
        own = {self.exprs.get((role, a.name)) for a in self.step(0, role).args}
        found: list[Guard] = []
        for field in sorted(results[0]):  # key order is the recording's spelling, not meaning
            if not all(field in r for r in results):
                continue
            values = tuple(r[field] for r in results)
            subject = ResultRef(_role_var(role), (field,))
            first = values[0]
            constant = (
                isinstance(first, str | bool)
                and all(v == first and type(v) is type(first) for v in values)
                and not is_distinctive(first)
            )
            if constant and self.distinct_results(role) >= 2:
                # A write that failed when the field had another value teaches the condition
                # even where too few results show the field varying.
                lesson = self.stats.refused(self.write_tools(), tool, field, first)
                if lesson is not None or self.stats.categorical(tool, field):
                    found.append(Guard(subject, Const(first), "value", noun, lesson=lesson or ""))
                    continue
            if not all(isinstance(v, str) and is_distinctive(v) for v in values):
                continue
            for expr, known_values in known:
                if expr in own or canonical_json(known_values) != canonical_json(values):
                    continue
                found.append(self.known_guard(subject, expr, noun))
                break
        # Whose record it is comes before what state it is in.
        return sorted(found, key=lambda guard: (_GUARD_ORDER[guard.kind], guard.subject.path))

    def write_tools(self) -> list[str]:
        return [
            self.step(0, role).name
            for role in range(len(self.roles))
            if self.step(0, role).is_write
        ]

    def known_guard(self, subject: ResultRef, expr: Expr, noun: str) -> Guard:
        """A guard that a field equals a value the skill knows: ownership when both are ids."""
        whole_answer = isinstance(expr, ResultRef) and not expr.path
        if isinstance(expr, ResultRef):
            label = noun_of(self.step(0, int(expr.var[1:])).name)
        else:
            label = expr.name if isinstance(expr, ParamRef) else "known value"
        field = str(subject.path[-1])
        if is_identifier(field) and (whole_answer or is_identifier(label)):
            return Guard(subject, expr, "owner", noun, _entity(label))
        return Guard(subject, expr, "match", noun, label.replace("_", " "))

    def returned_noun(self, last: int) -> str:
        """``order`` when every write answers the record its ``order_id`` argument names."""
        for arg in self.step(0, last).args:
            if not arg.name.endswith("_id"):
                continue
            writes = [self.step(u, last) for u in range(len(self.units))]
            given = [write.arg(arg.name) for write in writes]
            if all(
                isinstance(write.result, dict)
                and value is not None
                and write.result.get(arg.name) == value.value
                for write, value in zip(writes, given, strict=True)
            ):
                return _entity(arg.name)
        return ""

    def answer(self) -> Answer | None:
        """How every unit computed its answer from the last read, when they all agree."""
        if not all(unit.answers and unit.answers_with for unit in self.units):
            return None
        common = frozenset.intersection(*(unit.answers_with for unit in self.units))

        # A value that differs between units says more than one that never changes; a field
        # more than a count; a short path more than a long one.
        def rank(option: Answer) -> tuple[int, int, int, str]:
            values = {
                canonical_json(computed(self.step(u, len(self.roles) - 1).result, option))
                for u in range(len(self.units))
            }
            return (-min(len(values), 2), option[0] != "value", len(option[1]), repr(option[1]))

        return min(common, key=rank) if common else None

    def values_of(self, expr: Expr) -> tuple[Any, ...]:
        out = []
        for u in range(len(self.units)):
            if isinstance(expr, ParamRef):
                hole = next(h for h in self.holes if h.name == expr.name)
                out.append(hole.values[u])
            elif isinstance(expr, Const):
                out.append(expr.value)
            else:
                value = self.step(u, int(expr.var[1:])).result
                for part in expr.path:
                    value = value[part]
                out.append(value)
        return tuple(out)

    def run(self) -> AntiUnified | str:
        if self.final_repeats:
            name = self.units[0].write.name
            return f"its last call, {name}, is made a varying number of times"
        role_args: list[list[tuple[str, Expr]]] = []
        role_guards: list[list[Guard]] = []
        for role in range(len(self.roles)):
            given = [frozenset(a.name for a in self.step(u, role).args) for u in self.every]
            required = frozenset.intersection(*given)
            names = [a.name for a in self.step(0, role).args if a.name in required]
            optional = self.optional_args(role, required)
            if optional is None:
                if self.step(0, role).is_write:
                    name = self.step(0, role).name
                    return f"the write {name} takes different arguments across traces"
                self.broken.add(role)
                role_args.append([])
                role_guards.append([])
                continue
            self.optional[role] = optional
            resolved: list[tuple[str, Expr]] = []
            for name in names:
                expr = self.resolve(role, name)
                assert expr is not None
                self.exprs[(role, name)] = expr
                resolved.append((name, expr))
            role_args.append(resolved)
            known: list[tuple[Expr, tuple[Any, ...]]] = []
            for earlier in range(role):
                if all(
                    isinstance(self.step(u, earlier).result, str) for u in range(len(self.units))
                ):
                    ref = ResultRef(_role_var(earlier), ())
                    known.append((ref, self.values_of(ref)))
            known += [(ParamRef(h.name), h.values) for h in self.holes]
            is_read = not self.step(0, role).is_write
            role_guards.append(self.guards(role, known) if is_read else [])
        return self.assemble(role_args, role_guards)

    def loop_parts(self) -> list[tuple[LoopSpec, Expr, tuple[Path, Expr] | None]]:
        """Each loop with its source list and filter as expressions over the roles."""
        last = len(self.roles) - 1
        tools = [self.step(0, role).name for role in range(len(self.roles))]
        parts: list[tuple[LoopSpec, Expr, tuple[Path, Expr] | None]] = []
        for spec in self.loops:
            source: Expr | None
            if spec.source_tool is None:
                source = self.exprs.get((last, str(spec.source_path[0])))
            elif tools.count(spec.source_tool) == 1:
                role = tools.index(spec.source_tool)
                broken = role in self.broken
                source = None if broken else ResultRef(_role_var(role), spec.source_path)
            else:
                source = None
            where = None
            if spec.where is not None:
                within = self.exprs.get((last, spec.where[1]))
                where = (spec.where[0], within) if within is not None else None
            if source is not None and (spec.where is None or where is not None):
                parts.append((spec, source, where))
        return parts

    def assemble(
        self, role_args: list[list[tuple[str, Expr]]], role_guards: list[list[Guard]]
    ) -> AntiUnified | str:
        last = len(self.roles) - 1
        # Reads repeated once per element of a list answer the agent's choices (which items,
        # which orders); nothing the procedure does uses them: they are left to the caller.
        loops: list[tuple[LoopSpec, Expr, tuple[Path, Expr] | None]] = []
        unused = [describe(spec) for spec in self.loops]
        from_loops: set[Expr] = set()
        # Every write is the procedure; a read is kept only when its answer is used: by a later
        # step's argument, by a guard, or as what the procedure returns.
        kept = {last} | {r for r in range(last) if self.step(0, r).is_write}
        for role in range(last - 1, -1, -1):
            if role in self.broken or role in kept:
                continue
            used: set[Expr] = set()
            for later in kept:
                used.update(expr for _, expr in role_args[later])
                for guard in role_guards[later]:
                    used.update((guard.subject, guard.expected))
            var = _role_var(role)
            referenced = any(isinstance(e, ResultRef) and e.var == var for e in used)
            if referenced or role_guards[role]:
                kept.add(role)
            else:
                unused.insert(0, self.step(0, role).name)
        used_vars = {e.var for e in from_loops if isinstance(e, ResultRef)}
        for role in kept:
            for _, expr in role_args[role]:
                if isinstance(expr, ResultRef):
                    used_vars.add(expr.var)
            for guard in role_guards[role] if role in kept else []:
                used_vars.add(guard.subject.var)
                if isinstance(guard.expected, ResultRef):
                    used_vars.add(guard.expected.var)
        params_used = [
            e.name
            for role in sorted(kept)
            for e in [x for _, x in role_args[role]]
            + [g.expected for g in role_guards[role]]
            + [p for _, p in self.optional.get(role, [])]
            if isinstance(e, ParamRef)
        ]
        holes = {h.name: h for h in self.holes}
        # Parameters a caller may leave out come last, as Python wants them.
        order = sorted(dict.fromkeys(params_used), key=lambda name: holes[name].optional)
        taken = set(order) | {"tools", "result"}
        rename: dict[str, str] = {}
        for role in sorted(kept):
            var = _role_var(role)
            if role == last:
                rename[var] = "result"
            elif var in used_vars:
                rename[var] = unique(noun_of(self.step(0, role).name), taken)
                taken.add(rename[var])

        def fix(expr: Expr) -> Expr:
            return ResultRef(rename[expr.var], expr.path) if isinstance(expr, ResultRef) else expr

        body: list[Statement] = []
        for role in sorted(kept):
            step = self.step(0, role)
            args = tuple((name, fix(expr)) for name, expr in role_args[role])
            if role == last:
                for spec, source, where in loops:
                    var = element_name(spec.arg, spec.source_path, spec.field)
                    var = unique(f"each_{var}" if var in taken else var, taken)
                    taken.add(var)
                    call = CallStep(
                        spec.tool, ((spec.arg, ElementRef(var, spec.field)),), None, False
                    )
                    fixed = (where[0], fix(where[1])) if where is not None else None
                    body.append(Loop(var, fix(source), fixed, call, describe(spec)))
            body.append(
                CallStep(
                    step.name,
                    args,
                    rename.get(_role_var(role)),
                    step.is_write,
                    step.context,
                    tuple(self.optional.get(role, [])),
                )
            )
            for guard in role_guards[role]:
                subject = fix(guard.subject)
                assert isinstance(subject, ResultRef)
                body.append(replace(guard, subject=subject, expected=fix(guard.expected)))
        params = []
        for name in order:
            hole = holes[name]
            prop = self.property_schema(hole.tool, hole.arg)
            description = str(prop.get("description", "")) if prop else ""
            if not description.strip():
                description = f"The {hole.arg.replace('_', ' ')} passed to {hole.tool}."
            if hole.optional:
                given = [value for value in hole.values if value is not None]
                kind = JsonType("optional", (refine(given, prop),))
                description += f" Optional: {hole.tool} is called without it when left out."
                params.append(Param(name, kind, description, hole.values, optional=True))
                continue
            params.append(Param(name, refine(hole.values, prop), description, hole.values))
        answer = self.answer()
        expected = tuple(
            computed(self.step(u, last).result, answer) for u in range(len(self.units))
        )
        plan = Plan(
            tuple(params),
            tuple(body),
            "result",
            of_values(expected),
            "" if answer else self.returned_noun(last),
            expected_reads=tuple(dict.fromkeys(unused)),
            answer=answer,
        )
        arguments = tuple({p.name: p.values[u] for p in params} for u in range(len(self.units)))
        return AntiUnified(plan, self.units, arguments, expected)


def computed(result: Any, answer: Answer | None) -> Any:
    """The answer a plan returns from its last read's ``result``."""
    if answer is None:
        return result
    kind, path = answer
    value = result
    for part in path:
        value = value[part]
    return len(value) if kind == "count" else value


def antiunify(
    family: Family,
    *,
    stats: FieldStats,
    schemas: Mapping[str, ToolSchema],
    loops: Sequence[LoopSpec] = (),
) -> AntiUnified | str:
    """The plan of a family, or the reason there is none.

    Args:
        family: Units of one procedure.
        stats: Field statistics over all traces (which fields are categorical).
        schemas: Tool schemas by name (enums, descriptions).
        loops: Loops that hold in every unit of the family (at most one per tool).
    """
    if not family.units:
        return "empty family"
    return _Unifier(family, stats, schemas, loops).run()
