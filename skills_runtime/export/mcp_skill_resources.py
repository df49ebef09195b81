"""The served skills as Agent Skills folders over MCP: ``skill://`` resources.

MCP's Skills extension serves Agent Skills folders through the Resources primitive: each file
of a skill is a resource ``skill://<skill-name>/<path>`` (``SKILL.md`` named explicitly in the
URI, the last path segment before it being the skill's name), and ``skill://index.json`` lists
the skills (``{"skills": [{"name", "type": "skill-md", "description", "url"}]}``). The folders
are the ones ``skillbank export --format agent-skills`` writes (see
:mod:`skills_runtime.export.agent_skills`), built from the registry on every read, so they
follow the published skills exactly. Resource listings name the index and each ``SKILL.md``;
the scripts are read by their URIs (the ``SKILL.md`` names them).

Not here: the extension's ``skills/list`` and ``skills/get`` methods (clients on any protocol
revision read the same files as ordinary resources).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.server.mcpserver.exceptions import ResourceError
from mcp.types import Resource as MCPResource

from skills_runtime.export.agent_skills import description, folder_files, folder_name

if TYPE_CHECKING:
    from skills_runtime.toolkit import SkillEntry, Toolkit

__all__ = ["INDEX_URI", "SCHEME", "read_skill_resource", "skill_resources"]

SCHEME = "skill://"
INDEX_URI = f"{SCHEME}index.json"
_TYPES = {".md": "text/markdown", ".py": "text/x-python", ".json": "application/json"}


def _uri(entry: SkillEntry, path: str = "SKILL.md") -> str:
    return f"{SCHEME}{folder_name(entry.name)}/{path}"


def skill_resources(entries: Sequence[SkillEntry]) -> list[MCPResource]:
    """The index and one ``SKILL.md`` resource per served skill."""
    resources = [
        MCPResource(
            uri=INDEX_URI,
            name="skill index",
            description="The skills this server serves as Agent Skills folders.",
            mime_type="application/json",
        )
    ]
    for entry in entries:
        resources.append(
            MCPResource(
                uri=_uri(entry),
                name=folder_name(entry.name),
                title=entry.name,
                description=description(entry),
                mime_type="text/markdown",
                _meta={"skillbank": {"skill": entry.name, "version": entry.version}},
            )
        )
    return resources


def read_skill_resource(
    toolkit: Toolkit, uri: str, entries: Sequence[SkillEntry]
) -> list[ReadResourceContents] | None:
    """The contents of a ``skill://`` resource; None for a URI of another scheme.

    Raises:
        ResourceError: A ``skill://`` URI that names no served skill or file (the message says
            where the list is).
    """
    if not uri.startswith(SCHEME):
        return None
    if uri == INDEX_URI:
        index = {
            "skills": [
                {
                    "name": folder_name(entry.name),
                    "type": "skill-md",
                    "description": description(entry),
                    "url": _uri(entry),
                }
                for entry in entries
            ]
        }
        return [ReadResourceContents(json.dumps(index, ensure_ascii=False), "application/json")]
    folder, _, path = uri.removeprefix(SCHEME).partition("/")
    entry = next((e for e in entries if folder_name(e.name) == folder), None)
    if entry is None:
        raise ResourceError(f"no skill {folder!r} is served here; the list is {INDEX_URI}")
    record = toolkit.registry.get(entry.name, version=entry.version)
    files = folder_files(entry, record)
    if path not in files:
        raise ResourceError(
            f"skill {folder!r} has no file {path!r}; its files: {', '.join(sorted(files))}"
        )
    suffix = path[path.rfind(".") :]
    return [ReadResourceContents(files[path], _TYPES.get(suffix, "text/plain"))]
