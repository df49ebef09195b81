"""Host toolsets: the embedding application's typed functions, offered to skills and agents.

A host tool is a plain typed Python function with a Google-style docstring, sync or async. A
:class:`Toolset` collects them, derives each one's JSON Schema from its signature, and hands them
out in the shapes the rest of skillbank needs::

    retail = Toolset("retail")

    @retail.tool
    def get_order_details(order_id: str) -> dict[str, Any]:
        '''The order's status, items and owner.

        Args:
            order_id: The order id, e.g. "#W2378156".
        '''

    @retail.tool(mutates=True)
    def cancel_pending_order(order_id: str, reason: Literal["no longer needed", "mistake"]): ...

Skills never receive these functions: they call them through the sandbox's bridge, which grants
only the tools a skill's check recorded (:meth:`Toolset.sandbox_tools`). Tool code runs in the host
process, with the host's rights: keep it small, and give it JSON in and JSON out.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import importlib
import inspect
import threading
import typing
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, overload

import jsonschema

from skills_runtime.errors import ConfigurationError, InvalidArgument
from skills_runtime.export.pytypes import parse_docstring, type_schema
from skills_runtime.trajectory.model import ToolSchema

if TYPE_CHECKING:
    import sandbox
    from sandbox.schema_fast import PlainCheck

__all__ = ["HOST_CALLS_SOURCE", "HostTool", "Toolset", "load_toolset", "to_json_value"]

HOST_CALLS_SOURCE = "mcp-host-calls"
"""The registry source under which host-tool calls agents made through skillbank are kept."""

_F = TypeVar("_F", bound=Callable[..., Any])


@dataclass(frozen=True)
class HostTool:
    """One host function with its derived declaration."""

    name: str
    function: Callable[..., Any]
    description: str
    parameters: Mapping[str, Any]
    """JSON Schema object of the arguments (``required``, ``additionalProperties: false``)."""
    returns: Mapping[str, Any]
    mutates: bool = False

    @classmethod
    def from_function(
        cls,
        function: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        mutates: bool = False,
    ) -> HostTool:
        """Derive a tool from a typed function (annotations are evaluated: host code is trusted)."""
        tool_name = str(name or getattr(function, "__name__", ""))
        if not tool_name.isidentifier():
            raise ConfigurationError(
                f"tool name {tool_name!r} is not a Python identifier; pass name=... explicitly"
            )
        try:
            hints = typing.get_type_hints(function, include_extras=True)
        except Exception as error:  # a host module with a broken annotation
            raise ConfigurationError(
                f"cannot read the annotations of tool {tool_name!r}: {error}"
            ) from error
        docs = parse_docstring(function)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for parameter in inspect.signature(function).parameters.values():
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            where = f"parameter {parameter.name!r} of tool {tool_name!r}"
            schema = type_schema(hints.get(parameter.name, inspect.Parameter.empty), where=where)
            if docs.argument(parameter.name):
                schema["description"] = docs.argument(parameter.name)
            if parameter.default is inspect.Parameter.empty:
                required.append(parameter.name)
            elif _is_json(parameter.default):
                schema["default"] = parameter.default
            properties[parameter.name] = schema
        parameters = {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
        returns = type_schema(
            hints.get("return", inspect.Parameter.empty), where=f"return of tool {tool_name!r}"
        )
        text = description if description is not None else docs.description
        return cls(tool_name, function, str(text or tool_name), parameters, returns, mutates)

    def schema(self) -> ToolSchema:
        """The declaration as the trajectory model spells it."""
        return ToolSchema(
            name=self.name,
            description=self.description,
            parameters=_plain(self.parameters),
            mutates=self.mutates,
        )

    def validate(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Check ``arguments`` against the schema; return a plain copy of them.

        Omitted optional arguments are left out: the function's own defaults apply when it runs.

        Raises:
            InvalidArgument: Naming the offending argument and what was expected.
        """
        if not isinstance(arguments, Mapping):
            raise InvalidArgument(
                f"tool {self.name!r} takes a JSON object of arguments, got {arguments!r}"
            )
        plain = dict(arguments)
        # A quick yes for plain schemas (the common case); jsonschema answers for the rest and
        # words every refusal.
        if self._plain_check(plain):
            return plain
        errors = sorted(self._validator.iter_errors(plain), key=lambda e: list(e.absolute_path))
        if errors:
            error = errors[0]
            path = "/".join(str(part) for part in error.absolute_path) or "(arguments)"
            raise InvalidArgument(
                f"tool {self.name!r}: argument {path}: {error.message}; "
                f"expected arguments: {sorted(self.parameters['properties'])} "
                f"(required: {list(self.parameters['required'])})"
            )
        return plain

    @functools.cached_property
    def _plain_check(self) -> PlainCheck:
        from sandbox.schema_fast import compile_plain

        return compile_plain(self._validator.schema)

    @functools.cached_property
    def _validator(self) -> jsonschema.Draft202012Validator:
        # Built once per tool: the schema never changes, and calls are the hot path.
        return jsonschema.Draft202012Validator(_plain(self.parameters))

    def call(self, arguments: Mapping[str, Any]) -> Any:
        """Validate the arguments, run the function (awaiting it if async), return JSON.

        Raises:
            InvalidArgument: Arguments that do not fit the schema (nothing ran), or a result
                with no JSON form (the tool ran; the message names the tool).
        """
        return self.run_checked(self.validate(arguments))

    def run_checked(self, arguments: dict[str, Any]) -> Any:
        """:meth:`call` for arguments already checked against this tool's schema (the sandbox
        bridge checks a skill's calls against the same schema before they get here)."""
        result = self.function(**arguments)
        if inspect.isawaitable(result):
            result = _run_coroutine(_awaited(result))
        try:
            return to_json_value(result)
        except InvalidArgument as error:
            raise InvalidArgument(
                f"tool {self.name!r} ran but returned a value without a JSON form ({error}); "
                "return dicts, lists, strings, numbers, booleans, None, dataclasses or "
                "pydantic models"
            ) from None


class Toolset:
    """A named collection of host tools.

    Args:
        name: Names the toolset in messages and in exported descriptions (e.g. ``"retail"``).
        functions: Functions to add right away (each named by its ``__name__``).
    """

    def __init__(self, name: str = "tools", functions: Iterable[Callable[..., Any]] = ()) -> None:
        self.name = name
        self._tools: dict[str, HostTool] = {}
        # Building a sandbox.Tool checks its schema against the JSON Schema meta-schema (about
        # as long as a whole sandboxed call): built once per tool, shared by every call.
        self._granted: dict[str, sandbox.Tool] = {}
        # Every recorded skill call stores the declarations: built once, again after an add.
        self._schemas: tuple[ToolSchema, ...] | None = None
        for function in functions:
            self.add(function)

    @classmethod
    def from_functions(
        cls,
        functions: Iterable[Callable[..., Any]] | Mapping[str, Callable[..., Any]],
        *,
        name: str = "tools",
        mutating: Iterable[str] = (),
    ) -> Toolset:
        """A toolset of plain functions (a list named by ``__name__``, or a name → function map).

        Args:
            functions: The functions.
            name: The toolset's name.
            mutating: Names of the tools that change the world (writes).
        """
        writes = set(mutating)
        toolset = cls(name)
        pairs = (
            functions.items()
            if isinstance(functions, Mapping)
            else ((getattr(f, "__name__", ""), f) for f in functions)
        )
        for tool_name, function in pairs:
            toolset.add(function, name=tool_name, mutates=tool_name in writes)
        return toolset

    def add(
        self,
        function: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        mutates: bool = False,
    ) -> HostTool:
        """Add one function as a tool and return its declaration."""
        if not callable(function):
            raise ConfigurationError(f"toolset {self.name!r}: {function!r} is not callable")
        tool = HostTool.from_function(function, name=name, description=description, mutates=mutates)
        if tool.name in self._tools:
            raise ConfigurationError(f"toolset {self.name!r} already has a tool {tool.name!r}")
        self._tools[tool.name] = tool
        self._schemas = None
        return tool

    @overload
    def tool(self, function: _F) -> _F: ...

    @overload
    def tool(
        self, *, name: str | None = None, description: str | None = None, mutates: bool = False
    ) -> Callable[[_F], _F]: ...

    def tool(
        self,
        function: Callable[..., Any] | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        mutates: bool = False,
    ) -> Any:
        """Add a function as a tool: ``@toolset.tool`` or ``@toolset.tool(mutates=True)``.

        The function itself is returned unchanged, so it stays callable as plain Python.
        """

        def register(target: Callable[..., Any]) -> Callable[..., Any]:
            self.add(target, name=name, description=description, mutates=mutates)
            return target

        return register(function) if function is not None else register

    @property
    def names(self) -> tuple[str, ...]:
        """The tool names, in the order they were added."""
        return tuple(self._tools)

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Iterator[HostTool]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    def __repr__(self) -> str:
        return f"Toolset({self.name!r}, tools={list(self._tools)})"

    def get(self, name: str) -> HostTool:
        """The tool called ``name``.

        Raises:
            InvalidArgument: When there is none (the message lists the tools there are).
        """
        try:
            return self._tools[name]
        except KeyError:
            raise InvalidArgument(
                f"toolset {self.name!r} has no tool {name!r}; tools: {sorted(self._tools)}"
            ) from None

    def schemas(self) -> list[ToolSchema]:
        """Every tool's declaration (name, description, parameters, mutates)."""
        schemas = self._schemas
        if schemas is None:
            schemas = self._schemas = tuple(tool.schema() for tool in self)
        return list(schemas)

    def describe(self) -> list[dict[str, Any]]:
        """Every tool as an OpenAI function tool: ``{"type": "function", "function": ...}``."""
        return [
            {
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": tool.description,
                    "parameters": _plain(tool.parameters),
                },
            }
            for tool in self
        ]

    def call(self, name: str, arguments: Mapping[str, Any] | None = None) -> Any:
        """Validate and run one tool; return its JSON-able result.

        Raises:
            InvalidArgument: Unknown tool, or arguments that do not fit its schema.
        """
        return self.get(name).call(arguments or {})

    def sandbox_tools(self, names: Iterable[str] | None = None) -> list[sandbox.Tool]:
        """The tools granted to a skill, as ``sandbox.Tool`` values (all of them when ``None``).

        Raises:
            InvalidArgument: When a requested name is not in this toolset.
        """
        import sandbox

        wanted = list(self._tools) if names is None else list(dict.fromkeys(names))
        granted = []
        for tool in (self.get(name) for name in wanted):
            built = self._granted.get(tool.name)
            if built is None:
                built = sandbox.Tool(
                    name=tool.name, function=_Bridged(tool), schema=_plain(tool.parameters)
                )
                self._granted[tool.name] = built
            granted.append(built)
        return granted


class _Bridged:
    """What the sandbox bridge calls: keyword arguments in, fresh JSON out."""

    def __init__(self, tool: HostTool) -> None:
        self.tool = tool
        self.__name__ = tool.name

    def __call__(self, **arguments: Any) -> Any:
        # The bridge checked them against this tool's schema (``sandbox_tools`` grants it):
        # checking again would be the same work twice on every tool call of every skill.
        return self.tool.run_checked(arguments)


def load_toolset(spec: str, *, name: str | None = None) -> Toolset:
    """Import the host tools named ``module:attribute`` (CLI ``--tools``).

    The attribute may be a :class:`Toolset`, a mapping of names to functions, a list of functions
    (named by ``__name__``), or a zero-argument function returning one of those.

    Raises:
        ConfigurationError: The module is not importable, the attribute is missing, or it is of
            the wrong type; the message says which and what is expected.
    """
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise ConfigurationError(
            f"--tools {spec!r}: expected MODULE:ATTRIBUTE, e.g. 'examples.bookshop.tools:toolset'"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ConfigurationError(
            f"--tools {spec!r}: cannot import module {module_name!r} ({error}); "
            "check the name and that its directory is on PYTHONPATH"
        ) from error
    try:
        value: Any = module
        for part in attribute.split("."):
            value = getattr(value, part)
    except AttributeError:
        public = sorted(n for n in vars(module) if not n.startswith("_"))
        raise ConfigurationError(
            f"--tools {spec!r}: module {module_name!r} has no attribute {attribute!r}; "
            f"it defines: {public[:20]}"
        ) from None
    if callable(value) and not isinstance(value, Toolset) and _takes_no_arguments(value):
        value = value()
    return _as_toolset(value, spec=spec, name=name or module_name.rsplit(".", 1)[-1])


def _as_toolset(value: Any, *, spec: str, name: str) -> Toolset:
    if isinstance(value, Toolset):
        return value
    if isinstance(value, Mapping) and all(callable(f) for f in value.values()):
        return Toolset.from_functions(value, name=name)
    if isinstance(value, Sequence | set | frozenset) and not isinstance(value, str | bytes):
        functions = list(value)
        if functions and all(callable(f) for f in functions):
            return Toolset.from_functions(functions, name=name)
    raise ConfigurationError(
        f"--tools {spec!r}: expected a Toolset, a mapping of names to functions, or a list of "
        f"functions; got {type(value).__name__}"
    )


def _takes_no_arguments(value: Callable[..., Any]) -> bool:
    if isinstance(value, type):
        return False
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):
        return False
    return all(
        p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        for p in signature.parameters.values()
    )


def to_json_value(value: Any) -> Any:
    """A fresh JSON-able copy of a tool result (dataclasses, pydantic models, tuples included).

    Raises:
        InvalidArgument: When the value has no JSON form (the message names its type).
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, Mapping):
        return {str(key): to_json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json_value(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_json_value(dataclasses.asdict(value))
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return to_json_value(dump(mode="json"))
    raise InvalidArgument(f"tool result of type {type(value).__name__} is not JSON-serialisable")


def _plain(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A deep, mutable copy (schemas are shared values; callers may edit their copy)."""
    copied = to_json_value(schema)
    assert isinstance(copied, dict)
    return copied


def _is_json(value: Any) -> bool:
    try:
        to_json_value(value)
    except InvalidArgument:
        return False
    return True


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


def _run_coroutine(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run an async tool from sync code, even when the caller's thread runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    # A loop already runs here (an MCP server, a notebook): give the coroutine its own thread.
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coroutine)
        except BaseException as error:  # re-raised in the caller's thread
            box["error"] = error

    thread = threading.Thread(target=target, name="skillbank-async-tool")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")
