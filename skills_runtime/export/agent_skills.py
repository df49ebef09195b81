"""Skills as Agent Skills folders: ``SKILL.md``, the tested source, a runner through the sandbox.

The Agent Skills format (a folder per skill whose ``SKILL.md`` holds YAML front matter with
``name`` and ``description``, plus optional ``scripts/``) is read by many agent hosts. What such
a folder usually lacks is what a skillbank skill has: tested code with provenance. Each exported
folder holds::

    cancel-order-by-email/
        SKILL.md                          front matter + how to run it, arguments, provenance
        scripts/cancel_order_by_email.py  the skill's source, exactly as stored and verified
        scripts/run.py                    runs it in skillbank's sandbox with the host's tools

Front matter follows the specification as its reference validator (``skills-ref``) reads it:
``name`` is the folder's name (lowercase letters, digits and single hyphens, at most 64), the
``description`` says what the skill does and when to use it within 1,024 characters (the part a
host's catalog shows first comes first), ``compatibility`` names what running it needs, and
``metadata`` holds the skill's name, version, content hash, state, host tools and provenance, all
as strings. Values are written as JSON-style double-quoted scalars, which strict YAML parsers read
back unchanged.

The runner validates the arguments against the skill's schema, checks the source again (a folder
can be edited after export) and runs it only in the sandbox; the host's tools stay in the host
and are reached through the bridge, as for every other way a skill is called.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skills_runtime.errors import InvalidInput

if TYPE_CHECKING:
    from skill_registry import VersionRecord
    from skills_runtime.toolkit import SkillEntry, Toolkit

__all__ = [
    "MAX_DESCRIPTION",
    "ExportedFolder",
    "description",
    "export_agent_skills",
    "folder_files",
    "folder_name",
    "skill_markdown",
]

MAX_NAME = 64
MAX_DESCRIPTION = 1024
MAX_COMPATIBILITY = 500
LEAD = 250
"""Hosts show the start of a description in their catalogs: what and when come first."""

RUNNER = "run.py"
_MARKER = "skillbank-skill"
"""The metadata key that says a folder was written by this exporter (so it may be replaced)."""
_GATED = frozenset({"verified", "promoted"})
_NOT_NAME = re.compile(r"[^a-z0-9]+")
_HASH = 8


@dataclass(frozen=True)
class ExportedFolder:
    """One exported skill: its folder and the files written into it."""

    skill: str
    version: int
    folder: Path
    files: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.skill,
            "version": self.version,
            "folder": str(self.folder),
            "files": list(self.files),
        }


def folder_name(skill: str) -> str:
    """The Agent Skills name of ``skill``: lowercase words joined by single hyphens, ≤ 64.

    ``cancel_order_by_email`` becomes ``cancel-order-by-email``. When the spelling loses
    something (capitals, other characters, a name too long), an 8-character hash of the full
    name is appended, so two skills never share a folder.
    """
    slug = _NOT_NAME.sub("-", skill.lower()).strip("-") or "skill"
    if slug.replace("-", "_") == skill and len(slug) <= MAX_NAME:
        return slug
    digest = hashlib.sha256(skill.encode()).hexdigest()[:_HASH]
    return f"{slug[: MAX_NAME - _HASH - 1].rstrip('-')}-{digest}"


def export_agent_skills(toolkit: Toolkit, out: Path) -> list[ExportedFolder]:
    """Write one Agent Skills folder per skill the toolkit offers into ``out``.

    A folder this exporter wrote before is replaced; any other existing folder of the same name
    is left alone and reported.

    Raises:
        InvalidInput: ``out`` is not a directory that can be written, or a folder of that name
            exists and was not written by skillbank.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(f"--out {str(out)!r}: cannot create the folder ({error})") from error
    written = []
    for entry in toolkit.skills():
        record = toolkit.registry.get(entry.name, version=entry.version)
        written.append(_write_folder(out, entry, record))
    return written


def _write_folder(out: Path, entry: SkillEntry, record: VersionRecord) -> ExportedFolder:
    name = folder_name(entry.name)
    folder = out / name
    if folder.exists():
        if not _written_by_us(folder):
            raise InvalidInput(
                f"{str(folder)!r} exists and was not exported by skillbank; move it away or "
                "export into another folder"
            )
        shutil.rmtree(folder)
    scripts = folder / "scripts"
    scripts.mkdir(parents=True)
    files = folder_files(entry, record)
    for relative, text in files.items():
        (folder / relative).write_text(text, encoding="utf-8")
    (scripts / RUNNER).chmod(0o755)
    return ExportedFolder(entry.name, entry.version, folder, tuple(files))


def folder_files(entry: SkillEntry, record: VersionRecord) -> dict[str, str]:
    """The files of one skill's folder, relative path → text (``SKILL.md`` first)."""
    source_file = f"{entry.signature.name}.py"
    return {
        "SKILL.md": skill_markdown(entry, record),
        f"scripts/{source_file}": record.source,
        f"scripts/{RUNNER}": _runner_script(entry.name, source_file),
    }


def _written_by_us(folder: Path) -> bool:
    try:
        text = (folder / "SKILL.md").read_text(encoding="utf-8")
    except OSError:
        return False
    return f"  {_MARKER}:" in text.split("\n---", 1)[0]


# -- SKILL.md ------------------------------------------------------------------------------------


def skill_markdown(entry: SkillEntry, record: VersionRecord) -> str:
    """The ``SKILL.md`` of one skill version: front matter, then how to run and trust it."""
    source_file = f"scripts/{entry.signature.name}.py"
    provenance = record.provenance
    sources = [ref.id for ref in provenance.source_trajectories]
    metadata = {
        _MARKER: entry.name,
        "skillbank-version": str(record.version),
        "skillbank-content-hash": record.content_hash,
        "skillbank-state": record.state.value,
        "skillbank-tools": " ".join(entry.tools),
        "skillbank-provenance": json.dumps(
            provenance.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        ),
    }
    front = [
        "---",
        f"name: {folder_name(entry.name)}",
        f"description: {_scalar(description(entry))}",
        f"compatibility: {_scalar(_compatibility(entry))}",
        "metadata:",
        *(f"  {key}: {_scalar(value)}" for key, value in metadata.items()),
        "---",
    ]
    example = json.dumps(_example_arguments(entry.parameters), ensure_ascii=False)
    body = [
        f"# {entry.name}",
        "",
        entry.description,
        "",
        "## How to run it",
        "",
        "This skill is tested code. skillbank runs it in its sandbox (RestrictedPython in an "
        "isolated worker process); the skill's tool calls cross a checked bridge to your host's "
        "own tools, which stay in your process. From this folder:",
        "",
        "```bash",
        f"python scripts/{RUNNER} --tools MODULE:ATTR --args '{example}'",
        "```",
        "",
        "`--tools MODULE:ATTR` names your host's tools as a Python object: a skillbank "
        "`Toolset`, a mapping of names to functions, or a list of typed functions (named by "
        "`__name__`), importable from the current directory or `PYTHONPATH`. "
        f"This skill calls: {', '.join(f'`{tool}`' for tool in entry.tools) or 'no tools'}. "
        "The result is one JSON document on stdout: "
        '`{"status": "ok", "value": ...}`, or a `status` such as `error`, `limit` or '
        "`invalid_arguments` with an `error` saying what was wrong. Exit 0 when it returned, "
        "1 when the skill stopped (a failed precondition, an error, a limit), 2 for bad "
        "arguments or tools.",
        "",
        "## Arguments (JSON Schema)",
        "",
        "```json",
        json.dumps(entry.parameters, ensure_ascii=False, indent=2),
        "```",
        "",
        "## Provenance",
        "",
        f"- skillbank skill `{entry.name}`, version {record.version}, state "
        f"`{record.state.value}`, content hash `{record.content_hash}`",
        f"- written by `{provenance.synthesizer}`"
        + (f" {provenance.synthesizer_version}" if provenance.synthesizer_version else "")
        + (f", learned from {len(sources)} trajectories: {', '.join(sources)}" if sources else ""),
        f"- the source is `{source_file}`; "
        + (
            "it passed skillbank's static check and its verification (trajectory replay and "
            "property tests in the sandbox)"
            if record.state.value in _GATED
            else f"it has not passed all of skillbank's gates yet (state `{record.state.value}`): "
            "review it before use"
        ),
        "",
    ]
    return "\n".join(front) + "\n\n" + "\n".join(body)


def description(entry: SkillEntry) -> str:
    """What the skill does and when to use it; the useful part within the first 250 characters."""
    summary = " ".join((entry.signature.summary or "").split()) or f"Skill {entry.name}."
    if not summary.endswith((".", "!", "?")):
        summary += "."
    if len(summary) > LEAD - 60:
        summary = _cut(summary, LEAD - 60)
    task = summary[0].lower() + summary[1:].rstrip(".!?")
    lead = f"{summary} Use when asked to {task}."
    if len(lead) > LEAD:
        lead = f"{summary} Use when a task asks for exactly this."
    tools = ", ".join(entry.tools)
    calls = (
        f" Calls {tools} in one tested, sandboxed step." if entry.tools else " Tested, sandboxed."
    )
    body = " ".join(entry.description.split())
    rest = body.removeprefix(" ".join(summary.split()).rstrip(".")).lstrip(". ")
    text = lead + calls + (f" {rest}" if rest else "")
    return _cut(text, MAX_DESCRIPTION)


def _compatibility(entry: SkillEntry) -> str:
    tools = ", ".join(entry.tools) or "none"
    text = (
        "Needs Python 3.11+ with skillbank installed (pip install skillbank) and the host's tools "
        f"it calls: {tools}."
    )
    return _cut(text, MAX_COMPATIBILITY)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _scalar(value: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's). ``---`` is escaped, because
    front-matter readers split the file on it before parsing the YAML."""
    return json.dumps(value, ensure_ascii=False).replace("---", "--\\u002d")


def _example_arguments(schema: dict[str, Any]) -> dict[str, Any]:
    """A readable placeholder object with the required properties (for the usage line)."""
    properties = schema.get("properties") or {}
    required = schema.get("required") or list(properties)
    example: dict[str, Any] = {}
    for key in required:
        spec = properties.get(key, {})
        if spec.get("enum"):
            example[key] = spec["enum"][0]
        elif spec.get("type") == "array":
            example[key] = []
        elif spec.get("type") in ("integer", "number"):
            example[key] = 0
        elif spec.get("type") == "boolean":
            example[key] = False
        else:
            example[key] = f"<{key}>"
    return example


# -- the runner ----------------------------------------------------------------------------------


def _runner_script(skill: str, source_file: str) -> str:
    return f'''#!/usr/bin/env python3
"""Run the skill {skill!r} in skillbank's sandbox with the host's tools.

Usage (from the skill's folder or anywhere):
    python scripts/{RUNNER} --tools MODULE:ATTR --args '{{"name": "value"}}'

Prints one JSON document; exits 0 when the skill returned, 1 when it stopped, 2 for bad input.
Needs skillbank (pip install skillbank).
"""

import sys
from pathlib import Path

try:
    from skills_runtime.export.agent_skills_runner import main
except ImportError:
    sys.exit("this skill runs with skillbank: pip install skillbank")

sys.exit(main(Path(__file__).with_name({source_file!r}), sys.argv[1:]))
'''
