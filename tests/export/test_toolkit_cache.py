"""The Toolkit keeps loaded skills between calls, and never serves one that is no longer current.

Whoever changes the registry — the toolkit's own connection, another connection in this process,
another process — the next call runs the skill's current version in its current state.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from export import hosttools, skills
from skill_registry import Registry, State, UnknownSkillError
from skills_runtime.toolkit import Toolkit
from skills_runtime.tools import Toolset

V2_STATUS = skills.STATUS.replace('return order["status"]', 'return "v2: " + order["status"]')


def _status(toolkit: Toolkit) -> object:
    outcome = toolkit.execute("order_status", {"order_id": "#W1"})
    return outcome.value if outcome.status == "ok" else outcome.status


def test_a_version_promoted_through_another_connection_is_served_on_the_next_call(
    toolkit: Toolkit, db_path: Path
) -> None:
    assert _status(toolkit) == "pending"
    with Registry.open(db_path) as other:
        skills.store(other, V2_STATUS)
    assert _status(toolkit) == "v2: pending"


def test_a_version_promoted_through_the_toolkits_own_registry_is_served_on_the_next_call(
    toolkit: Toolkit,
) -> None:
    assert _status(toolkit) == "pending"
    skills.store(toolkit.registry, V2_STATUS)
    assert _status(toolkit) == "v2: pending"


def test_a_skill_deprecated_by_another_process_is_not_served_on_the_next_call(
    toolkit: Toolkit, db_path: Path
) -> None:
    assert _status(toolkit) == "pending"
    script = (
        "import sys\n"
        "from skill_registry import Registry\n"
        "with Registry.open(sys.argv[1]) as registry:\n"
        "    registry.deprecate('order_status', actor='tests', reason='replaced')\n"
    )
    subprocess.run([sys.executable, "-c", script, str(db_path)], check=True)
    assert _status(toolkit) == "unknown_skill"


def test_a_rollback_in_another_connection_serves_the_earlier_version_again(
    toolkit: Toolkit, db_path: Path
) -> None:
    with Registry.open(db_path) as other:
        skills.store(other, V2_STATUS)
    assert _status(toolkit) == "v2: pending"
    with Registry.open(db_path) as other:
        other.rollback("order_status", to_version=1, actor="tests", reason="v2 was wrong")
    assert _status(toolkit) == "pending"


def test_recorded_calls_leave_the_served_version_as_it_is(toolkit: Toolkit) -> None:
    # Recording commits outcomes (the generation moves) without changing the current version.
    assert [_status(toolkit) for _ in range(3)] == ["pending"] * 3
    assert toolkit.registry.get("order_status").version == 1


def test_generation_changes_when_another_connection_commits_and_not_when_anyone_reads(
    registry: Registry, db_path: Path
) -> None:
    before = registry.generation()
    registry.get("order_status")
    with Registry.open(db_path) as other:
        other.list_skills()
        assert registry.generation() == before
        other.deprecate("order_status", actor="tests", reason="replaced")
    assert registry.generation() != before


def test_generation_changes_when_this_connection_commits(registry: Registry) -> None:
    before = registry.generation()
    registry.deprecate("order_status", actor="tests", reason="replaced")
    assert registry.generation() != before


def test_head_is_the_current_version_and_its_state(registry: Registry) -> None:
    assert registry.head("order_status") == (1, State.PROMOTED)
    skills.store(registry, V2_STATUS, promote=False)
    assert registry.head("order_status") == (1, State.PROMOTED)
    registry.promote("order_status", version=2, actor="tests", reason="tested")
    assert registry.head("order_status") == (2, State.PROMOTED)
    registry.deprecate("order_status", actor="tests", reason="replaced")
    assert registry.head("order_status") == (2, State.DEPRECATED)


def test_head_of_an_unknown_skill_names_close_matches(registry: Registry) -> None:
    with pytest.raises(UnknownSkillError, match="order_status"):
        registry.head("order_statu")


def test_toolset_schemas_include_a_tool_added_after_they_were_read() -> None:
    toolset = Toolset("shop", [hosttools.get_order_details])
    assert [schema.name for schema in toolset.schemas()] == ["get_order_details"]

    def ping() -> str:
        """Answer pong."""
        return "pong"

    toolset.add(ping)
    assert [schema.name for schema in toolset.schemas()] == ["get_order_details", "ping"]
