"""The skill's signature as data: parameters with JSON Schemas, read from the tree.

Annotations are matched against the allow-list in ``typeexpr`` and never evaluated. This schema is
the one source for argument validation and every export format.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import jsonschema
import libcst as cst

from skills_runtime.checking.checker import parse_for_check
from skills_runtime.checking.docstring import parse_docstring
from skills_runtime.checking.literals import (
    NOT_A_LITERAL,
    json_problem,
    literal_value,
    text_problem,
)
from skills_runtime.checking.names import TOOLS_PARAMETER
from skills_runtime.checking.policy import CheckPolicy
from skills_runtime.checking.report import Finding
from skills_runtime.checking.tools_use import tool_use
from skills_runtime.checking.typeexpr import TypeProblem, type_expression
from skills_runtime.errors import InvalidInput

__all__ = ["Parameter", "SkillSignature", "signature_of"]


@dataclass(frozen=True)
class Parameter:
    """One parameter a caller passes (``tools`` is not one).

    Attributes:
        name: The parameter's name.
        annotation_text: The annotation as written (``list[str] | None``).
        schema: JSON Schema of the values it accepts, without description or default.
        required: Whether it has no default.
        default: The literal default (a JSON value); ``None`` also when required.
        description: Its ``Args:`` entry, or ``""``.
    """

    name: str
    annotation_text: str
    schema: dict[str, Any]
    required: bool
    default: Any = None
    description: str = ""

    def property_schema(self) -> dict[str, Any]:
        """The schema of this parameter as a property: type, description and default."""
        schema = copy.deepcopy(self.schema)
        if self.description:
            schema["description"] = self.description
        if not self.required:
            schema["default"] = self.default
        return schema

    def to_json(self) -> dict[str, Any]:
        """The parameter as a JSON object."""
        return {
            "name": self.name,
            "annotation": self.annotation_text,
            "schema": copy.deepcopy(self.schema),
            "required": self.required,
            "default": self.default,
            "description": self.description,
        }


@dataclass(frozen=True)
class SkillSignature:
    """What a caller needs to know to call a skill.

    Attributes:
        name: The function's name.
        parameters: The parameters after ``tools``, in order.
        returns_schema: JSON Schema of the return value.
        returns_annotation_text: The return annotation as written.
        returns_description: The docstring's ``Returns:`` text, or ``""``.
        summary: The docstring's first line, or ``""``.
        description: The docstring without its ``Args:`` and ``Returns:`` sections.
        tools_called: Tool names called as ``tools.NAME(...)``, in order of first call.
    """

    name: str
    parameters: tuple[Parameter, ...]
    returns_schema: dict[str, Any]
    returns_annotation_text: str
    returns_description: str
    summary: str
    description: str
    tools_called: tuple[str, ...]

    @property
    def parameters_schema(self) -> dict[str, Any]:
        """JSON Schema object of the arguments (a fresh dict each time)."""
        return {
            "type": "object",
            "properties": {p.name: p.property_schema() for p in self.parameters},
            "required": [p.name for p in self.parameters if p.required],
            "additionalProperties": False,
        }

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name``.

        Raises:
            KeyError: There is no such parameter.
        """
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """The signature as a JSON object."""
        return {
            "name": self.name,
            "summary": self.summary,
            "description": self.description,
            "parameters": [p.to_json() for p in self.parameters],
            "parameters_schema": self.parameters_schema,
            "returns": {
                "annotation": self.returns_annotation_text,
                "schema": copy.deepcopy(self.returns_schema),
                "description": self.returns_description,
            },
            "tools_called": list(self.tools_called),
        }


# Signatures are read from sources that may be much larger than what ``check`` accepts by
# default (a registry may hold sources checked under a looser policy); the parser caps stay.
_SIGNATURE_POLICY = CheckPolicy(max_source_bytes=1_000_000)


def signature_of(source: str) -> SkillSignature:
    """Read the public function's signature from a skill source.

    Args:
        source: The skill module's text.

    Returns:
        The signature, with JSON Schemas derived from the annotations.

    Raises:
        InvalidInput: The source does not parse, or has no single public function whose first
            parameter is ``tools`` and whose other parameters and return carry allowed
            annotations and literal defaults.
    """
    parsed = parse_for_check(source, policy=_SIGNATURE_POLICY)
    if isinstance(parsed, Finding):
        raise InvalidInput(
            f"cannot read a signature: {parsed.code} at line {parsed.line}, column "
            f"{parsed.column}: {parsed.message}; run `skillbank check` for details"
        )
    public = parsed.public_functions
    if len(public) != 1:
        names = [f.name.value for f in public]
        raise InvalidInput(
            f"a skill source must define exactly one public function, found {len(public)}: "
            f"{names}; define the skill as one function (run `skillbank check` for the rules)"
        )
    function = public[0]
    name = function.name.value
    raw_docstring = function.get_docstring(clean=True) or ""
    problem = text_problem(raw_docstring)
    if problem is not None:
        raise InvalidInput(
            f"the docstring of {name!r} holds {problem}; write it as plain text (SK122)"
        )
    docstring = parse_docstring(raw_docstring)
    params = function.params
    if params.posonly_params or params.star_kwarg or isinstance(params.star_arg, cst.Param):
        raise InvalidInput(
            f"{name!r} takes `/`, `*args` or `**kwargs`; a skill takes named, typed parameters"
        )
    if not params.params or params.params[0].name.value != TOOLS_PARAMETER:
        raise InvalidInput(f"the first parameter of {name!r} must be `tools`")
    parameters = tuple(
        _parameter(parsed.qualified_names, parsed.module, name, param, docstring.args)
        for param in [*params.params[1:], *params.kwonly_params]
    )
    if function.returns is None:
        raise InvalidInput(f"{name!r} has no return annotation; add one, e.g. `-> dict[str, Any]`")
    returns = type_expression(function.returns.annotation, parsed.qualified_names)
    if isinstance(returns, TypeProblem):
        raise InvalidInput(f"the return annotation of {name!r}: {returns.message}; {returns.hint}")
    return SkillSignature(
        name=name,
        parameters=parameters,
        returns_schema=returns.schema(),
        returns_annotation_text=parsed.module.code_for_node(function.returns.annotation),
        returns_description=docstring.returns or "",
        summary=docstring.summary,
        description=docstring.description,
        tools_called=tool_use(parsed).names,
    )


def _parameter(
    qualified_names: Any,
    module: cst.Module,
    function: str,
    param: cst.Param,
    descriptions: dict[str, str],
) -> Parameter:
    name = param.name.value
    if name == TOOLS_PARAMETER:
        raise InvalidInput(f"`tools` must be the first parameter of {function!r}")
    if param.annotation is None:
        raise InvalidInput(
            f"parameter {name!r} of {function!r} has no annotation; annotate it, e.g. `{name}: str`"
        )
    expression = type_expression(param.annotation.annotation, qualified_names)
    if isinstance(expression, TypeProblem):
        raise InvalidInput(
            f"parameter {name!r} of {function!r}: {expression.message}; {expression.hint}"
        )
    schema = expression.schema()
    default: Any = None
    if param.default is not None:
        default = literal_value(param.default)
        if default is NOT_A_LITERAL:
            raise InvalidInput(
                f"the default of parameter {name!r} of {function!r} is not a string, number, "
                "bool or None literal; use one"
            )
        problem = json_problem(default)
        if problem is not None:
            raise InvalidInput(
                f"the default of parameter {name!r} of {function!r} is {problem}; use a value "
                "JSON carries as it is (SK122)"
            )
        if not jsonschema.Draft202012Validator(schema).is_valid(default):
            raise InvalidInput(
                f"the default of parameter {name!r} of {function!r} is {default!r}, which is not "
                f"a {expression.text()}; make it match the annotation"
            )
    return Parameter(
        name=name,
        annotation_text=module.code_for_node(param.annotation.annotation),
        schema=schema,
        required=param.default is None,
        default=default,
        description=descriptions.get(name, ""),
    )
