"""Running a plan without rendering it: the meaning of the skill IR, for synthesis to test itself.

Synthesis proposes plans (a merge of two procedures into one skill, say) that must still
reproduce every recorded run they stand for. ``run_plan`` executes a plan's statements over the
skill IR directly — no Python is generated or executed — against any tool dispatcher, such as
:class:`~skills_runtime.replay.RecordedTools`. The rendered source means the same thing; the gates
check that (replay in the sandbox) before anything is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from skills_runtime.synthesis.plan import (
    CallStep,
    Choice,
    Const,
    Expr,
    Guard,
    Loop,
    ParamRef,
    Plan,
    Required,
)

__all__ = ["PlanStopped", "run_plan"]

Dispatch = Callable[[str, Mapping[str, Any]], Any]


class PlanStopped(Exception):
    """A guard of the plan refused (``SkillPrecondition`` in the rendered skill)."""


def _value(expr: Expr, env: Mapping[str, Any]) -> Any:
    """A constant, a parameter, or a path into a variable (a call's result, a loop element)."""
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, ParamRef):
        return env[expr.name]
    value = env[expr.var]
    for part in expr.path:
        value = value[part]
    return value


def _call(step: CallStep, env: dict[str, Any], tools: Dispatch) -> None:
    arguments = {name: _value(expr, env) for name, expr in step.args}
    for name, param in step.optional:
        if env[param.name] is not None:
            arguments[name] = env[param.name]
    result = tools(step.tool, arguments)
    if step.var is not None:
        env[step.var] = result


def _guard(guard: Guard, env: Mapping[str, Any]) -> None:
    if _value(guard.subject, env) != _value(guard.expected, env):
        raise PlanStopped(f"{guard.noun} {'.'.join(map(str, guard.subject.path))}")


def _run(statements: tuple[Any, ...], env: dict[str, Any], tools: Dispatch) -> None:
    for statement in statements:
        if isinstance(statement, CallStep):
            _call(statement, env, tools)
        elif isinstance(statement, Guard):
            _guard(statement, env)
        elif isinstance(statement, Required):
            if env[statement.param] is None:
                raise PlanStopped(f"{statement.param} is needed")
        elif isinstance(statement, Choice):
            for branch in statement.branches:
                if all(env[name] is not None for name in branch.when):
                    _run(branch.body, env, tools)
                    break
            else:
                if statement.stop:
                    raise PlanStopped(statement.stop)
        elif isinstance(statement, Loop):
            for element in _value(statement.source, env):
                env[statement.var] = element
                if statement.where is not None:
                    path, within = statement.where
                    value = element
                    for part in path:
                        value = value[part]
                    if value not in _value(within, env):
                        continue
                call = statement.call
                tools(call.tool, {name: _value(expr, env) for name, expr in call.args})


def run_plan(plan: Plan, arguments: Mapping[str, Any], tools: Dispatch) -> Any:
    """Run ``plan`` with ``arguments`` (every parameter by name) and return what it returns.

    Raises:
        PlanStopped: A guard refused.
        Exception: Whatever ``tools`` raises for a call (a recording without that call, say).
    """
    env: dict[str, Any] = dict(arguments)
    _run(plan.body, env, tools)
    result = env[plan.returns]
    if plan.answer is None:
        return result
    kind, path = plan.answer
    for part in path:
        result = result[part]
    return len(result) if kind == "count" else result
