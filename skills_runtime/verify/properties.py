"""Properties over generated inputs, searched and shrunk by hypothesis inside the worker.

Each example draws arguments (from the parameters' JSON Schema, mixed with observed values) and a
recorded world for the fake tools, calls the skill, and checks, in this order:

- ``within_limits``: the call ended within its time and tool-call budget;
- ``no_unexpected_exception``: it returned, or raised ``SkillPrecondition``/``ToolError`` (a guard
  or a tool said no); anything else (``KeyError``, ``TypeError``, ...) is a bug;
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
from skills_runtime.verify.execution import Execution, SkillRunner, execute
from skills_runtime.verify.fakes import FakeTools, reverse_keys
from skills_runtime.verify.report import PROPERTY_NAMES, PropertyResult, VerifySettings
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
    expected: tuple[type[BaseException], ...],
    verify_settings: VerifySettings,
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
        expected=expected,
        verify_settings=verify_settings,
    )
    is_open = [
        name
        for name in PROPERTY_NAMES
        if name != "deterministic" or verify_settings.check_determinism
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
    return [results[name] for name in PROPERTY_NAMES if name in results]


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
        expected: tuple[type[BaseException], ...],
        verify_settings: VerifySettings,
    ) -> None:
        self.skill = skill
        self.cases = list(cases)
        self.error_type = error_type
        self.expected = expected
        self.settings = verify_settings
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

    def run(self, inputs: dict[str, Any], world: int, *, reversed_keys: bool) -> Execution:
        fakes = FakeTools(
            self.cases,
            world=world,
            inputs=inputs,
            error_type=self.error_type,
            reversed_keys=reversed_keys,
        )
        return execute(
            self.skill,
            reverse_keys(inputs) if reversed_keys else inputs,
            fakes,
            expected=self.expected,
            call_seconds=self.settings.call_seconds,
            max_tool_calls=self.settings.max_tool_calls,
        )

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
            first = self.run(inputs, world, reversed_keys=False)
            search.example = {
                "arguments": inputs,
                "world": FakeTools(self.cases, world=world, inputs=inputs).world_id,
                "tool_calls": [
                    {"name": name, "arguments": json.loads(args)} for name, args in first.calls
                ],
                "outcome": first.outcome,
            }
            if first.outcome == "limit" and "within_limits" in checks:
                raise _LimitHit(first.error)
            _check(first, checks, self.tool_validators, self.returns_validator)
            if "deterministic" in checks:
                second = self.run(inputs, world, reversed_keys=True)
                if second.fingerprint() != first.fingerprint():
                    raise PropertyFailure("deterministic", _difference(first, second))

        property_search()


def _check(
    execution: Execution,
    checks: Sequence[str],
    tool_validators: Mapping[str, jsonschema.Draft202012Validator],
    returns_validator: jsonschema.Draft202012Validator | None,
) -> None:
    if "within_limits" in checks and execution.outcome == "limit":
        raise PropertyFailure("within_limits", str(execution.error))
    if "no_unexpected_exception" in checks and execution.outcome == "unexpected_error":
        raise PropertyFailure("no_unexpected_exception", str(execution.error))
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
