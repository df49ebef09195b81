"""The public surface of the export layer is written down and stays importable."""

from __future__ import annotations

import skills_runtime.export as export
import skills_runtime.toolkit as toolkit
import skills_runtime.tools as tools


def test_the_export_package_exports_exactly_its_curated_names() -> None:
    assert sorted(export.__all__) == sorted(
        [
            "FORMATS",
            "META_TOOL_NAMES",
            "RUN_SKILL",
            "SEARCH_SKILLS",
            "TOOL_NAME",
            "Docstring",
            "Format",
            "NameMap",
            "OutcomeStatus",
            "OutcomeWriter",
            "SessionRecorder",
            "StrictSchema",
            "ToolOutcome",
            "ToolSpec",
            "UnsupportedType",
            "anthropic_strict",
            "export_tool",
            "export_tools",
            "meta_tool_specs",
            "openai_strict",
            "openai_strict_violations",
            "parse_docstring",
            "parse_format",
            "restore_defaults",
            "skill_call_trajectory",
            "tool_name",
            "type_schema",
        ]
    )
    for name in export.__all__:
        assert hasattr(export, name), name


def test_the_toolkit_and_toolset_modules_export_their_api() -> None:
    assert toolkit.__all__ == ["SkillEntry", "ToolOutcome", "Toolkit", "run_entry"]
    assert tools.__all__ == [
        "HOST_CALLS_SOURCE",
        "HostTool",
        "Toolset",
        "load_toolset",
        "to_json_value",
    ]
