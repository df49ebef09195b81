"""The rules, one per module, in code order. ``RULES`` is what ``check`` runs."""

from __future__ import annotations

from skills_runtime.checking.rule import Rule
from skills_runtime.checking.rules import (
    sk101_one_public_function,
    sk102_module_level,
    sk103_signature_shape,
    sk104_annotations_present,
    sk105_annotation_types,
    sk106_docstring,
    sk107_tools_usage,
    sk108_granted_tools,
    sk109_imports,
    sk110_private_names,
    sk111_node_types,
    sk112_names,
    sk113_while_loops,
    sk114_max_lines,
    sk115_max_statements,
    sk116_max_nesting,
    sk117_max_complexity,
    sk118_max_loops,
    sk119_denied_attributes,
    sk120_unused_parameter,
    sk121_returns_value,
    sk122_json_values,
)

__all__ = ["RULES", "Rule"]

RULES: tuple[Rule, ...] = (
    sk101_one_public_function.RULE,
    sk102_module_level.RULE,
    sk103_signature_shape.RULE,
    sk104_annotations_present.RULE,
    sk105_annotation_types.RULE,
    sk106_docstring.RULE,
    sk107_tools_usage.RULE,
    sk108_granted_tools.RULE,
    sk109_imports.RULE,
    sk110_private_names.RULE,
    sk111_node_types.RULE,
    sk112_names.RULE,
    sk113_while_loops.RULE,
    sk114_max_lines.RULE,
    sk115_max_statements.RULE,
    sk116_max_nesting.RULE,
    sk117_max_complexity.RULE,
    sk118_max_loops.RULE,
    sk119_denied_attributes.RULE,
    sk120_unused_parameter.RULE,
    sk121_returns_value.RULE,
    sk122_json_values.RULE,
)
