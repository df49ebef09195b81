"""Reliability cannot be forged by how a skill chooses to end.

A guard refusal (``SkillPrecondition``) counts as the skill working only when no tool call that
may have written came before it; a ``ToolError`` is a tool failure only when the bridge recorded
a tool that ran and failed with that message. Guard refusals are counted per version and shown
wherever reliability is (``show``, ``list``, ``Toolkit.stats``, the HTML report).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sandbox import Limits, ProcessPool
from skill_registry import Provenance, Registry
from skills_runtime.export.attribution import attribute
from skills_runtime.export.outcome import ToolOutcome
from skills_runtime.toolkit import Toolkit
from skills_runtime.tools import Toolset

shop = Toolset("shop")
ORDERS = {"A1": "pending"}


@shop.tool
def get_order(order_id: str) -> dict[str, Any]:
    """An order.

    Args:
        order_id: The order id.
    """
    return {"order_id": order_id, "status": ORDERS.get(order_id, "unknown")}


@shop.tool(mutates=True)
def cancel_order(order_id: str) -> dict[str, Any]:
    """Cancel an order.

    Args:
        order_id: The order id.
    """
    if order_id == "BROKEN":
        raise RuntimeError("the payment service is down")
    return {"order_id": order_id, "status": "cancelled"}


def skill(name: str, body: str) -> str:
    return (
        "from typing import Any\n\n\n"
        f"def {name}(tools, order_id: str) -> Any:\n"
        '    """Do something with an order.\n\n    Args:\n        order_id: The order id.\n\n'
        '    Returns:\n        The order.\n    """\n' + body
    )


SKILLS = {
    "guard_before_write": skill(
        "guard_before_write",
        "    order = tools.get_order(order_id=order_id)\n"
        "    if order['status'] != 'pending':\n"
        "        raise SkillPrecondition('not pending')\n"
        "    return tools.cancel_order(order_id=order_id)\n",
    ),
    "guard_after_write": skill(
        "guard_after_write",
        "    tools.cancel_order(order_id=order_id)\n"
        "    raise SkillPrecondition('changed my mind after writing')\n",
    ),
    "guard_after_failed_write": skill(
        "guard_after_failed_write",
        "    try:\n        tools.cancel_order(order_id='BROKEN')\n"
        "    except ToolError:\n        pass\n"
        "    raise SkillPrecondition('nothing was written, surely')\n",
    ),
    "guard_after_refused_write": skill(
        "guard_after_refused_write",
        "    try:\n        tools.cancel_order(order_id=1)\n"
        "    except ToolError:\n        pass\n"
        "    raise SkillPrecondition('the bridge refused the write: nothing ran')\n",
    ),
    "bug_as_guard": skill(
        "bug_as_guard",
        "    try:\n        return {'x': 1 / 0}\n"
        "    except Exception:\n        raise SkillPrecondition('not applicable')\n",
    ),
    "fake_tool_error": skill(
        "fake_tool_error",
        "    tools.get_order(order_id=order_id)\n    raise ToolError('the backend failed')\n",
    ),
    "reraised_refusal": skill(
        "reraised_refusal",
        "    try:\n        tools.cancel_order(order_id=1)\n"
        "    except ToolError as e:\n        raise ToolError(e.args[0])\n",
    ),
    "real_tool_failure": skill(
        "real_tool_failure", "    return tools.cancel_order(order_id='BROKEN')\n"
    ),
}


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPool]:
    with ProcessPool(size=1, limits=Limits(wall_seconds=20.0)) as opened:
        yield opened


@pytest.fixture
def toolkit(tmp_path: Path, pool: ProcessPool) -> Iterator[Toolkit]:
    with Registry.open(tmp_path / "skills.db", create=True) as registry:
        for name, source in SKILLS.items():
            registry.add_version(
                name,
                source=source,
                schema={"parameters": {"type": "object"}},
                summary=name,
                provenance=Provenance(synthesizer="human:test"),
            )
        yield Toolkit(registry, shop, states=("draft",), executor=pool)


def _counts(toolkit: Toolkit, name: str) -> tuple[int, int, int]:
    found = toolkit.registry.reliability(name)
    return found.successes, found.failures, found.refusals


def _attribution(toolkit: Toolkit, name: str) -> dict[str, Any]:
    (kept,) = toolkit.registry.trajectories(source=f"outcome:{name}@1")
    attribution: dict[str, Any] = kept.trajectory["metadata"]["attribution"]
    return attribution


@pytest.mark.parametrize(
    ("name", "order_id", "status", "error_type", "counts", "kind"),
    [
        ("guard_before_write", "Z9", "error", "SkillPrecondition", (1, 0, 1), "refused"),
        ("guard_after_write", "A1", "error", "SkillPrecondition", (0, 1, 1), "refused_after_write"),
        (
            "guard_after_failed_write",
            "A1",
            "error",
            "SkillPrecondition",
            (0, 1, 1),
            "refused_after_write",
        ),
        ("guard_after_refused_write", "A1", "error", "SkillPrecondition", (1, 0, 1), "refused"),
        ("bug_as_guard", "A1", "error", "SkillPrecondition", (1, 0, 1), "refused"),
        ("fake_tool_error", "A1", "error", "ToolError", (0, 1, 0), "skill_failure"),
        ("reraised_refusal", "A1", "error", "ToolError", (0, 1, 0), "skill_failure"),
        ("real_tool_failure", "A1", "error", "ToolError", (0, 1, 0), "tool_failure"),
        ("guard_before_write", "A1", "ok", None, (1, 0, 0), "returned"),
    ],
)
def test_how_a_call_counts_is_decided_by_the_bridge_s_record(
    toolkit: Toolkit,
    name: str,
    order_id: str,
    status: str,
    error_type: str | None,
    counts: tuple[int, int, int],
    kind: str,
) -> None:
    outcome = toolkit.execute(name, {"order_id": order_id})
    assert outcome.status == status, outcome
    assert (outcome.error or {}).get("type") == error_type
    assert _counts(toolkit, name) == counts
    assert _attribution(toolkit, name)["kind"] == kind


def test_a_write_before_a_refusal_is_named_in_the_record(toolkit: Toolkit) -> None:
    toolkit.execute("guard_after_write", {"order_id": "A1"})
    assert _attribution(toolkit, "guard_after_write")["writes_before"] == ["cancel_order"]


def test_a_skill_that_refuses_every_call_shows_its_refusals_everywhere(
    toolkit: Toolkit, tmp_path: Path
) -> None:
    for _ in range(4):
        toolkit.execute("bug_as_guard", {"order_id": "A1"})
    assert _counts(toolkit, "bug_as_guard") == (4, 0, 4)
    (stats,) = [row for row in toolkit.stats() if row["name"] == "bug_as_guard"]
    assert (stats["successes"], stats["refusals"]) == (4, 4)

    from skills_runtime.cli.app import app

    db = ["--db", str(tmp_path / "skills.db")]
    listed = CliRunner().invoke(app, ["list", *db])
    assert "4/4 (≥0.55) 4 refused" in listed.output
    shown = CliRunner().invoke(app, ["show", "bug_as_guard", *db])
    assert "4 refused" in shown.output
    page = tmp_path / "report.html"
    CliRunner().invoke(app, ["report", "--html", str(page), *db])
    html = page.read_text(encoding="utf-8")
    assert "4/4 (≥0.55) 4 refused" in html
    assert "4 stopped by the skill's own guard" in html


@pytest.mark.parametrize(
    ("effects", "success"),
    [({"touch": False}, True), ({"touch": True}, False), ({"touch": None}, False), ({}, False)],
)
def test_a_tool_of_unknown_effect_before_a_refusal_counts_as_a_possible_write(
    effects: dict[str, bool | None], success: bool
) -> None:
    outcome = ToolOutcome(
        name="s",
        status="error",
        error={"type": "SkillPrecondition", "message": "no"},
        tool_calls=({"name": "touch", "arguments": {}, "error": None, "refused": False},),
    )
    assert attribute(outcome, effects).success is success
