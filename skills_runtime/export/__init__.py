"""Skills as tools for agents: one declaration, the shapes of OpenAI, Anthropic and MCP.

``ToolSpec`` is the provider-neutral declaration (name, description, JSON Schema of the arguments);
``export_tools`` reshapes it for ``openai`` (Chat Completions), ``openai-responses``, ``anthropic``
or ``mcp``, optionally in the provider's strict form (``openai_strict``, ``anthropic_strict``;
``openai_strict_violations`` checks the rules). ``tool_name`` keeps names within what providers
accept. ``meta_tool_specs`` declares ``search_skills`` and ``run_skill`` for large libraries.
``ToolOutcome`` is what a call produced; ``skill_call_trajectory`` and ``SessionRecorder`` record
calls as trajectories; ``OutcomeWriter`` stores them from one thread, in batches. The MCP server
lives in ``skills_runtime.export.mcp_server`` (it needs the ``mcp`` extra) and the agent-facing
API in ``skills_runtime.toolkit``.
"""

from __future__ import annotations

from skills_runtime.export.formats import (
    FORMATS,
    Format,
    ToolSpec,
    export_tool,
    export_tools,
    parse_format,
)
from skills_runtime.export.meta import META_TOOL_NAMES, RUN_SKILL, SEARCH_SKILLS, meta_tool_specs
from skills_runtime.export.names import TOOL_NAME, NameMap, tool_name
from skills_runtime.export.outcome import OutcomeStatus, ToolOutcome
from skills_runtime.export.outcome_writer import OutcomeWriter
from skills_runtime.export.pytypes import Docstring, UnsupportedType, parse_docstring, type_schema
from skills_runtime.export.recording import SessionRecorder, skill_call_trajectory
from skills_runtime.export.strict import (
    StrictSchema,
    anthropic_strict,
    openai_strict,
    openai_strict_violations,
    restore_defaults,
)

__all__ = [
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
