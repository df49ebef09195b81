"""Properties over generated inputs, searched and shrunk by hypothesis inside the worker.

Each example draws arguments (from the parameters' JSON Schema, mixed with observed values) and a
recorded world for the fake tools, calls the skill, and checks, in this order:

- ``within_limits``: the call ended within its time and tool-call budget;
- ``no_unexpected_exception``: it returned, or a guard said no (``SkillPrecondition``, before any
  tool that may write), or a tool did (the very ``ToolError`` a tool raised); anything else
  (``KeyError``, ``TypeError``, a ``ToolError`` the skill raised itself, a guard after a write)
  is a bug;
- ``tool_calls_match_schemas``: every tool call is of a declared tool, with arguments valid against
  that tool's JSON Schema;
- ``returns_match_schema``: the returned value is valid against the return annotation's schema;
- ``deterministic``: a second call on the same inputs (object keys reversed, which JSON allows)
  makes the same calls and ends the same way.

A failing example is shrunk by hypothesis; the report keeps the minimal one. The search then
continues for the properties still open, so one bug does not hide another.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsonschema
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from hypothesis.reporting import with_reporter

from skills_runtime.replay import ReplayCase
from skills_runtime.verify.coverage import StatementCoverage
from skills_runtime.verify.execution import Execution, SkillRunner, execute
from skills_runtime.verify.fakes import Chooser, FakeTools, Scripted, from_hypothesis, reverse_keys
from skills_runtime.verify.hints import AnswerHints
from skills_runtime.verify.report import SEARCHED, PropertyResult, VerifySettings
from skills_runtime.verify.strategies import arguments_strategy

__all__ = ["PropertyFailure", "run_properties"]


class PropertyFailure(AssertionError):
    """A property did not hold for the current example."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class _LimitHit(BaseException):
    """Ends a search at once: hypothesis propagates BaseException without shrinking, which would
    re-run (and wait out) the slow example dozens of times."""


@dataclass
class _Search:
    """What the property search observed; the last example run is the shrunk one on failure."""

    examples: int = 0
    example: dict[str, Any] | None = None


def run_properties(
    skill: SkillRunner,
    *,
    parameters_schema: Mapping[str, Any],
    returns_schema: Mapping[str, Any] | None,
    tool_schemas: Mapping[str, Mapping[str, Any]],
    cases: Sequence[ReplayCase],
    observed: Mapping[str, Sequence[Any]],
    error_type: Callable[[str], BaseException],
    guards: tuple[type[BaseException], ...],
    verify_settings: VerifySettings,
    reads: frozenset[str] = frozenset(),
    hints: AnswerHints | None = None,
    coverage: StatementCoverage | None = None,
) -> list[PropertyResult]:
    """Search for inputs that break a property; one result per property, in a fixed order."""
    searcher = _Searcher(
        skill,
        parameters_schema=parameters_schema,
        returns_schema=returns_schema,
        tool_schemas=tool_schemas,
        cases=cases,
        observed=observed,
        error_type=error_type,
        guards=guards,
        verify_settings=verify_settings,
        reads=reads,
        hints=hints or AnswerHints(),
        coverage=coverage,
    )
    is_open = [
        name for name in SEARCHED if name != "deterministic" or verify_settings.check_determinism
    ]
    results: dict[str, PropertyResult] = {}
    while is_open:
        search = _Search()
        try:
            with with_reporter(lambda _message: None):
                searcher.search(tuple(is_open), search)
        except _LimitHit as hit:
            results["within_limits"] = PropertyResult(
                name="within_limits",
                passed=False,
                examples=search.examples,
                falsifying_example=search.example,
                error=f"{hit} (first example found, not shrunk: every attempt costs the budget)",
            )
            for name in is_open:
                if name != "within_limits":
                    results[name] = PropertyResult(
                        name=name,
                        passed=False,
                        examples=search.examples,
                        error="not checked: the search stopped when the skill exceeded a limit",
                    )
            break
        except PropertyFailure as failure:
            results[failure.name] = PropertyResult(
                name=failure.name,
                passed=False,
                examples=search.examples,
                falsifying_example=search.example,
                error=failure.message,
            )
            is_open.remove(failure.name)
            continue
        except HypothesisException as error:  # e.g. no valid input could be generated
            for name in is_open:
                results[name] = PropertyResult(
                    name=name, passed=False, examples=search.examples, error=f"{error!r}"
                )
            break
        for name in is_open:
            results[name] = PropertyResult(name=name, passed=True, examples=search.examples)
        break
    if coverage is not None and results.get("within_limits", _HELD).passed:
        searcher.explore(results)
    return [results[name] for name in SEARCHED if name in results]


_HELD = PropertyResult(name="within_limits", passed=True)
_EXPLORATION_RUNS = 80
"""Scripted runs at most, after the search, to reach statements it did not (cheap: no shrinking,
no hypothesis; stopped as soon as every statement ran)."""


class _Searcher:
    """One skill under test, with its validators and fakes; ``search`` runs hypothesis once."""

    def __init__(
        self,
        skill: SkillRunner,
        *,
        parameters_schema: Mapping[str, Any],
        returns_schema: Mapping[str, Any] | None,
        tool_schemas: Mapping[str, Mapping[str, Any]],
        cases: Sequence[ReplayCase],
        observed: Mapping[str, Sequence[Any]],
        error_type: Callable[[str], BaseException],
        guards: tuple[type[BaseException], ...],
        verify_settings: VerifySettings,
        reads: frozenset[str],
        hints: AnswerHints,
        coverage: StatementCoverage | None,
    ) -> None:
        self.skill = skill
        self.cases = list(cases)
        self.error_type = error_type
        self.guards = guards
        self.settings = verify_settings
        self.reads = reads
        self.hints = hints
        self.coverage = coverage
        self.tool_schemas = {name: dict(schema) for name, schema in tool_schemas.items()}
        self.last_inputs: dict[str, Any] | None = None
        self.arguments = arguments_strategy(parameters_schema, observed=observed)
        self.parameters_validator = jsonschema.Draft202012Validator(dict(parameters_schema))
        self.tool_validators = {
            name: jsonschema.Draft202012Validator(dict(schema))
            for name, schema in tool_schemas.items()
        }
        self.returns_validator = (
            jsonschema.Draft202012Validator(dict(returns_schema)) if returns_schema else None
        )
        self.worlds = st.integers(0, max(1, len(self.cases)) - 1)

    def run(
        self,
        inputs: dict[str, Any],
        world: int,
        *,
        reversed_keys: bool,
        choose: Chooser,
        memo: dict[str, Any],
    ) -> tuple[Execution, FakeTools]:
        fakes = FakeTools(
            self.cases,
            world=world,
            inputs=inputs,
            error_type=self.error_type,
            reversed_keys=reversed_keys,
            tool_schemas=self.tool_schemas,
            choose=choose,
            hints=self.hints,
            memo=memo,
        )
        execution = execute(
            self.skill,
            reverse_keys(inputs) if reversed_keys else inputs,
            fakes,
            guards=self.guards,
            call_seconds=self.settings.call_seconds,
            max_tool_calls=self.settings.max_tool_calls,
            reads=self.reads,
            coverage=self.coverage,
        )
        return execution, fakes

    def explore(self, results: dict[str, PropertyResult]) -> None:
        """Reach the statements the search did not, by scripted answers; check what runs.

        For each recorded world (with its recorded inputs, the most realistic ones), one field
        the skill branches on at a time holds another value, then one call at a time fails,
        then a tool never recorded answers with the keys the skill reads. Every run is checked
        against the properties that held, so code reached only here is tested too.
        """
        coverage = self.coverage
        if coverage is None:
            return
        worlds: list[tuple[int, dict[str, Any]]] = [
            (index, dict(case.arguments))
            for index, case in enumerate(self.cases)
            if not any(True for _ in self.parameters_validator.iter_errors(dict(case.arguments)))
        ]
        if not worlds and self.last_inputs is not None:
            worlds = [(0, self.last_inputs)]
        worlds = _distinct_first(worlds, self.cases)
        checks = tuple(name for name, result in results.items() if result.passed)
        runs = 0
        for kind in ("varies", "fails", "invented"):
            for world, inputs in worlds:
                index = 0
                while not coverage.complete and runs < _EXPLORATION_RUNS:
                    script = Scripted(kind, index)
                    execution, fakes = self.run(
                        inputs, world, reversed_keys=False, choose=script, memo={}
                    )
                    runs += 1
                    if not script.reached:
                        break
                    index += 1
                    example = {
                        "arguments": inputs,
                        "world": fakes.world_id,
                        "tool_calls": [
                            {"name": name, "arguments": json.loads(args)}
                            for name, args in execution.calls
                        ],
                        "outcome": execution.outcome,
                        "explored": f"{kind} #{index}",
                    }
                    try:
                        _check(
                            execution,
                            checks,
                            self.tool_validators,
                            self.returns_validator,
                            fakes.invented,
                        )
                    except PropertyFailure as failure:
                        results[failure.name] = PropertyResult(
                            name=failure.name,
                            passed=False,
                            examples=results[failure.name].examples,
                            falsifying_example=example,
                            error=failure.message,
                        )
                        checks = tuple(name for name in checks if name != failure.name)
                    if execution.outcome == "limit":
                        return

    def search(self, checks: tuple[str, ...], search: _Search) -> None:
        """Run hypothesis over ``checks``; raises the first (shrunk) failure."""

        @settings(
            max_examples=self.settings.max_examples,
            database=None,
            derandomize=True,
            deadline=None,
            report_multiple_bugs=False,
            verbosity=Verbosity.quiet,
            phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def property_search(data: st.DataObject) -> None:
            inputs = data.draw(self.arguments, label="arguments")
            world = data.draw(self.worlds, label="world")
            if any(True for _ in self.parameters_validator.iter_errors(inputs)):
                return  # a keyword outside the strategy subset: not a valid input, skip it
            search.examples += 1
            memo: dict[str, Any] = {}
            self.last_inputs = inputs
            choose = from_hypothesis(data.draw)
            first, fakes = self.run(inputs, world, reversed_keys=False, choose=choose, memo=memo)
            search.example = {
                "arguments": inputs,
                "world": fakes.world_id,
                "tool_calls": [
                    {"name": name, "arguments": json.loads(args)} for name, args in first.calls
                ],
                "outcome": first.outcome,
            }
            if fakes.invented:
                # Said with the failure: no recording shaped these answers.
                search.example["invented_answers"] = sorted(set(fakes.invented))
            if first.outcome == "limit" and "within_limits" in checks:
                raise _LimitHit(first.error)
            _check(first, checks, self.tool_validators, self.returns_validator, fakes.invented)
            if "deterministic" in checks:
                second, _ = self.run(inputs, world, reversed_keys=True, choose=choose, memo=memo)
                if second.fingerprint() != first.fingerprint():
                    raise PropertyFailure("deterministic", _difference(first, second))

        property_search()


def _distinct_first(
    worlds: list[tuple[int, dict[str, Any]]], cases: Sequence[ReplayCase]
) -> list[tuple[int, dict[str, Any]]]:
    """The worlds to explore, one of each kind first: the exploration's runs are few, and a
    family learned from many recordings can list hundreds that take one path (a skill's
    arguments leaving a way of finding the order out) before the first that takes another (the
    way whose guards need varied answers). A kind is which arguments the world gives (they
    choose the branches) and, second, which tools it recorded (they shape the answers).
    """

    def kind(world: tuple[int, dict[str, Any]]) -> tuple[str, str]:
        index, inputs = world
        given = sorted(name for name, value in inputs.items() if value is not None)
        recorded = sorted({call.name for call in cases[index].calls}) if index < len(cases) else []
        return json.dumps(given), json.dumps(recorded)

    first_given: set[str] = set()
    first_recorded: set[tuple[str, str]] = set()
    ranked: list[tuple[int, int, tuple[int, dict[str, Any]]]] = []
    for order, world in enumerate(worlds):
        given, recorded = kind(world)
        if given not in first_given:
            rank = 0
        elif (given, recorded) not in first_recorded:
            rank = 1
        else:
            rank = 2
        first_given.add(given)
        first_recorded.add((given, recorded))
        ranked.append((rank, order, world))
    return [world for _, _, world in sorted(ranked, key=lambda item: item[:2])]


def _check(
    execution: Execution,
    checks: Sequence[str],
    tool_validators: Mapping[str, jsonschema.Draft202012Validator],
    returns_validator: jsonschema.Draft202012Validator | None,
    invented: Sequence[str] = (),
) -> None:
    if "within_limits" in checks and execution.outcome == "limit":
        raise PropertyFailure("within_limits", str(execution.error))
    if "no_unexpected_exception" in checks and execution.outcome == "unexpected_error":
        note = ""
        if invented:
            note = (
                f" (no recording shows what {', '.join(sorted(set(invented)))} answers: the "
                "answers were shaped from the keys the skill reads; add a trajectory that calls "
                "it to verify against real answers)"
            )
        raise PropertyFailure("no_unexpected_exception", str(execution.error) + note)
    if "tool_calls_match_schemas" in checks:
        for name, arguments_json in execution.calls:
            problem = _call_problem(name, arguments_json, tool_validators)
            if problem is not None:
                raise PropertyFailure("tool_calls_match_schemas", problem)
    if (
        "returns_match_schema" in checks
        and returns_validator is not None
        and execution.outcome == "returned"
    ):
        error = jsonschema.exceptions.best_match(returns_validator.iter_errors(execution.value))
        if error is not None:
            where = "/".join(str(part) for part in error.path) or "the returned value"
            raise PropertyFailure("returns_match_schema", f"{where}: {error.message}")


def _call_problem(
    name: str, arguments_json: str, validators: Mapping[str, jsonschema.Draft202012Validator]
) -> str | None:
    validator = validators.get(name)
    if validator is None:
        return f"tool {name!r} is not declared; declared tools: {sorted(validators)}"
    error = jsonschema.exceptions.best_match(validator.iter_errors(json.loads(arguments_json)))
    if error is None:
        return None
    where = "/".join(str(part) for part in error.path) or "arguments"
    return f"{name}({arguments_json}): {where}: {error.message}"


def _difference(first: Execution, second: Execution) -> str:
    for index, (one, two) in enumerate(zip(first.calls, second.calls, strict=False)):
        if one != two:
            return (
                f"call #{index + 1} differs between two runs on the same inputs: "
                f"{one[0]}({one[1]}) then {two[0]}({two[1]})"
            )
    if len(first.calls) != len(second.calls):
        return f"{len(first.calls)} tool calls in one run, {len(second.calls)} in another"
    return (
        "two runs on the same inputs ended differently: "
        f"{first.outcome} {first.value if first.outcome == 'returned' else first.error!r} then "
        f"{second.outcome} {second.value if second.outcome == 'returned' else second.error!r}"
    )
