"""Two meta-tools for large skill libraries: find skills on demand, then run one by name.

Declaring hundreds of tools costs context on every turn and degrades tool choice. With
``search_skills`` and ``run_skill`` the model sees two tools; it searches with a task description,
reads the names, summaries and argument schemas of the best matches, and runs one.
"""

from __future__ import annotations

from typing import Any

from skills_runtime.export.formats import ToolSpec

__all__ = ["META_TOOL_NAMES", "RUN_SKILL", "SEARCH_SKILLS", "meta_tool_specs"]

SEARCH_SKILLS = "search_skills"
RUN_SKILL = "run_skill"
META_TOOL_NAMES = frozenset({SEARCH_SKILLS, RUN_SKILL})


def meta_tool_specs(*, strict: bool = False, default_k: int = 5) -> list[ToolSpec]:
    """The declarations of ``search_skills`` and ``run_skill``.

    Args:
        strict: Declare ``run_skill``'s arguments as a JSON-encoded string, the only way a
            free-form object fits strict mode. Execution accepts an object or a string either way.
        default_k: How many results ``search_skills`` returns when ``k`` is not given.
    """
    search: dict[str, Any] = {
        "type": "object",
        "properties": {
            "query": {
                "type": "string",
                "description": "What you want done, in a few words (e.g. 'cancel an order').",
            },
            # No ``default`` keyword: strict modes reject it; the description carries it.
            "k": {
                "type": "integer",
                "description": f"How many skills to return at most (1 to 50; default {default_k}).",
            },
        },
        "required": ["query"],
        "additionalProperties": False,
    }
    arguments: dict[str, Any] = (
        {
            "type": "string",
            "description": "The skill's arguments as a JSON object encoded in a string, "
            "matching the schema search_skills returned.",
        }
        if strict
        else {
            "type": "object",
            "description": "The skill's arguments, matching the schema search_skills returned.",
        }
    )
    run: dict[str, Any] = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "The skill's name, from search_skills."},
            "arguments": arguments,
        },
        "required": ["name", "arguments"],
        "additionalProperties": False,
    }
    return [
        ToolSpec(
            SEARCH_SKILLS,
            "Find tested skills (procedures that run several tool calls in one step) for a task. "
            "Returns their names, one-line summaries and argument schemas.",
            search,
            read_only=True,
        ),
        ToolSpec(
            RUN_SKILL,
            "Run one skill found with search_skills, by name, with its arguments. Returns the "
            "skill's result, or an error saying what was wrong.",
            run,
            read_only=False,
        ),
    ]
