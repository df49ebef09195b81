"""The public surface is written down: ``__all__`` is pinned, and every name in it exists."""

from __future__ import annotations

import tomllib
from pathlib import Path
from types import ModuleType

import pytest

import skills_runtime
import skills_runtime.effects
import skills_runtime.evaluate
import skills_runtime.trajectory

PINNED: dict[ModuleType, set[str]] = {
    skills_runtime: {
        "ConfigurationError",
        "ImportReport",
        "InvalidArgument",
        "InvalidInput",
        "OrphanResult",
        "Outcome",
        "Problem",
        "SkillbankError",
        "ToolCall",
        "ToolSchema",
        "Trajectory",
        "UnknownSkill",
        "__version__",
        "dump_native",
        "load_trajectories",
        "parse_record",
    },
    skills_runtime.trajectory: {
        "FORMATS",
        "ImportReport",
        "OrphanResult",
        "Outcome",
        "Problem",
        "ToolCall",
        "ToolSchema",
        "Trajectory",
        "TrajectoryFiles",
        "Turn",
        "canonical_json",
        "detect_format",
        "dump_native",
        "dump_tool_schema",
        "load_trajectories",
        "parse_record",
        "parse_tool_schema",
    },
    skills_runtime.effects: {
        "Declared",
        "Effect",
        "EffectTable",
        "Evidence",
        "ToolEffect",
        "declared_from",
        "infer_by_domain",
        "infer_effects",
        "load_declared",
    },
    skills_runtime.evaluate: {
        "BaselineReport",
        "BaselineTask",
        "EvaluationReport",
        "Harm",
        "HarmKind",
        "RunOutcome",
        "Runner",
        "SandboxRunner",
        "SkillPrecondition",
        "evaluate",
        "exec_runner",
        "replay_nearest",
        "sandbox_runner",
    },
}


@pytest.mark.parametrize("module", list(PINNED), ids=lambda module: module.__name__)
def test_all_lists_exactly_the_pinned_public_names(module: ModuleType) -> None:
    assert set(module.__all__) == PINNED[module]
    assert len(module.__all__) == len(set(module.__all__))


@pytest.mark.parametrize("module", list(PINNED), ids=lambda module: module.__name__)
def test_every_exported_name_exists(module: ModuleType) -> None:
    for name in module.__all__:
        assert getattr(module, name) is not None, name


def test_public_classes_and_functions_claim_their_package() -> None:
    for name in skills_runtime.__all__:
        member = getattr(skills_runtime, name)
        if hasattr(member, "__module__"):
            assert member.__module__.startswith("skills_runtime."), name


def test_the_version_matches_the_distribution() -> None:
    pyproject = Path(skills_runtime.__file__).resolve().parents[1] / "pyproject.toml"

    assert skills_runtime.__version__ == tomllib.loads(pyproject.read_text())["project"]["version"]
