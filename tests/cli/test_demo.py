"""``skillbank demo`` end to end, and its HTML report opened in a real headless browser."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from skills_runtime.cli.app import app
from skills_runtime.cli.commands_demo import render_step
from skills_runtime.demo import DemoStep

CHROMIUM = Path("/usr/bin/chromium")
FAMILIES = {"cancel_order", "return_items", "change_shipping_address", "exchange_items"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of ``skillbank demo --json``, shared by the tests of this module."""
    workdir = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(app, ["demo", "--workdir", str(workdir), "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_the_demo_learns_one_promoted_skill_per_procedure(demo: dict[str, Any]) -> None:
    skills = demo["skills"]
    writes = {tool for skill in skills for tool in skill["tools"] if tool in FAMILIES}
    assert writes == FAMILIES
    assert all(skill["state"] == "promoted" for skill in skills), skills
    assert all(skill["check"] and skill["verify"] for skill in skills)
    assert all(len(skill["source_trajectories"]) >= 4 for skill in skills)


def test_the_demo_exports_every_promoted_skill_as_a_tool(demo: dict[str, Any]) -> None:
    names = {tool["function"]["name"] for tool in demo["tools"]}
    assert names == {skill["name"] for skill in demo["skills"]}
    exported = Path(demo["report"]).with_name("tools.openai.json")
    assert json.loads(exported.read_text(encoding="utf-8")) == demo["tools"]


def test_the_demo_call_reaches_the_real_tools_through_the_bridge(demo: dict[str, Any]) -> None:
    call = demo["call"]
    assert call["status"] == "ok", call
    assert call["value"]["status"] == "cancelled"
    assert call["order_status_after"] == "cancelled"
    inner = [c["name"] for c in call["tool_calls"]]
    assert inner[0] == "find_customer_by_email"
    assert inner[-1] == "cancel_order"


def test_the_demo_explains_each_step(demo: dict[str, Any]) -> None:
    steps = demo["steps"]
    assert [step["key"] for step in steps] == [
        "import",
        "learn",
        "promote",
        "export",
        "call",
        "done",
    ]
    assert all(step["text"] for step in steps)
    assert "def " in steps[3]["data"]["source"]


def test_the_demo_refuses_to_reuse_an_existing_registry(tmp_path: Path) -> None:
    existing = tmp_path / "mine.db"
    existing.write_bytes(b"")
    result = CliRunner().invoke(app, ["demo", "--db", str(existing), "--json"])
    assert result.exit_code == 2
    assert "already exists" in json.loads(result.stdout)["error"]


def test_a_workdir_that_is_a_file_is_bad_input_naming_it(tmp_path: Path) -> None:
    taken = tmp_path / "a-file"
    taken.write_text("")
    result = CliRunner().invoke(app, ["demo", "--workdir", str(taken), "--json"])
    assert result.exit_code == 2
    assert (
        f"--workdir {str(taken)!r} cannot be used as a directory"
        in json.loads(result.stdout)["error"]
    )


@pytest.mark.browser
def test_the_html_report_shows_every_skill_of_the_demo_in_a_browser(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium)")
    completed = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            Path(demo["report"]).as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    dom = completed.stdout
    assert "<title>Bookshop skills</title>" in dom
    for skill in demo["skills"]:
        assert f'data-skill="{skill["name"]}"' in dom
        assert f'href="#skill-{skill["name"]}"' in dom
        assert f">{skill['name']}</span>" in dom  # the highlighted source names the function


def test_each_step_renders_readably(
    demo: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    for step in demo["steps"]:
        render_step(DemoStep(**step))
    shown = capsys.readouterr().out
    assert "5. Call a skill as an agent would" in shown
    assert "def " + demo["call"]["skill"] in shown
    assert "find_customer_by_email" in shown
    assert "promoted" in shown


def test_running_the_demo_again_keeps_the_first_registry_and_uses_a_fresh_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    earlier = tmp_path / "skillbank-demo" / "skillbank-demo.db"
    earlier.parent.mkdir()
    earlier.write_bytes(b"the registry of an earlier run")

    result = CliRunner().invoke(app, ["demo", "--json"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert Path(document["db"]) == tmp_path / "skillbank-demo-2" / "skillbank-demo.db"
    assert earlier.read_bytes() == b"the registry of an earlier run"


def test_a_named_workdir_holding_an_earlier_demo_is_refused_and_kept(tmp_path: Path) -> None:
    earlier = tmp_path / "skillbank-demo.db"
    earlier.write_bytes(b"kept")

    result = CliRunner().invoke(app, ["demo", "--workdir", str(tmp_path), "--json"])

    assert result.exit_code == 2
    assert "earlier demo" in json.loads(result.stdout)["error"]
    assert earlier.read_bytes() == b"kept"
