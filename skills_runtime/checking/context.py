"""The parsed source and its metadata, computed once and shared by every rule."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

import libcst as cst
from libcst.metadata import (
    CodeRange,
    ExpressionContext,
    ExpressionContextProvider,
    MetadataWrapper,
    PositionProvider,
    QualifiedNameProvider,
)

from skills_runtime.checking.policy import CheckPolicy
from skills_runtime.checking.report import Finding, Severity

__all__ = ["RuleContext", "build_context"]


@dataclass(frozen=True, eq=False)
class RuleContext:
    """Everything a rule reads: the tree, positions, parents, qualified names and the policy.

    Attributes:
        source: The source text.
        module: The parsed module.
        policy: The policy the check runs under.
        nodes: Every node in pre-order (walked without recursion).
        parents: Node → parent node.
        functions: The module-level function definitions, in order.
    """

    source: str
    module: cst.Module
    policy: CheckPolicy
    nodes: tuple[cst.CSTNode, ...]
    parents: Mapping[cst.CSTNode, cst.CSTNode]
    functions: tuple[cst.FunctionDef, ...]
    _children: Mapping[cst.CSTNode, tuple[cst.CSTNode, ...]]
    _positions: Mapping[cst.CSTNode, CodeRange]
    _contexts: Mapping[cst.CSTNode, ExpressionContext | None]
    _qualified: Mapping[cst.CSTNode, Any]

    @property
    def public_functions(self) -> tuple[cst.FunctionDef, ...]:
        """Module-level functions whose names do not start with an underscore."""
        return tuple(f for f in self.functions if not f.name.value.startswith("_"))

    @property
    def public(self) -> cst.FunctionDef | None:
        """The skill's function: the first public module-level function, if any."""
        public = self.public_functions
        return public[0] if public else None

    @property
    def helper_names(self) -> frozenset[str]:
        """Names of private module-level helpers the policy allows (empty unless allowed)."""
        if not self.policy.allow_helpers:
            return frozenset()
        return frozenset(
            f.name.value
            for f in self.functions
            if f.name.value.startswith("_") and not f.name.value.startswith("__")
        )

    def position(self, node: cst.CSTNode) -> tuple[int, int]:
        """1-based (line, column) where ``node`` starts."""
        code_range = self._positions.get(node)
        if code_range is None:
            return 1, 1
        return code_range.start.line, code_range.start.column + 1

    def finding(
        self,
        code: str,
        node: cst.CSTNode,
        message: str,
        *,
        hint: str | None = None,
        severity: Severity = "error",
    ) -> Finding:
        """A finding located at ``node``."""
        line, column = self.position(node)
        return Finding(code, message, line, column, hint=hint, severity=severity)

    def expression_context(self, node: cst.CSTNode) -> ExpressionContext | None:
        """LOAD, STORE or DEL for names, attributes and subscripts; ``None`` elsewhere."""
        return self._contexts.get(node)

    def reads(self, node: cst.CSTNode) -> bool:
        """Whether ``node`` is a name read as a value (not a keyword argument or attribute name)."""
        if not isinstance(node, cst.Name):
            return False
        if self._contexts.get(node) != ExpressionContext.LOAD:
            return False
        parent = self.parents.get(node)
        if isinstance(parent, cst.Arg) and parent.keyword is node:
            return False
        return not (isinstance(parent, cst.Attribute) and parent.attr is node)

    def qualified_names(self, node: cst.CSTNode) -> frozenset[str]:
        """The qualified names (``typing.Any``, ``builtins.str``) a name or attribute stands for."""
        value = self._qualified.get(node)
        if value is None:
            return frozenset()
        if callable(value):  # libcst computes some entries lazily
            value = value()
        return frozenset(qualified.name for qualified in value)

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        """The parents of ``node``, nearest first."""
        parent = self.parents.get(node)
        while parent is not None:
            yield parent
            parent = self.parents.get(parent)

    def in_annotation(self, node: cst.CSTNode) -> bool:
        """Whether ``node`` is part of a parameter or return annotation."""
        return any(isinstance(ancestor, cst.Annotation) for ancestor in self.ancestors(node))

    def function_of(self, node: cst.CSTNode) -> cst.FunctionDef | None:
        """The module-level function ``node`` belongs to, if any."""
        found: cst.FunctionDef | None = None
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, cst.FunctionDef):
                found = ancestor
        return found

    def nodes_in(self, root: cst.CSTNode) -> Iterator[cst.CSTNode]:
        """``root`` and everything below it, in pre-order, without recursion."""
        stack = [root]
        while stack:
            node = stack.pop()
            yield node
            # libcst computes ``children`` by visiting; the map built once at parse time is cheap.
            stack.extend(reversed(self._children.get(node, ())))

    def code_of(self, node: cst.CSTNode, *, limit: int = 60) -> str:
        """The source text of ``node``, shortened for messages."""
        text = self.module.code_for_node(node)
        return text if len(text) <= limit else text[: limit - 3] + "..."


def build_context(source: str, *, policy: CheckPolicy) -> RuleContext:
    """Parse ``source`` and resolve metadata.

    Raises:
        libcst.ParserSyntaxError: The source does not parse.
        RecursionError: The tree is too deep for libcst's recursive passes.
    """
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    metadata = wrapper.resolve_many(
        [PositionProvider, ExpressionContextProvider, QualifiedNameProvider]
    )
    nodes: list[cst.CSTNode] = []
    parents: dict[cst.CSTNode, cst.CSTNode] = {}
    children_of: dict[cst.CSTNode, tuple[cst.CSTNode, ...]] = {}
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        nodes.append(node)
        children = tuple(node.children)
        children_of[node] = children
        for child in children:
            parents[child] = node
        stack.extend(reversed(children))
    functions = tuple(
        statement for statement in module.body if isinstance(statement, cst.FunctionDef)
    )
    return RuleContext(
        source=source,
        module=module,
        policy=policy,
        nodes=tuple(nodes),
        parents=parents,
        functions=functions,
        _children=children_of,
        _positions=cast("Mapping[cst.CSTNode, CodeRange]", metadata[PositionProvider]),
        _contexts=cast(
            "Mapping[cst.CSTNode, ExpressionContext | None]", metadata[ExpressionContextProvider]
        ),
        _qualified=metadata[QualifiedNameProvider],
    )
