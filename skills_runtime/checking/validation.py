"""Check call arguments against a skill's parameter schema and fill in defaults."""

from __future__ import annotations

from typing import Any

import jsonschema

from skills_runtime.checking.signature import SkillSignature
from skills_runtime.errors import InvalidArgument

__all__ = ["validate_arguments"]


def validate_arguments(signature: SkillSignature, arguments: dict[str, Any]) -> dict[str, Any]:
    """Validate ``arguments`` against ``signature.parameters_schema``.

    Args:
        signature: The skill's signature (from ``signature_of``).
        arguments: Parameter name → JSON value, as an agent or a caller passed them.

    Returns:
        A new dict with every parameter: the given values plus defaults for the missing ones.

    Raises:
        InvalidArgument: An argument is unknown, missing, or of the wrong type; the message names
            the parameter, the expected type, the value received, and what to do.
    """
    skill = signature.name
    if not isinstance(arguments, dict):
        raise InvalidArgument(
            f"arguments of skill {skill!r} must be a JSON object (a dict), got "
            f"{_show(arguments)}; pass {{name: value}}"
        )
    names = [p.name for p in signature.parameters]
    problems = []
    unknown = [key for key in arguments if key not in names]
    if unknown:
        problems.append(
            f"skill {skill!r} has no parameter {_names(unknown)}; its parameters are {names}; "
            "remove the argument or fix its name"
        )
    missing = [p for p in signature.parameters if p.required and p.name not in arguments]
    if missing:
        needed = ", ".join(f"{p.name!r} ({p.annotation_text})" for p in missing)
        word = "argument" if len(missing) == 1 else "arguments"
        problems.append(f"skill {skill!r} needs {word} {needed}; pass {_them(missing)}")
    for parameter in signature.parameters:
        if parameter.name not in arguments:
            continue
        value = arguments[parameter.name]
        error = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator(parameter.schema).iter_errors(value)
        )
        if error is not None:
            where = "".join(f"[{step!r}]" for step in error.absolute_path)
            detail = f" (at {parameter.name}{where}: {error.message})" if where else ""
            problems.append(
                f"argument {parameter.name!r} of skill {skill!r} must be "
                f"{parameter.annotation_text}, got {_show(value)}{detail}; pass a value of "
                "that type"
            )
    if problems:
        # Every problem at once, so one corrected call can fix them all.
        raise InvalidArgument("; ".join(problems))
    filled = {p.name: p.default for p in signature.parameters if not p.required}
    filled.update(arguments)
    return filled


def _names(keys: list[str]) -> str:
    return ", ".join(repr(key) for key in keys)


def _them(missing: list[Any]) -> str:
    return "it" if len(missing) == 1 else "them"


def _show(value: Any) -> str:
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"
