"""``verify`` end to end: one sandbox worker per verification, reports as data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from skills_runtime.verify import VerificationReport, VerifySettings, render_test_module, verify

from . import skills
from .conftest import FAST

ROOT = Path(__file__).resolve().parents[2]


def test_a_correct_skill_passes_in_the_worker_and_the_report_round_trips() -> None:
    report = verify(
        skills.CANCEL, cases=skills.CANCEL_CASES, tool_schemas=skills.TOOL_SCHEMAS, settings=FAST
    )
    assert report.passed, report.reasons
    assert report.status == "ok"
    assert [outcome.passed for outcome in report.replays] == [True, True]
    assert VerificationReport.from_json(report.to_json()) == report


def test_a_key_error_fails_the_report_with_a_shrunk_example() -> None:
    report = verify(
        skills.ADDRESS_AND_PAYMENT,
        cases=skills.ADDRESS_CASES,
        tool_schemas=skills.TOOL_SCHEMAS,
        settings=FAST,
    )
    assert not report.passed
    failed = {result.name: result for result in report.failed_properties}
    assert set(failed) == {"no_unexpected_exception"}
    example = failed["no_unexpected_exception"].falsifying_example
    assert example is not None
    assert "address1" not in example["arguments"]["address"]


def test_a_worker_past_its_wall_clock_limit_fails_the_report_with_the_reason() -> None:
    report = verify(
        skills.RUNAWAY,
        cases=skills.PRODUCT_CASES,
        tool_schemas=skills.TOOL_SCHEMAS,
        settings=VerifySettings(call_seconds=30.0, wall_seconds=1.0, cpu_seconds=30.0),
    )
    assert not report.passed
    assert report.status == "limit"
    assert report.reasons == ("the verification exceeded the sandbox's wall limit",)


def test_unparsable_source_is_a_failed_report_not_an_exception() -> None:
    report = verify("def broken(tools:\n", cases=[], tool_schemas={}, settings=FAST)
    assert not report.passed
    assert report.status == "rejected"


def test_the_generated_test_module_passes_under_pytest_for_a_good_skill(tmp_path: Path) -> None:
    module = render_test_module(
        "cancel_pending_order",
        skills.CANCEL,
        skills.CANCEL_CASES,
        skills.TOOL_SCHEMAS,
        settings=FAST,
    )
    assert "def test_the_skill_replays_the_recorded_trajectory" in module
    path = tmp_path / "test_cancel_pending_order.py"
    path.write_text(module)
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "9 passed" in completed.stdout


def test_the_public_surface_of_the_verify_package_is_pinned() -> None:
    import skills_runtime.verify as package

    assert sorted(package.__all__) == [
        "FakeTools",
        "PropertyResult",
        "VerificationReport",
        "VerifySettings",
        "arguments_strategy",
        "observed_arguments",
        "render_test_module",
        "strategy_for_schema",
        "verify",
    ]
    for name in package.__all__:
        assert getattr(package, name) is not None
