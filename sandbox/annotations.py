"""Strip annotations from a parsed skill before restricted compilation.

RestrictedPython 9 rejects annotated assignments and would turn parameter annotations into
strings of guarded calls; annotations of untrusted code must never be evaluated anyway. The
registry keeps the typed source; the sandbox compiles its tree without them.

The imports that serve only annotations go with them: ``from __future__ import annotations`` and
``from typing import ...`` of the names in :data:`ANNOTATION_ONLY_NAMES`. Any other import stays,
where the restricted compiler refuses it. The work is done on the ``ast`` tree, whose nodes keep
the positions of the typed source: tracebacks and the verifier's coverage name the lines and
columns as written (a removed import becomes a ``pass`` at its place).
"""

from __future__ import annotations

import ast

__all__ = ["ANNOTATION_ONLY_NAMES", "strip_annotations"]

ANNOTATION_ONLY_NAMES = frozenset({"Any", "Literal", "Optional", "Union"})
"""Names of ``typing`` a skill may import for its annotations (the static checker allows them)."""


def _annotation_only(node: ast.ImportFrom) -> bool:
    """Whether an import exists only for annotations (and so can go with them)."""
    if node.level or node.module is None:
        return False
    if any(alias.asname is not None or alias.name == "*" for alias in node.names):
        return False  # an alias could rename anything, a star import anything: left to be refused
    imported = {alias.name for alias in node.names}
    if node.module == "__future__":
        return imported == {"annotations"}
    return node.module == "typing" and imported <= ANNOTATION_ONLY_NAMES


class _StripAnnotations(ast.NodeTransformer):
    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.stmt:
        return ast.copy_location(ast.Pass(), node) if _annotation_only(node) else node

    def visit_arguments(self, node: ast.arguments) -> ast.arguments:
        self.generic_visit(node)  # defaults may hold lambdas, whose own annotations go too
        for argument in (*node.posonlyargs, *node.args, *node.kwonlyargs, node.vararg, node.kwarg):
            if argument is not None:
                argument.annotation = None
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        self.generic_visit(node)
        node.returns = None
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.stmt:
        if node.value is None:
            return ast.copy_location(ast.Pass(), node)
        value = self.visit(node.value)
        return ast.copy_location(ast.Assign(targets=[node.target], value=value), node)


def strip_annotations(tree: ast.Module) -> ast.Module:
    """``tree`` without parameter, return and variable annotations (changed in place)."""
    stripped = _StripAnnotations().visit(tree)
    assert isinstance(stripped, ast.Module)
    return stripped
