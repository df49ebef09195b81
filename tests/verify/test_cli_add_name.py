"""`skillbank add FILE.py` files the source under its function's name unless told otherwise."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from skills_runtime.cli.app import app

SKILL = '''from typing import Any


def order_status(tools, order_id: str) -> Any:
    """Look up the status of an order.

    Args:
        order_id: The order id.

    Returns:
        The order's status.
    """
    return tools.get_order(order_id=order_id)["status"]
'''


def test_without_name_the_function_name_is_the_skill_name(tmp_path: Path) -> None:
    source = tmp_path / "status.py"
    source.write_text(SKILL, encoding="utf-8")

    done = CliRunner().invoke(
        app, ["add", str(source), "--no-verify", "--db", str(tmp_path / "s.db"), "--json"]
    )

    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert (document["name"], document["version"]) == ("order_status", 1)


def test_without_name_a_source_with_no_single_function_is_bad_input(tmp_path: Path) -> None:
    source = tmp_path / "two.py"
    source.write_text("def a(tools):\n    return 1\n\n\ndef b(tools):\n    return 2\n")

    done = CliRunner().invoke(app, ["add", str(source), "--db", str(tmp_path / "s.db")])

    assert done.exit_code == 2
    assert "pass --name NAME" in done.output
