"""Tools the host grants to a skill: a name, a host callable, the JSON Schema of its arguments."""

from __future__ import annotations

import importlib
import inspect
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import jsonschema
import jsonschema.exceptions
import jsonschema.protocols

from sandbox.errors import ConfigurationError
from sandbox.schema_fast import PlainCheck, compile_plain

__all__ = ["Tool", "load_tools", "schema_for_function"]


@dataclass(frozen=True)
class Tool:
    """A host callable granted to a skill for one call.

    Attributes:
        name: How the skill calls it: ``tools.<name>(**kwargs)``.
        function: The host callable, called with keyword arguments; async callables are run to
            completion in the host.
        schema: JSON Schema of the keyword arguments (an ``object`` schema).
    """

    name: str
    function: Callable[..., Any] = field(repr=False)
    schema: Mapping[str, Any] = field(default_factory=lambda: {"type": "object"})

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ConfigurationError(f"tool name {self.name!r} must be a Python identifier")
        if self.name.startswith("_"):
            raise ConfigurationError(f"tool name {self.name!r} must not start with '_'")
        if not callable(self.function):
            raise ConfigurationError(f"tool {self.name!r}: function must be callable")
        try:
            jsonschema.validators.validator_for(self.schema).check_schema(dict(self.schema))
        except jsonschema.exceptions.SchemaError as exc:
            raise ConfigurationError(
                f"tool {self.name!r}: schema is not a valid JSON Schema: {exc.message}"
            ) from None

    @cached_property
    def plain_check(self) -> PlainCheck:
        """The bridge's quick yes for this tool's arguments (see :mod:`sandbox.schema_fast`)."""
        return compile_plain(self.schema)

    @cached_property
    def validator(self) -> jsonschema.protocols.Validator:
        """A validator of this tool's arguments."""
        cls = jsonschema.validators.validator_for(self.schema)
        return cls(dict(self.schema))

    @classmethod
    def from_function(
        cls,
        function: Callable[..., Any],
        *,
        name: str | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> Tool:
        """A tool from a typed host function (schema derived from its signature by default)."""
        tool_name = name if name is not None else getattr(function, "__name__", "")
        return cls(
            tool_name, function, schema if schema is not None else schema_for_function(function)
        )


_SIMPLE: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    list: {"type": "array"},
    dict: {"type": "object"},
    type(None): {"type": "null"},
    Any: {},
}


def _schema_for_type(annotation: Any) -> dict[str, Any]:
    if annotation is inspect.Parameter.empty:
        return {}
    if annotation in _SIMPLE:
        return dict(_SIMPLE[annotation])
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_schema_for_type(arg) for arg in args]}
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin in (list, tuple, set, frozenset, Iterable):
        return {"type": "array", **({"items": _schema_for_type(args[0])} if args else {})}
    if origin in (dict, Mapping):
        return {"type": "object"}
    return {}


def schema_for_function(function: Callable[..., Any]) -> dict[str, Any]:
    """JSON Schema of a trusted host function's keyword arguments, from its signature.

    Maps ``str``/``int``/``float``/``bool``/``list[...]``/``dict``/``Optional``/``Literal``;
    anything else accepts any JSON value.
    """
    signature = inspect.signature(function)
    try:
        hints = typing.get_type_hints(function)
    except Exception:
        hints = {}
    properties: dict[str, Any] = {}
    required: list[str] = []
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        properties[parameter.name] = _schema_for_type(hints.get(parameter.name, parameter.empty))
        if parameter.default is parameter.empty:
            required.append(parameter.name)
    has_kwargs = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": has_kwargs,
    }


def load_tools(spec: str) -> tuple[Tool, ...]:
    """Load host tools named by ``"package.module:ATTR"`` (trusted host code).

    ``ATTR`` may be a mapping of names to callables, a list of functions (named by
    ``__name__``) or :class:`Tool` values, or an object with a ``sandbox_tools()`` method
    returning tools.

    Raises:
        ConfigurationError: The spec cannot be imported or holds no usable tools.
    """
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ConfigurationError(f"--tools {spec!r} must look like 'package.module:ATTR'")
    try:
        found: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(f"cannot load tools {spec!r}: {exc}") from None
    if hasattr(found, "sandbox_tools"):
        found = found.sandbox_tools()
    if isinstance(found, Mapping):
        return tuple(
            item if isinstance(item, Tool) else Tool.from_function(item, name=name)
            for name, item in found.items()
        )
    if isinstance(found, Iterable) and not isinstance(found, str | bytes):
        return tuple(item if isinstance(item, Tool) else Tool.from_function(item) for item in found)
    raise ConfigurationError(
        f"tools {spec!r} is a {type(found).__name__}; expected a mapping, a list of functions, "
        "or an object with sandbox_tools()"
    )
