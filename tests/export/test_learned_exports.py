"""Exports of skills learned from the bookshop trajectories accept every observed argument set.

The skills are synthesized from ``examples/bookshop/trajectories.jsonl``; each skill's replay cases
hold the arguments it is called with to reproduce each of its source trajectories. Every export
format, loose and strict, must accept all of them (strict OpenAI: with null for what is left out).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from examples.bookshop.tools import toolset as bookshop
from skill_registry import Provenance, Registry
from skills_runtime.checking import signature_of
from skills_runtime.export.formats import FORMATS
from skills_runtime.export.strict import openai_strict_violations
from skills_runtime.synthesis import SynthesizedSkill, synthesize
from skills_runtime.toolkit import Toolkit
from skills_runtime.trajectory import load_trajectories

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def learned() -> list[SynthesizedSkill]:
    report = load_trajectories([ROOT / "examples" / "bookshop" / "trajectories.jsonl"])
    skills = list(synthesize(report.trajectories).skills)
    assert skills, "the bookshop trajectories should yield skills"
    return skills


@pytest.fixture
def learned_toolkit(tmp_path: Path, learned: list[SynthesizedSkill]) -> Iterator[Toolkit]:
    registry = Registry.open(tmp_path / "learned.db", create=True)
    for skill in learned:
        signature = signature_of(skill.source)
        record = registry.add_version(
            skill.name,
            source=skill.source,
            schema=signature.parameters_schema,
            summary=signature.summary,
            docstring=signature.description,
            tools=list(signature.tools_called),
            provenance=Provenance(synthesizer="tests"),
        )
        for kind in ("check", "verify"):
            registry.record_report(record.content_hash, kind=kind, passed=True, report={})
        registry.promote(skill.name, actor="tests", reason="learned in tests")
    with registry:
        yield Toolkit(registry, bookshop, record=False)


def _schema_of(tool: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if "function" in tool:
        return tool["function"]["name"], tool["function"]["parameters"]
    for key in ("parameters", "input_schema", "inputSchema"):
        if key in tool:
            return tool["name"], tool[key]
    raise AssertionError(f"no schema in {tool}")


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("format", FORMATS)
def test_every_observed_argument_set_fits_the_exported_schema(
    learned_toolkit: Toolkit, learned: list[SynthesizedSkill], format: str, strict: bool
) -> None:
    exported = dict(_schema_of(t) for t in learned_toolkit.tools(format, strict=strict))  # type: ignore[arg-type]
    checked = 0
    for skill in learned:
        schema = exported[skill.name]
        jsonschema.Draft202012Validator.check_schema(schema)
        for case in skill.replay_cases:
            arguments = dict(case.arguments)
            if strict and format.startswith("openai"):
                arguments = {key: arguments.get(key) for key in schema["properties"]}
            jsonschema.validate(arguments, schema)
            checked += 1
    assert checked == sum(len(skill.replay_cases) for skill in learned)


def test_learned_skills_export_strict_openai_schemas(learned_toolkit: Toolkit) -> None:
    for tool in learned_toolkit.openai_tools(strict=True):
        assert tool["function"]["strict"] is True
        assert openai_strict_violations(tool["function"]["parameters"]) == []


def test_exported_descriptions_leave_out_the_provenance_paragraph(learned_toolkit: Toolkit) -> None:
    tools = learned_toolkit.anthropic_tools()

    assert tools
    for tool in tools:
        assert "Learned from" not in tool["description"]
        assert tool["description"].strip()
