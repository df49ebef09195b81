"""Skills whose host tools the toolset lacks are left out of every listing, and say so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from export import hosttools, skills
from skill_registry import Registry
from skills_runtime.toolkit import Toolkit

ROOT = Path(__file__).resolve().parents[2]
TOOLS = "export.hosttools:toolset"
FOREIGN_NAME = "book_flight_for_customer"
FOREIGN_MISSING = ("search_flights", "book_reservation")


@pytest.fixture
def mixed_db(db_path: Path) -> Path:
    """The export registry plus one promoted skill learned against airline tools."""
    with Registry.open(db_path) as registry:
        skills.store(registry, skills.FOREIGN)
    return db_path


@pytest.fixture
def mixed(mixed_db: Path) -> Any:
    with Registry.open(mixed_db) as registry:
        yield Toolkit(registry, hosttools.toolset, record=False)


def _names(tools: list[dict[str, Any]]) -> set[str]:
    return {tool["function"]["name"] if "function" in tool else tool["name"] for tool in tools}


def test_a_skill_needing_tools_the_toolset_lacks_is_not_offered(mixed: Toolkit) -> None:
    offered = {entry.name for entry in mixed.skills()}
    assert FOREIGN_NAME not in offered
    assert "cancel_for_customer" in offered
    for format in ("openai", "openai-responses", "anthropic", "mcp"):
        assert FOREIGN_NAME not in _names(mixed.tools(format))


def test_unavailable_names_each_left_out_skill_and_its_missing_tools(mixed: Toolkit) -> None:
    assert mixed.unavailable() == {FOREIGN_NAME: FOREIGN_MISSING}


def test_search_skills_returns_only_runnable_skills_and_still_fills_k(mixed: Toolkit) -> None:
    outcome = mixed.execute("search_skills", {"query": "book flight customer order", "k": 3})
    assert outcome.ok
    found = [skill["name"] for skill in outcome.value["skills"]]
    assert FOREIGN_NAME not in found
    assert len(found) == 3


def test_calling_a_left_out_skill_by_name_answers_unavailable(mixed: Toolkit) -> None:
    outcome = mixed.execute(FOREIGN_NAME, {"first_name": "Ada"})
    assert outcome.status == "unavailable"
    assert "needs host tools search_flights, book_reservation" in outcome.content()
    assert "[" not in outcome.content()


def test_without_required_tools_every_skill_in_the_states_is_offered(mixed_db: Path) -> None:
    with Registry.open(mixed_db) as registry:
        toolkit = Toolkit(registry, hosttools.toolset, record=False, require_tools=False)
        assert FOREIGN_NAME in {entry.name for entry in toolkit.skills()}
        assert toolkit.unavailable() == {}


def test_an_unknown_skill_lists_states_and_skills_as_text(mixed: Toolkit) -> None:
    outcome = mixed.execute("no_such_skill", {})
    assert outcome.status == "unknown_skill"
    assert "available skills in states promoted: cancel_for_customer," in outcome.content()
    assert "['" not in outcome.content()


def _invoke(*args: str) -> Any:
    from skills_runtime.cli.app import app

    return CliRunner().invoke(app, list(args))


def test_export_with_tools_reports_left_out_skills_in_its_json(mixed_db: Path) -> None:
    result = _invoke("export", "--tools", TOOLS, "--db", str(mixed_db), "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert FOREIGN_NAME not in _names(document["tools"])
    assert document["left_out"] == [{"name": FOREIGN_NAME, "missing_tools": list(FOREIGN_MISSING)}]


def test_export_without_tools_offers_every_skill_and_leaves_none_out(mixed_db: Path) -> None:
    result = _invoke("export", "--db", str(mixed_db), "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert FOREIGN_NAME in _names(document["tools"])
    assert document["left_out"] == []


def test_export_says_its_states_and_left_out_skills_as_text(mixed_db: Path) -> None:
    result = _invoke(
        "export", "--tools", TOOLS, "--state", "promoted", "--state", "verified",
        "--db", str(mixed_db),
    )  # fmt: skip
    assert result.exit_code == 0
    assert "states promoted, verified" in result.stderr
    assert (
        f"1 promoted/verified skill needs tools this toolset lacks (left out): "
        f"{FOREIGN_NAME} (needs search_flights, book_reservation)"
    ) in result.stderr
    assert "['" not in result.stderr


@pytest.mark.parametrize("spec", ["examples.bookshop.tools", "module:", ":toolset"])
def test_a_bad_tools_spec_suggests_the_bookshop_toolset(db_path: Path, spec: str) -> None:
    result = _invoke("call", "order_status", "--tools", spec, "--db", str(db_path), "--json")
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert "'examples.bookshop.tools:toolset'" in error
    assert "retail" not in error


def test_serve_warns_once_on_stderr_about_skills_it_cannot_offer(
    mixed_db: Path, tmp_path: Path
) -> None:
    env = {"PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}", "PATH": "/usr/bin:/bin"}
    code = "from skills_runtime.cli import main; main()"
    args = ["serve", "--tools", TOOLS, "--db", str(mixed_db), "--poll", "0"]
    finished = subprocess.run(
        [sys.executable, "-c", code, *args],
        stdin=subprocess.DEVNULL,  # the stdio transport ends at end of input
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    lines = [line for line in finished.stderr.splitlines() if "lacks" in line]
    assert lines == [
        "skillbank: 1 promoted skill needs tools this toolset lacks (left out): "
        f"{FOREIGN_NAME} (needs search_flights, book_reservation)"
    ], finished.stderr
    assert "serving skills in states promoted from" in finished.stderr


def test_the_examples_readme_points_agents_at_the_registry_the_demo_writes() -> None:
    readme = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    demo = (ROOT / "skills_runtime" / "demo.py").read_text(encoding="utf-8")
    assert 'Path("skillbank-demo")' in demo
    assert '"skillbank-demo.db"' in demo
    assert "SKILLBANK_DB=skillbank-demo/skillbank-demo.db" in readme
    assert "has promoted skills into\n`./skillbank.db`" not in readme
