"""Agent Skills folders: valid under the reference validator (skills-ref), runnable by a host.

The skills are learned from the bookshop trajectories and promoted in a real registry; the folders
are written by ``skillbank export --format agent-skills``; every one is checked with skills-ref's
Python API and its ``agentskills validate`` command, and a host runs one through the folder's
own runner against the bookshop's real tools.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import skills_ref
from hypothesis import given
from hypothesis import strategies as st
from skills_ref.validator import validate_metadata
from typer.testing import CliRunner

from export import skills
from skill_registry import Registry
from skills_runtime.cli.app import app
from skills_runtime.export.agent_skills import LEAD, MAX_DESCRIPTION, folder_name
from skills_runtime.synthesis import synthesize
from skills_runtime.trajectory import load_trajectories

ROOT = Path(__file__).resolve().parents[2]
AGENTSKILLS = Path(sys.executable).with_name("agentskills")

runner = CliRunner()


@pytest.fixture(scope="module")
def learned_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bookshop's skills, learned, stored with passing reports and promoted."""
    path = tmp_path_factory.mktemp("learned") / "shop.db"
    report = load_trajectories([ROOT / "examples" / "bookshop" / "trajectories.jsonl"])
    with Registry.open(path, create=True) as registry:
        for skill in synthesize(report.trajectories).skills:
            skills.store(registry, skill.source)
    return path


def _export(db: Path, out: Path, *extra: str) -> dict[str, Any]:
    result = runner.invoke(
        app,
        [
            "export",
            "--format",
            "agent-skills",
            "--out",
            str(out),
            "--db",
            str(db),
            *extra,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.fixture(scope="module")
def exported(learned_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _export(learned_db, tmp_path_factory.mktemp("agent-skills"))


def _folders(document: dict[str, Any]) -> list[Path]:
    return [Path(entry["folder"]) for entry in document["skills"]]


def test_every_promoted_skill_gets_a_folder_with_its_source_and_a_runner(
    exported: dict[str, Any], learned_db: Path
) -> None:
    with Registry.open(learned_db) as registry:
        promoted = {summary.name for summary in registry.list_skills(state="promoted")}
    assert {entry["name"] for entry in exported["skills"]} == promoted
    for entry in exported["skills"]:
        folder = Path(entry["folder"])
        with Registry.open(learned_db) as registry:
            source = registry.get(entry["name"]).source
        assert (folder / "scripts" / f"{entry['name']}.py").read_text(encoding="utf-8") == source
        assert (folder / "scripts" / "run.py").is_file()
        assert sorted(entry["files"]) == sorted(
            ["SKILL.md", f"scripts/{entry['name']}.py", "scripts/run.py"]
        )


def test_every_exported_folder_passes_the_reference_validator(exported: dict[str, Any]) -> None:
    folders = _folders(exported)
    assert folders
    for folder in folders:
        assert skills_ref.validate(folder) == [], folder
        checked = subprocess.run(
            [str(AGENTSKILLS), "validate", str(folder)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert checked.returncode == 0, checked.stderr
        assert "Valid skill" in checked.stdout


def test_front_matter_says_what_and_when_first_and_keeps_provenance_as_strings(
    exported: dict[str, Any], learned_db: Path
) -> None:
    for entry in exported["skills"]:
        folder = Path(entry["folder"])
        properties = skills_ref.read_properties(folder)
        assert properties.name == folder.name == folder_name(entry["name"])
        assert len(properties.description) <= MAX_DESCRIPTION
        with Registry.open(learned_db) as registry:
            record = registry.get(entry["name"])
        lead = properties.description[:LEAD]
        assert record.summary.rstrip(".") in lead
        assert "Use when" in lead
        metadata = properties.metadata
        assert all(isinstance(value, str) for value in metadata.values())
        assert metadata["skillbank-skill"] == entry["name"]
        assert metadata["skillbank-version"] == str(record.version)
        assert metadata["skillbank-content-hash"] == record.content_hash
        assert json.loads(metadata["skillbank-provenance"]) == record.provenance.to_json()
        assert metadata["skillbank-tools"].split() == list(record.tools)


def test_a_host_loads_an_exported_folder_and_runs_it_in_the_sandbox_with_its_tools(
    exported: dict[str, Any],
) -> None:
    (cancel,) = [Path(e["folder"]) for e in exported["skills"] if "cancel" in e["name"]]
    properties = skills_ref.read_properties(cancel)  # what a host reads to list the skill
    assert properties.name == cancel.name
    data = json.loads((ROOT / "examples" / "bookshop" / "data.json").read_text(encoding="utf-8"))
    order_id, order = next(
        (key, value)
        for key, value in sorted(data["orders"].items())
        if value["status"] == "pending"
    )
    email = data["customers"][order["customer_id"]]["email"]
    arguments = {"email": email, "order_id": order_id, "reason": "ordered by mistake"}

    ran = subprocess.run(
        [
            sys.executable,
            str(cancel / "scripts" / "run.py"),
            "--tools",
            "examples.bookshop.tools:toolset",
            "--args",
            json.dumps(arguments),
        ],
        cwd=ROOT,  # the host's tools are importable from where it runs
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert ran.returncode == 0, ran.stderr
    outcome = json.loads(ran.stdout)
    assert outcome["status"] == "ok"
    assert outcome["value"]["status"] == "cancelled"
    assert [call["name"] for call in outcome["tool_calls"]][-1] == "cancel_order"


def _run_folder(
    folder: Path, tools: str, arguments: dict[str, Any]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(folder / "scripts" / "run.py"),
            "--tools",
            tools,
            "--args",
            json.dumps(arguments),
        ],
        cwd=ROOT / "tests",
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_runner_reports_bad_arguments_and_refuses_an_edited_source_that_fails_the_check(
    db_path: Path, tmp_path: Path
) -> None:
    document = _export(db_path, tmp_path / "out")
    (status,) = [Path(e["folder"]) for e in document["skills"] if e["name"] == "order_status"]

    wrong = _run_folder(status, "export.hosttools:toolset", {"order": "#W1"})
    script = status / "scripts" / "order_status.py"
    script.write_text("import os\n" + script.read_text(encoding="utf-8"), encoding="utf-8")
    edited = _run_folder(status, "export.hosttools:toolset", {"order_id": "#W1"})

    assert wrong.returncode == 2
    assert json.loads(wrong.stdout)["status"] == "invalid_arguments"
    assert edited.returncode == 1
    rejected = json.loads(edited.stdout)
    assert rejected["status"] == "rejected"
    assert "os" in rejected["error"]["message"]


def test_export_replaces_its_own_folders_but_not_someone_elses(
    db_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    _export(db_path, out)
    _export(db_path, out)  # again: its own folders are replaced
    (out / "order-status" / "SKILL.md").write_text("---\nname: order-status\n---\nmine\n")

    result = runner.invoke(
        app, ["export", "--format", "agent-skills", "--out", str(out), "--db", str(db_path)]
    )

    assert result.exit_code == 2
    assert "was not exported by skillbank" in result.output
    assert (out / "order-status" / "SKILL.md").read_text().endswith("mine\n")


def test_agent_skills_needs_out_and_out_needs_agent_skills(db_path: Path, tmp_path: Path) -> None:
    no_out = runner.invoke(app, ["export", "--format", "agent-skills", "--db", str(db_path)])
    stray = runner.invoke(app, ["export", "--out", str(tmp_path), "--db", str(db_path)])

    assert no_out.exit_code == 2
    assert "--out" in no_out.output
    assert stray.exit_code == 2
    assert "agent-skills" in stray.output


AWKWARD = (
    '''
def awkward_summary(tools, order_id: str) -> str:
    """Say --- with "quotes", colons: and # hashes what an order is; '''
    + "very " * 60
    + '''long.

    Args:
        order_id: The order.

    Returns:
        Its status.
    """
    return tools.get_order_details(order_id=order_id)["status"]
'''
)


def test_awkward_summaries_still_give_valid_front_matter(db_path: Path, tmp_path: Path) -> None:
    with Registry.open(db_path) as registry:
        skills.store(registry, AWKWARD)

    document = _export(db_path, tmp_path / "out")

    (folder,) = [Path(e["folder"]) for e in document["skills"] if e["name"] == "awkward_summary"]
    assert skills_ref.validate(folder) == []
    properties = skills_ref.read_properties(folder)
    assert properties.description.startswith('Say --- with "quotes", colons: and # hashes')
    assert len(properties.description) <= MAX_DESCRIPTION


_IDENTIFIER = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,90}", fullmatch=True)


@given(name=_IDENTIFIER)
def test_every_skill_name_gives_a_folder_name_the_specification_accepts(name: str) -> None:
    folder = folder_name(name)
    assert validate_metadata({"name": folder, "description": "x"}, Path(folder)) == []


@given(first=_IDENTIFIER, second=_IDENTIFIER)
def test_different_skills_never_share_a_folder(first: str, second: str) -> None:
    if first != second:
        assert folder_name(first) != folder_name(second)


SHOUTS = '''
def shouting_guard(tools, order_id: str) -> str:
    """Refuse every order, with terminal control codes in the refusal.

    Args:
        order_id: The order.

    Returns:
        The order id, when it is empty.
    """
    if order_id:
        raise SkillPrecondition("no\\x1b[2J\\x1b]0;owned\\x07 way")
    return order_id
'''


def test_the_runner_prints_a_skills_words_inert_on_stderr(db_path: Path, tmp_path: Path) -> None:
    with Registry.open(db_path) as registry:
        skills.store(registry, SHOUTS)
    document = _export(db_path, tmp_path / "out")
    (folder,) = [Path(e["folder"]) for e in document["skills"] if e["name"] == "shouting_guard"]

    ran = _run_folder(folder, "export.hosttools:toolset", {"order_id": "#W1"})

    assert ran.returncode == 1
    assert "\x1b" not in ran.stderr
    assert "\x07" not in ran.stderr
    assert "\\x1b[2J" in ran.stderr
