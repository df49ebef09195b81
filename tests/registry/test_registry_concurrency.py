"""Many processes on one registry; processes killed mid-write; nothing lost, nothing torn.

On SQLite the processes share one file; on PostgreSQL one tenant of one server.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from skill_registry import Registry
from tests.registry.helpers import add

WRITER = Path(__file__).with_name("_writer.py")


def spawn(*args: str, stdout: int | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WRITER), *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> None:
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 0, errors


@pytest.mark.slow
def test_eight_writers_and_a_learner_lose_no_update(registry_location: str) -> None:
    path = registry_location
    with Registry.open(path, create=True) as registry:
        add(registry, "shared")
    writers, per_writer, new_versions = 8, 250, 25
    processes = [spawn("outcomes", str(path), "shared", str(per_writer)) for _ in range(writers)]
    processes.append(spawn("learner", str(path), "learned", str(new_versions)))
    for process in processes:
        finish(process)
    with Registry.open(path) as registry:
        result = registry.reliability("shared", version=1)
        total = writers * per_writer
        failures = writers * len(range(0, per_writer, 4))
        assert (result.successes, result.failures) == (total - failures, failures)
        assert [v.version for v in registry.versions("learned")] == list(range(1, new_versions + 1))
        assert len(registry.audit_log("learned")) == new_versions
        assert _count(registry, "SELECT count(*) FROM outcomes") == total


def _count(registry: Registry, query: str) -> Any:
    return registry._db.read(lambda c: c.execute(query).fetchone()[0])


def _check_consistent(location: str, acked_outcomes: set[int], acked_versions: set[int]) -> None:
    if not location.startswith("postgresql://"):
        raw = sqlite3.connect(location)
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        raw.close()
    with Registry.open(location) as registry:
        registry._db.read(lambda c: _check_rows(c, acked_outcomes, acked_versions))


def _check_rows(connection: Any, acked_outcomes: set[int], acked_versions: set[int]) -> None:
    stored = {row[0] for row in connection.execute("SELECT id FROM outcomes")}
    assert acked_outcomes <= stored
    versions = {
        row[0] for row in connection.execute("SELECT version FROM versions WHERE skill='k'")
    }
    assert acked_versions <= versions
    # Each outcome and its counter update committed together or not at all.
    for version_id, counted, logged in connection.execute(
        "SELECT v.id, v.successes + v.failures, (SELECT count(*) FROM outcomes o "
        "WHERE o.version_id = v.id) FROM versions v"
    ):
        assert counted == logged, version_id
    # Every version has its search row and its audit line.
    assert (
        connection.execute("SELECT count(*) FROM versions").fetchone()[0]
        == (
            connection.execute("SELECT count(*) FROM search_docs WHERE kind = 'skill'").fetchone()[
                0
            ]
        )
    )
    assert (
        connection.execute(
            "SELECT count(*) FROM versions v WHERE NOT EXISTS (SELECT 1 FROM audit_log a "
            "WHERE a.skill = v.skill AND a.version = v.version AND a.action = 'create')"
        ).fetchone()[0]
        == 0
    )


@pytest.mark.slow
@pytest.mark.parametrize("acks_before_kill", [7, 40, 90, 150, 230])
def test_sigkill_during_writes_keeps_every_acknowledged_commit(
    registry_location: str, acks_before_kill: int
) -> None:
    path = registry_location
    with Registry.open(path, create=True) as registry:
        add(registry, "k")
    acked_outcomes: set[int] = set()
    acked_versions: set[int] = set()
    process = spawn("forever", str(path), "k", stdout=subprocess.PIPE)
    assert process.stdout is not None
    for _ in range(acks_before_kill):
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else ""
        kind, value = line.split()
        (acked_outcomes if kind == "o" else acked_versions).add(int(value))
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    _check_consistent(path, acked_outcomes, acked_versions)
    with Registry.open(path) as registry:
        registry.record_outcome("k", version=1, success=True, duration_seconds=0.0)
