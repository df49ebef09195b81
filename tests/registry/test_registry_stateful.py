"""A state machine over versions and the lifecycle: whatever sequence of operations runs, every
version is in a valid state, the audit log replays to the stored states, and the current version
is always a stored one."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from skill_registry import (
    GateNotPassed,
    InvalidTransition,
    Policy,
    Registry,
    State,
    VersionRecord,
)
from skill_registry.lifecycle import GATED_STATES, is_allowed
from tests.registry.helpers import add

NAMES = ("alpha", "beta")
BODIES = ("return 1", "return 2", "return 3", "return 4")
TOOLS = ("t1", "t2")
# Aggressive thresholds so automatic promotion and demotion happen within a few steps.
POLICY = Policy(
    promote_after_successes=3,
    promote_min_lower_bound=0.3,
    demote_after_uses=4,
    demote_below_lower_bound=0.4,
)


class RegistryMachine(RuleBasedStateMachine):
    # Where each run's registry goes: a new SQLite file, unless a subclass names a server.
    new_location: Callable[[], str] | None = None

    def __init__(self) -> None:
        super().__init__()
        self.directory = tempfile.mkdtemp(prefix="registry-machine-")
        location = str(Path(self.directory) / "r.db")
        if self.new_location is not None:
            location = self.new_location()
        self.registry = Registry.open(location, policy=POLICY, create=True)
        self.known: set[tuple[str, int]] = set()
        self.hashes: dict[tuple[str, str], int] = {}
        self.sent_back: set[tuple[str, int]] = set()

    def teardown(self) -> None:
        self.registry.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _record(self, target: tuple[str, int]) -> VersionRecord:
        return self.registry.get(target[0], version=target[1])

    def _gate_open(self, record: VersionRecord) -> bool:
        latest: dict[str, bool] = {}
        for report in self.registry.reports(record.content_hash):
            latest[report.kind] = report.passed
        return latest.get("check", False) and latest.get("verify", False)

    @rule(name=st.sampled_from(NAMES), body=st.sampled_from(BODIES))
    def add_version(self, name: str, body: str) -> None:
        tools = (TOOLS[BODIES.index(body) % 2],)
        record = add(self.registry, name, body=body, tools=tools)
        key = (name, record.content_hash)
        if key in self.hashes:
            assert record.version == self.hashes[key]
        else:
            expected = 1 + max((v for n, v in self.known if n == name), default=0)
            assert (record.version, record.state) == (expected, State.DRAFT)
            self.hashes[key] = record.version
        self.known.add((name, record.version))

    @precondition(lambda self: self.known)
    @rule(data=st.data(), check=st.booleans(), verify=st.booleans())
    def record_reports(self, data: st.DataObject, check: bool, verify: bool) -> None:
        record = self._record(data.draw(st.sampled_from(sorted(self.known))))
        self.registry.record_report(record.content_hash, kind="check", passed=check, report={})
        self.registry.record_report(record.content_hash, kind="verify", passed=verify, report={})

    @precondition(lambda self: self.known)
    @rule(data=st.data(), to=st.sampled_from(State))
    def transition(self, data: st.DataObject, to: State) -> None:
        target = data.draw(st.sampled_from(sorted(self.known)))
        before = self._record(target)
        gate_open = self._gate_open(before)
        try:
            after = self.registry.transition(
                target[0], version=target[1], to=to, actor="machine", reason="step"
            )
        except InvalidTransition:
            assert not is_allowed(before.state, to)
            return
        except GateNotPassed:
            assert to in GATED_STATES
            assert not gate_open or target in self.sent_back
            return
        assert is_allowed(before.state, to)
        assert after.state is to
        if to in GATED_STATES and target not in self.sent_back:
            assert gate_open
        if to is State.CANDIDATE and before.state is not State.DRAFT:
            self.sent_back.add(target)

    @precondition(lambda self: self.known)
    @rule(name=st.sampled_from(NAMES))
    def promote_latest(self, name: str) -> None:
        if not any(n == name for n, _ in self.known):
            return
        try:
            record = self.registry.promote(name, actor="machine", reason="promote")
        except (InvalidTransition, GateNotPassed):
            return
        assert record.state is State.PROMOTED
        assert record.is_current

    @precondition(lambda self: self.known)
    @rule(data=st.data())
    def rollback(self, data: st.DataObject) -> None:
        name, version = data.draw(st.sampled_from(sorted(self.known)))
        try:
            record = self.registry.rollback(name, to_version=version, actor="m", reason="back")
        except (InvalidTransition, GateNotPassed):
            return
        assert record.is_current
        assert record.state is State.PROMOTED

    @precondition(lambda self: self.known)
    @rule(data=st.data(), success=st.booleans())
    def record_outcome(self, data: st.DataObject, success: bool) -> None:
        name, version = data.draw(st.sampled_from(sorted(self.known)))
        before = self.registry.reliability(name, version=version)
        self.registry.record_outcome(name, version=version, success=success, duration_seconds=0.1)
        after = self.registry.reliability(name, version=version)
        assert after.uses == before.uses + 1
        if self._record((name, version)).state is State.CANDIDATE:
            self.sent_back.add((name, version))

    @rule(tool=st.sampled_from(TOOLS), variant=st.integers(0, 2))
    def tool_schema_changed(self, tool: str, variant: int) -> None:
        for record in self.registry.tool_schema_changed(tool, {"variant": variant}):
            assert record.state is State.CANDIDATE
            assert tool in record.tools
            self.sent_back.add((record.name, record.version))

    @invariant()
    def audit_log_replays_to_the_stored_states(self) -> None:
        states: dict[tuple[str, int], State] = {}
        for entry in self.registry.audit_log():
            key = (entry.name, entry.version)
            if entry.action == "create":
                assert key not in states
                assert entry.from_state is None
            else:
                assert states[key] is entry.from_state
                assert is_allowed(entry.from_state, entry.to_state)
            states[key] = entry.to_state
        stored = {
            (v.name, v.version): v.state
            for name in {n for n, _ in self.known}
            for v in self.registry.versions(name)
        }
        assert states == stored
        assert set(stored) == self.known

    @invariant()
    def current_version_is_stored_and_promotion_is_unique(self) -> None:
        for name in {n for n, _ in self.known}:
            versions = self.registry.versions(name)
            current = [v for v in versions if v.is_current]
            assert len(current) == 1
            assert self.registry.get(name) == current[0]
            promoted = [v for v in versions if v.state is State.PROMOTED]
            assert len(promoted) <= 1
            assert all(v.is_current for v in promoted)
            for version in versions:
                assert isinstance(version.state, State)
                if version.state in GATED_STATES:
                    assert len(version.gated_by) == 2


RegistryMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)


@pytest.mark.slow
class TestRegistryLifecycle(RegistryMachine.TestCase):  # type: ignore[name-defined,misc]
    """Runs the state machine."""


@pytest.mark.slow
def test_the_lifecycle_machine_holds_on_postgresql(postgres_urls: Callable[[], str]) -> None:
    class OnPostgres(RegistryMachine):
        new_location = staticmethod(postgres_urls)

    run_state_machine_as_test(
        OnPostgres, settings=settings(max_examples=15, stateful_step_count=30, deadline=None)
    )
