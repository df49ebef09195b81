"""The CLI end to end on a fresh registry, as a user would drive it, asserting the JSON outputs.

learn → list → show → check → verify → promote → export → call → search → add → diff → rollback
→ deprecate, on the cancel family of the bookshop example (its real tools behind the bridge).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from skills_runtime.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
TRAJECTORIES = ROOT / "examples" / "bookshop" / "trajectories.jsonl"

runner = CliRunner()


def run_json(*args: str, exit_code: int = 0) -> Any:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == exit_code, (args, result.output)
    return json.loads(result.stdout)


@pytest.fixture
def cancel_family(tmp_path: Path) -> Path:
    """The cancel trajectories only (one family keeps the test fast)."""
    lines = TRAJECTORIES.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "cancel.jsonl"
    path.write_text(
        "".join(line + "\n" for line in lines if json.loads(line)["family"] == "cancel"),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def bookshop_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--tools examples.bookshop.tools:toolset`` resolves as it does from the repository root."""
    monkeypatch.syspath_prepend(str(ROOT))
    monkeypatch.delitem(sys.modules, "examples.bookshop.tools", raising=False)


def _pending_order_nobody_touched() -> tuple[str, str]:
    data = json.loads((ROOT / "examples" / "bookshop" / "data.json").read_text(encoding="utf-8"))
    used = TRAJECTORIES.read_text(encoding="utf-8")
    for order_id, order in sorted(data["orders"].items()):
        if order["status"] == "pending" and f'"{order_id}"' not in used:
            return data["customers"][order["customer_id"]]["email"], order_id
    raise AssertionError("the bookshop has no untouched pending order")


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_options(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """``--db FILE``; or, for PostgreSQL, no option: $SKILLBANK_DB names the server's database
    and $SKILLBANK_TENANT the team, as a fleet's machines would set them."""
    if request.param == "sqlite":
        return ["--db", str(tmp_path / "shop.db")]
    url, tenant = str(request.getfixturevalue("postgres_url")).rsplit("&tenant=", 1)
    monkeypatch.setenv("SKILLBANK_DB", url)
    monkeypatch.setenv("SKILLBANK_TENANT", tenant)
    return []


def test_learn_review_serve_and_roll_back_a_skill(
    tmp_path: Path, cancel_family: Path, bookshop_on_path: None, registry_options: list[str]
) -> None:
    db = registry_options

    learned = run_json("learn", str(cancel_family), "--split", "train", *db)
    assert len(learned["skills"]) == 1
    skill = learned["skills"][0]
    name = skill["name"]
    assert skill["state"] == "verified"
    assert len(skill["source_trajectories"]) == 4

    listed = run_json("list", *db)
    assert [(s["name"], s["version"], s["state"]) for s in listed["skills"]] == [
        (name, 1, "verified")
    ]

    shown = run_json("show", name, *db)
    assert shown["check"]["passed"] is True
    assert shown["verify"]["passed"] is True
    assert {t["id"] for t in shown["trajectories"]} == set(skill["source_trajectories"])
    assert all(t["task"] for t in shown["trajectories"])
    assert "tools.cancel_order(" in shown["source"]

    source = tmp_path / "skill.py"
    source.write_text(shown["source"], encoding="utf-8")
    checked = run_json("check", str(source))
    assert checked["ok"] is True

    verified = run_json("verify", name, *db)
    assert verified["passed"] is True

    promoted = run_json("promote", name, "--reason", "read the code", *db)
    assert promoted["state"] == "promoted"

    exported = run_json("export", "--format", "openai", *db)
    assert [tool["function"]["name"] for tool in exported["tools"]] == [name]
    assert "order_id" in exported["tools"][0]["function"]["parameters"]["properties"]

    email, order_id = _pending_order_nobody_touched()
    arguments = {"email": email, "order_id": order_id, "reason": "ordered by mistake"}
    called = run_json(
        "call",
        name,
        "--args",
        json.dumps(arguments),
        "--tools",
        "examples.bookshop.tools:toolset",
        *db,
    )
    assert called["status"] == "ok"
    assert called["value"]["status"] == "cancelled"
    assert [call["name"] for call in called["tool_calls"]][-1] == "cancel_order"

    found = run_json("search", "the customer wants to cancel an order", *db)
    assert found["results"][0]["name"] == name

    edited = tmp_path / "edited.py"
    edited.write_text(
        shown["source"].replace("tools.cancel_order(", "tools.cancel_order(  # reviewed\n    "),
        encoding="utf-8",
    )
    added = run_json("add", str(edited), "--name", name, *db)
    assert added["version"] == 2
    assert run_json("verify", name, "--version", "2", *db)["passed"] is True
    assert run_json("promote", name, "--version", "2", "--reason", "edited", *db)["state"] == (
        "promoted"
    )

    changed = run_json("diff", name, "1", "2", *db)
    assert "# reviewed" in changed["diff"]

    rolled = run_json("rollback", name, "--to", "1", *db)
    assert (rolled["version"], rolled["state"], rolled["is_current"]) == (1, "promoted", True)

    deprecated = run_json("deprecate", name, "--reason", "policy changed", *db)
    assert (deprecated["version"], deprecated["state"]) == (1, "deprecated")
    assert run_json("list", "--state", "promoted", *db)["skills"] == []
    audit = run_json("show", name, *db)["audit"]
    assert [entry["action"] for entry in audit].count("rollback") == 1
