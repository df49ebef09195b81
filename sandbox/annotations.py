"""Strip annotations with libcst before restricted compilation.

RestrictedPython 9 rejects annotated assignments and would turn parameter annotations into
strings of guarded calls; annotations of untrusted code must never be evaluated anyway. The
registry keeps the typed source; the sandbox compiles this annotation-free copy.

The imports that serve only annotations go with them: ``from __future__ import annotations`` and
``from typing import ...`` of the names in :data:`ANNOTATION_ONLY_NAMES`. Any other import stays
in the copy, where the restricted compiler refuses it. A removed import leaves ``pass`` lines in
its place, so line numbers in tracebacks are those of the typed source.
"""

from __future__ import annotations

import libcst as cst
import libcst.helpers

__all__ = ["ANNOTATION_ONLY_NAMES", "strip_annotations"]

ANNOTATION_ONLY_NAMES = frozenset({"Any", "Literal", "Optional", "Union"})
"""Names of ``typing`` a skill may import for its annotations (the static checker allows them)."""


_EMPTY = cst.Module(body=[])


def _annotation_only(node: cst.ImportFrom) -> bool:
    """Whether an import exists only for annotations (and so can go with them)."""
    if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
        return False
    module = cst.helpers.get_full_name_for_node(node.module)
    names = [alias for alias in node.names if alias.asname is None]
    if len(names) != len(node.names):  # an alias could rename anything: leave it to be refused
        return False
    imported = {cst.helpers.get_full_name_for_node(alias.name) for alias in names}
    if module == "__future__":
        return imported == {"annotations"}
    return module == "typing" and imported <= ANNOTATION_ONLY_NAMES


class _StripAnnotations(cst.CSTTransformer):
    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.FlattenSentinel[cst.SimpleStatementLine]:
        body = [
            statement
            for statement in updated_node.body
            if not (isinstance(statement, cst.ImportFrom) and _annotation_only(statement))
        ]
        if body:
            return updated_node.with_changes(body=body)
        # One ``pass`` per line the import spanned keeps every later line where it was.
        spanned = _EMPTY.code_for_node(original_node.with_changes(leading_lines=())).count("\n")
        first = cst.SimpleStatementLine([cst.Pass()], leading_lines=original_node.leading_lines)
        rest = [cst.SimpleStatementLine([cst.Pass()]) for _ in range(spanned - 1)]
        return cst.FlattenSentinel([first, *rest])

    def leave_Param(self, original_node: cst.Param, updated_node: cst.Param) -> cst.Param:
        return updated_node.with_changes(annotation=None)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        return updated_node.with_changes(returns=None)

    def leave_AnnAssign(
        self, original_node: cst.AnnAssign, updated_node: cst.AnnAssign
    ) -> cst.BaseSmallStatement:
        if updated_node.value is None:
            return cst.Pass()
        return cst.Assign(
            targets=[cst.AssignTarget(target=updated_node.target)], value=updated_node.value
        )


def strip_annotations(source: str) -> str:
    """Return ``source`` without parameter, return and variable annotations.

    Raises:
        libcst.ParserSyntaxError: The source does not parse.
    """
    module = cst.parse_module(source)
    return module.visit(_StripAnnotations()).code
