"""Strip annotations with libcst before restricted compilation.

RestrictedPython 9 rejects annotated assignments and would turn parameter annotations into
strings of guarded calls; annotations of untrusted code must never be evaluated anyway. The
registry keeps the typed source; the sandbox compiles this annotation-free copy.
"""

from __future__ import annotations

import libcst as cst

__all__ = ["strip_annotations"]


class _StripAnnotations(cst.CSTTransformer):
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
