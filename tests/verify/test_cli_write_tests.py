"""`skillbank verify --write-tests` writes the verification as a pytest module to run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from skill_registry import Registry
from skills_runtime.cli.app import app
from skills_runtime.gates import stored_tool_schemas
from skills_runtime.pipeline import learn

SHOP = Path(__file__).resolve().parents[2] / "examples" / "bookshop" / "trajectories.jsonl"


def test_the_written_module_checks_tool_schemas_and_passes_under_pytest(tmp_path: Path) -> None:
    db = tmp_path / "skills.db"
    with Registry.open(db, create=True) as registry:
        learn([SHOP], registry=registry, split="train")
        schemas = stored_tool_schemas(registry, "cancel_order_by_email")
    module = tmp_path / "test_cancel_order.py"

    done = CliRunner().invoke(
        app,
        [
            "verify",
            "cancel_order_by_email",
            "--db",
            str(db),
            "--write-tests",
            str(module),
            "--json",
        ],
    )

    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["tests_written"] == str(module)
    assert set(schemas) >= {"find_customer_by_email", "get_order", "cancel_order"}
    assert "'cancel_order': {" in module.read_text(encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(module)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
