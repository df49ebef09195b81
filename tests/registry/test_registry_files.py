"""Opening files: new, empty, migrated, and every kind of wrong file (refused, left untouched)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from skill_registry import (
    CorruptRegistry,
    IncompatibleRegistry,
    NotARegistry,
    Registry,
    RegistryError,
    RegistryNotFound,
    RegistryUnavailable,
    State,
)
from skill_registry._connection import SqliteConnection
from skill_registry._queries import sha256
from skill_registry.migrations import APPLICATION_ID, LATEST_VERSION, MIGRATIONS, migrate
from tests.registry.helpers import add, pass_gates


def test_a_new_path_becomes_a_registry_at_the_latest_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with Registry.open(path, create=True) as registry:
        assert registry.schema_version() == LATEST_VERSION
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    applied = [row[0] for row in connection.execute("SELECT version FROM schema_migrations")]
    assert applied == [m.version for m in MIGRATIONS]
    connection.close()


def test_opening_a_missing_path_for_reading_says_where_it_looked_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RegistryNotFound, match="create=True") as raised:
        Registry.open("skillbank.db")
    assert repr(str(tmp_path / "skillbank.db")) in str(raised.value)
    assert "does not exist" in str(raised.value)
    assert isinstance(raised.value, RegistryUnavailable)
    assert not (tmp_path / "skillbank.db").exists()


def test_an_empty_file_is_no_registry_to_read(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with pytest.raises(RegistryNotFound, match="the file is empty"):
        Registry.open(path)
    assert path.read_bytes() == b""


def test_an_empty_file_is_initialised(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with Registry.open(path, create=True) as registry:
        add(registry)
        assert registry.schema_version() == LATEST_VERSION


def test_reopening_keeps_everything_and_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with Registry.open(path, create=True) as registry:
        add(registry)
    with Registry.open(path) as registry:
        assert registry.get("get_order").version == 1
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == (
        LATEST_VERSION
    )
    connection.close()


def test_a_schema_version_one_file_is_migrated_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    migrate(SqliteConnection(connection), path=str(path), target=1)
    connection.execute(
        "INSERT INTO skills (name, current_version, created_at) VALUES ('get_order', 1, 0)"
    )
    connection.execute(
        "INSERT INTO versions (skill, version, content_hash, source, schema_json, summary, "
        "docstring, tools_json, state, synthesizer, synthesizer_version, created_at) VALUES "
        "('get_order', 1, ?, 'def get_order(tools): ...', '{}', 'Look up an order', '', "
        "'[\"get_order_details\"]', 'promoted', 'human:x', '', 0)",
        (sha256("def get_order(tools): ..."),),
    )
    connection.execute("COMMIT")
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
    connection.close()

    with Registry.open(path) as registry:
        assert registry.schema_version() == LATEST_VERSION
        assert registry.get("get_order").state is State.PROMOTED
        registry.tool_schema_changed("get_order_details", {"v": 1})
        # Migration 2 backfilled which tools each version calls.
        demoted = registry.tool_schema_changed("get_order_details", {"v": 2})
        assert [d.name for d in demoted] == ["get_order"]


def test_a_file_from_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with Registry.open(path, create=True):
        pass
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    connection.close()
    with pytest.raises(IncompatibleRegistry, match="upgrade skillbank"):
        Registry.open(path)


def _assert_refused_untouched(path: Path, error: type[RegistryError], message: str) -> None:
    before = path.read_bytes()
    with pytest.raises(error, match=message) as caught:
        Registry.open(path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def test_a_text_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database\n")
    _assert_refused_untouched(path, NotARegistry, "not a SQLite database")


def test_a_foreign_sqlite_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    connection.execute("INSERT INTO customers (name) VALUES ('Ada')")
    connection.commit()
    connection.close()
    _assert_refused_untouched(
        path, NotARegistry, r"not a skillbank registry \(tables: \['customers'\]"
    )


def test_a_database_of_another_application_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA application_id = 1234")
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    _assert_refused_untouched(path, NotARegistry, "another application")


def test_a_corrupt_registry_gets_a_clear_error_and_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with Registry.open(path, create=True) as registry:
        record = add(registry)
        pass_gates(registry, record)
    data = bytearray(path.read_bytes())
    # Keep the 100-byte header (so it still says "ours") and wreck the schema page after it.
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))
    _assert_refused_untouched(path, CorruptRegistry, "restore it from a backup")


def test_a_truncated_sqlite_header_is_reported_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "short.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\x10\x00")
    _assert_refused_untouched(path, CorruptRegistry, "truncated")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotARegistry, match="is a directory"):
        Registry.open(tmp_path, create=True)


def test_a_path_in_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RegistryUnavailable, match="does not exist"):
        Registry.open(tmp_path / "missing" / "r.db", create=True)
    assert not (tmp_path / "missing").exists()


def test_a_path_under_a_regular_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RegistryUnavailable, match="does not exist"):
        Registry.open(blocker / "r.db", create=True)
    assert blocker.read_text() == "x"


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs a read-only /sys")
def test_an_unwritable_location_is_refused_with_a_clear_error() -> None:
    with pytest.raises(RegistryUnavailable, match=r"/sys/skillbank-test\.db.*permissions"):
        Registry.open("/sys/skillbank-test.db", create=True)


def test_a_closed_registry_is_not_reported_as_damaged(tmp_path: Path) -> None:
    registry = Registry.open(tmp_path / "closed.db", create=True)
    registry.close()
    with pytest.raises(RegistryError, match=r"Registry\.open") as raised:
        registry.list_skills()
    assert not isinstance(raised.value, CorruptRegistry)
    assert "closed" in str(raised.value)
