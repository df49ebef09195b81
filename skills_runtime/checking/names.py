"""Builtin names a skill may use (an allow-list) and the ones that get a pointed message.

The allow-list is what the sandbox really provides (``sandbox.SKILL_BUILTINS``) less this module's
own deny-list, an extra guard: a name the sandbox hands out for its own reasons (``getattr``
guarded, ``iter``...) can still be refused in the source a person reviews.
"""

from __future__ import annotations

from sandbox import SKILL_BUILTINS

__all__ = [
    "ALLOWED_BUILTINS",
    "DENIED_ATTRIBUTES",
    "DENIED_BUILTINS",
    "TOOLS_PARAMETER",
]

#: The name of the first parameter through which a skill reaches its granted tools.
TOOLS_PARAMETER = "tools"

#: Builtins that reach outside the value world; named so the message can say why.
DENIED_BUILTINS: dict[str, str] = {
    "eval": "evaluates arbitrary code",
    "exec": "executes arbitrary code",
    "compile": "compiles arbitrary code",
    "open": "reads or writes files",
    "input": "reads from the terminal",
    "print": "writes to the host's output",
    "breakpoint": "starts a debugger",
    "getattr": "reads attributes by computed name",
    "setattr": "writes attributes by computed name",
    "delattr": "deletes attributes by computed name",
    "hasattr": "probes attributes by computed name",
    "vars": "exposes an object's namespace",
    "dir": "lists an object's internals",
    "globals": "exposes the module namespace",
    "locals": "exposes the frame namespace",
    "__import__": "imports modules",
    "__builtins__": "exposes every builtin",
    "type": "reaches classes and metaclasses",
    "super": "reaches parent classes",
    "object": "reaches the root class",
    "memoryview": "exposes raw memory",
    "bytearray": "builds mutable raw memory",
    "classmethod": "builds descriptors",
    "staticmethod": "builds descriptors",
    "property": "builds descriptors",
    "id": "exposes memory addresses",
    "hash": "exposes per-process hash seeds",
    "help": "starts the interactive help system",
    "exit": "stops the interpreter",
    "quit": "stops the interpreter",
    "iter": "builds unbounded iterators",
    "next": "steps iterators outside a for loop",
    "issubclass": "reaches the class hierarchy",
    "callable": "probes objects for the call protocol",
}

#: Builtins a skill may read or call. Anything else that is not bound in the function is a finding.
ALLOWED_BUILTINS: frozenset[str] = SKILL_BUILTINS - DENIED_BUILTINS.keys()

#: Public attribute names that still reach interpreter internals or format-string tricks.
DENIED_ATTRIBUTES: dict[str, str] = {
    "format": "str.format can read attributes of its arguments",
    "format_map": "str.format_map can read attributes of its arguments",
    "mro": "reaches the class hierarchy",
    "gi_frame": "reaches a generator's frame",
    "gi_code": "reaches a generator's code",
    "cr_frame": "reaches a coroutine's frame",
    "ag_frame": "reaches an async generator's frame",
    "f_globals": "reaches a frame's globals",
    "f_locals": "reaches a frame's locals",
    "f_builtins": "reaches a frame's builtins",
    "f_back": "reaches the calling frame",
    "tb_frame": "reaches a traceback's frame",
    "tb_next": "walks a traceback",
    "co_code": "reaches bytecode",
}
