"""Restricted compilation and in-process execution of skill source.

Importable both in worker processes and in the host. :func:`compile_skill` never raises for bad
source: it returns a :class:`Rejection`. :meth:`CompiledSkill.call` runs the skill *in the current
process*; in the host that is only appropriate for trusted code (see ``InProcessExecutor``).
"""

from __future__ import annotations

import ast
import hashlib
import re
import sys
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from RestrictedPython.compile import compile_restricted_exec
from RestrictedPython.transformer import RestrictingNodeTransformer

from sandbox import policy
from sandbox.annotations import strip_annotations
from sandbox.errors import MissingEntry
from sandbox.proxy import Dispatch, SkillTools, TextDispatch, tool_dispatcher
from sandbox.result import Rejection
from sandbox.safe_builtins import skill_globals
from sandbox.watch import CHECK_NAME, LimitReached, LimitWatch

__all__ = [
    "CompiledSkill",
    "LimitReached",
    "LimitWatch",
    "Rejection",
    "SkillTools",
    "compile_skill",
    "tool_dispatcher",
]

_LINE = re.compile(r"^Line (\d+): (.*)$", re.DOTALL)
_CACHE: dict[tuple[str, str], CompiledSkill | Rejection] = {}
_CACHE_SIZE = 256
_KEYED_BY_TEXT = 1 << 16
"""Sources up to this many characters are cached under their text, longer ones by digest."""


def _digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class CompiledSkill:
    """Restricted bytecode of a skill module, ready to run many times with fresh namespaces.

    Attributes:
        source_hash: SHA-256 of the original source.
        filename: Name used in tracebacks.
        functions: Names of the module's top-level functions.
    """

    source_hash: str
    filename: str
    functions: tuple[str, ...]
    code: types.CodeType = field(repr=False, compare=False)

    def call(
        self,
        entry: str,
        args: Mapping[str, Any],
        *,
        dispatch: Dispatch | TextDispatch,
        on_print: Callable[[str], None] | None = None,
        watch: LimitWatch | None = None,
    ) -> Any:
        """Run the module in a fresh namespace and call its function ``entry``.

        Args:
            entry: Name of the top-level function to call.
            args: Keyword arguments for it (JSON values).
            dispatch: Receives the skill's tool calls as ``(name, kwargs)``; may raise
                ``sandbox.ToolError``, which the skill sees.
            on_print: Receives printed text; by default it goes to ``sys.stdout``.
            watch: The harness's limit watch for this call (a fresh one by default); once a
                limit fired, the skill's handlers re-raise :class:`LimitReached`.

        Returns:
            Whatever the function returns.

        Raises:
            MissingEntry: The module defines no function ``entry``.
            LimitReached: A memory or stack limit fired during the call, whatever the skill
                did with the exception afterwards.
        """
        sink = on_print if on_print is not None else _write_stdout
        watch = watch if watch is not None else LimitWatch()
        namespace = skill_globals(sink)
        namespace[CHECK_NAME] = watch.check
        exec(self.code, namespace)
        function = namespace.get(entry)
        if type(function) is not types.FunctionType or (
            function.__code__.co_filename != self.filename
        ):
            raise MissingEntry(
                f"the skill defines no function {entry!r}; it defines: {list(self.functions)}"
            )
        code = function.__code__
        parameters = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        kwargs = dict(args)
        if "tools" in kwargs:
            raise TypeError("'tools' is reserved for the tools object; rename that argument")
        if "tools" in parameters:
            kwargs["tools"] = SkillTools(dispatch)
        value = function(**kwargs)
        if watch.fired is not None:  # fired by the harness after the last handler ran
            raise LimitReached(*watch.fired)
        return value


class _WatchedPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus a call to the limit watch first in every handler.

    The call is added after RestrictedPython has checked the node, so its underscore name is
    ours alone; skill code cannot name it.
    """

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        visited = super().visit_ExceptHandler(node)
        if isinstance(visited, ast.ExceptHandler):
            visited.body.insert(0, _check_call(visited.body[0]))
        return visited

    def visit_Try(self, node: ast.Try) -> Any:
        visited = super().visit_Try(node)
        if isinstance(visited, ast.Try) and visited.finalbody:
            visited.finalbody.insert(0, _check_call(visited.finalbody[0]))
        return visited


def _check_call(where: ast.stmt) -> ast.stmt:
    call = ast.Expr(ast.Call(ast.Name(CHECK_NAME, ast.Load()), args=[], keywords=[]))
    return ast.fix_missing_locations(ast.copy_location(call, where))


def _write_stdout(text: str) -> None:
    sys.stdout.write(text)


def compile_skill(source: str, *, filename: str = "<skill>") -> CompiledSkill | Rejection:
    """Check and compile skill source under the restricted policy.

    Args:
        source: Python source of a skill module (annotations allowed; they are stripped).
        filename: Name used in tracebacks.

    Returns:
        The compiled skill, or the first reason the source is refused.
    """
    if not isinstance(source, str):
        return Rejection(None, f"source must be a str, got {type(source).__name__}")
    # Keyed by the source itself: a warm worker looks a skill up on every call, and hashing the
    # text for the dict is cheaper than a digest (which is made only when compiling).
    # Longer ones are keyed by their digest, so the cache never holds many large texts.
    digest = None if len(source) <= _KEYED_BY_TEXT else _digest(source)
    key = (source if digest is None else digest, filename)
    cached = _CACHE.get(key)
    if cached is None:
        digest = digest or _digest(source)
        try:
            cached = _compile(source, digest, filename)
        except (RecursionError, MemoryError):
            return Rejection(None, "source is too deeply nested or too large to compile")
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = cached
    return cached


def _compile(source: str, digest: str, filename: str) -> CompiledSkill | Rejection:
    # Checked on the source as written: CPython's syntax errors name the right line, and
    # annotations are walked too even though they are stripped next.
    refused = policy.check(source)
    if refused is not None:
        return refused
    try:
        tree = strip_annotations(ast.parse(source, filename=filename))
    except SyntaxError as exc:  # the policy parsed it already: not expected, still refused
        return Rejection(exc.lineno, f"syntax error: {exc.msg}")
    # Named before compiling: the restricted compiler rewrites the tree it is given.
    functions = tuple(node.name for node in tree.body if isinstance(node, ast.FunctionDef))
    result = compile_restricted_exec(tree, filename=filename, policy=_WatchedPolicy)
    if result.errors or result.code is None:
        first = result.errors[0] if result.errors else "restricted compilation failed"
        match = _LINE.match(first)
        if match:
            return Rejection(int(match.group(1)), match.group(2))
        return Rejection(None, first)
    return CompiledSkill(
        source_hash=digest, filename=filename, functions=functions, code=result.code
    )
