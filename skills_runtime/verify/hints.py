"""What a skill's own code says about the tool answers it expects, read from its syntax tree.

The fake tools use it to exercise the skill's decisions: the keys it reads (``order["status"]``,
``order.get("items")``) shape answers of tools never recorded, and the keys it reads inside a
condition, with the constants it compares them to, are the fields a fake varies so that each
branch — a guard that refuses as well as the path that writes — runs in some example.
Runs in the verification worker on the skill's source (already compiled there by the sandbox).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AnswerHints", "answer_hints"]


@dataclass(frozen=True)
class AnswerHints:
    """Keys and constants of a skill's reads and decisions.

    Attributes:
        keys: String keys the skill reads from values (``x["status"]``, ``x.get("items")``).
        branch_keys: The keys read inside conditions (``if``, ``while``, comparisons, filters).
        constants: Scalar literals in those conditions (``"pending"``, ``0``, ``True``).
        whole_answers: Tools whose whole answer a condition reads (``found =
            tools.search(...)``, then ``if len(found) < 1``): a list answered at the top has no
            key to vary, so the fake varies the answer itself.
    """

    keys: frozenset[str] = frozenset()
    branch_keys: frozenset[str] = frozenset()
    constants: tuple[Any, ...] = field(default=())
    whole_answers: frozenset[str] = frozenset()


def answer_hints(source: str) -> AnswerHints:
    """The hints of ``source`` (empty when it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return AnswerHints()
    keys: set[str] = set()
    branch_keys: set[str] = set()
    constants: dict[str, Any] = {}
    flows = _flows(tree)
    answers = _answered(tree)
    whole: set[str] = set()
    for node in ast.walk(tree):
        keys.update(_keys_read(node))
        for test in _conditions(node):
            # A name only read through (``order["status"]``) does not decide on the whole value.
            through = {
                id(inner.value)
                for inner in ast.walk(test)
                if isinstance(inner, ast.Subscript | ast.Attribute)
            }
            for inner in ast.walk(test):
                branch_keys.update(_keys_read(inner))
                if isinstance(inner, ast.Name):
                    branch_keys.update(flows.get(inner.id, ()))
                    if id(inner) not in through:
                        whole.update(answers.get(inner.id, ()))
                if isinstance(inner, ast.Constant) and isinstance(
                    inner.value, str | int | float | bool
                ):
                    constants.setdefault(repr(inner.value), inner.value)
    return AnswerHints(
        keys=frozenset(keys),
        branch_keys=frozenset(branch_keys),
        constants=tuple(constants[name] for name in sorted(constants)),
        whole_answers=frozenset(whole),
    )


def _answered(tree: ast.AST) -> dict[str, set[str]]:
    """Variable → the tools whose answer it is, as a whole (``found = tools.search(...)``)."""
    answered: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        func = node.value.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "tools"
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    answered.setdefault(target.id, set()).add(func.attr)
    return answered


def _flows(tree: ast.AST) -> dict[str, set[str]]:
    """Variable → the keys whose values flow into it (``variants = product["variants"]``,
    ``for item in order["items"]``), closed over chains of variables."""
    direct: dict[str, set[str]] = {}
    uses: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        pairs: list[tuple[ast.AST, ast.AST]] = []
        if isinstance(node, ast.Assign):
            pairs = [(target, node.value) for target in node.targets]
        elif isinstance(node, ast.AugAssign | ast.AnnAssign) and node.value is not None:
            pairs = [(node.target, node.value)]
        elif isinstance(node, ast.For | ast.comprehension):
            pairs = [(node.target, node.iter)]
        for target, value in pairs:
            read = {key for inner in ast.walk(value) for key in _keys_read(inner)}
            names = {inner.id for inner in ast.walk(value) if isinstance(inner, ast.Name)}
            for bound in ast.walk(target):
                if isinstance(bound, ast.Name):
                    direct.setdefault(bound.id, set()).update(read)
                    uses.setdefault(bound.id, set()).update(names)
    flows = {name: set(read) for name, read in direct.items()}
    changed = True
    while changed:  # a fixed point: each round adds keys, and there are finitely many
        changed = False
        for name, sources in uses.items():
            for source in sources:
                extra = flows.get(source, set()) - flows[name]
                if extra:
                    flows[name] |= extra
                    changed = True
    return flows


def _keys_read(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return [key.value]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return [node.args[0].value]
    return []


def _conditions(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.If | ast.While | ast.IfExp):
        return [node.test]
    if isinstance(node, ast.comprehension):
        return list(node.ifs)
    if isinstance(node, ast.Compare):
        return [node]
    return []
