"""What only a PostgreSQL registry has: tenants sharing one database, URLs, a server to reach,
schemas made once however many processes open a new registry at the same moment."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from skill_registry import (
    IncompatibleRegistry,
    InvalidRecord,
    NotARegistry,
    Registry,
    RegistryError,
    RegistryNotFound,
    RegistryUnavailable,
)
from skill_registry.migrations import LATEST_VERSION, MIGRATIONS
from tests.postgres_server import PostgresServer
from tests.registry.helpers import add, pass_gates

ROOT = Path(__file__).resolve().parents[2]


def _schemas(url: str) -> set[str]:
    with Registry.open(url, create=True) as registry:
        rows = registry._db.read(lambda c: c.execute("SELECT nspname FROM pg_namespace").fetchall())
    return {row[0] for row in rows}


def _promoted(registry: Registry, name: str, task: str) -> None:
    record = add(registry, name, summary=f"{name} for a customer",
                 trajectories=[{"id": f"{name}-1", "task": task}])  # fmt: skip
    pass_gates(registry, record)
    registry.promote(name, actor="a", reason="r")


def test_tenants_sharing_a_database_never_see_each_others_skills(
    postgres_server: PostgresServer,
) -> None:
    database = postgres_server.create_database("shared_by_teams")
    support = postgres_server.url("shared_by_teams", tenant="support")
    with (
        Registry.open(support, create=True) as ours,
        Registry.open(database, tenant="billing", create=True) as theirs,
    ):
        _promoted(ours, "cancel_order", "Cancel my order, it has not shipped")
        _promoted(theirs, "refund_invoice", "Refund the invoice I paid twice")
        ours.record_outcome("cancel_order", version=1, success=True, duration_seconds=0.1)

        assert [s.name for s in ours.list_skills()] == ["cancel_order"]
        assert [s.name for s in theirs.list_skills()] == ["refund_invoice"]
        assert ours.search("refund the invoice I paid twice") == []
        assert [h.name for h in theirs.search("refund the invoice")] == ["refund_invoice"]
        assert {e.name for e in ours.audit_log()} == {"cancel_order"}
        assert [t.id for t in ours.trajectories()] == ["cancel_order-1"]
        assert theirs.reliability("refund_invoice").uses == 0
        with pytest.raises(RegistryError, match="no skill named 'cancel_order'"):
            theirs.get("cancel_order")
    # The same tenant, opened again, is the same registry; a new one is empty.
    with Registry.open(database, tenant="support") as again:
        assert again.reliability("cancel_order").successes == 1
    with Registry.open(database, tenant="growth", create=True) as empty:
        assert empty.list_skills() == []
    assert {"skillbank_support", "skillbank_billing", "skillbank_growth"} <= _schemas(database)


def test_without_a_tenant_the_registry_is_the_skillbank_schema(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.create_database("default_tenant")
    with Registry.open(url, create=True) as registry:
        add(registry)
        assert registry.location == url
        applied = registry._db.read(
            lambda c: [r[0] for r in c.execute("SELECT version FROM schema_migrations ORDER BY 1")]
        )
    assert applied == [m.version for m in MIGRATIONS]
    assert "skillbank" in _schemas(url)


def test_opening_a_missing_registry_for_reading_names_it_and_creates_nothing(
    postgres_urls: Callable[[], str],
) -> None:
    url = postgres_urls()
    tenant = url.rsplit("tenant=", 1)[1]
    with pytest.raises(RegistryNotFound, match=f"skillbank_{tenant}") as raised:
        Registry.open(url)
    assert "create=True" in str(raised.value)
    assert f"skillbank_{tenant}" not in _schemas(url.rsplit("&tenant=", 1)[0])


def test_the_tenant_is_named_in_the_url_or_as_an_option_but_not_both_differently(
    postgres_url: str,
) -> None:
    base, tenant = postgres_url.rsplit("&tenant=", 1)
    with Registry.open(base, tenant=tenant, create=True) as registry:
        add(registry)
    with Registry.open(postgres_url) as registry:
        assert registry.get("get_order").version == 1
        assert registry.location.endswith(f"tenant={tenant}")
    with pytest.raises(InvalidRecord, match="names tenant"):
        Registry.open(postgres_url, tenant="someone_else")


@pytest.mark.parametrize("tenant", ["Team A", "a;drop", "", "x" * 41, "-lead", "é"])
def test_a_tenant_name_that_is_not_a_plain_identifier_is_refused(
    postgres_server: PostgresServer, tenant: str
) -> None:
    with pytest.raises(InvalidRecord, match="lowercase letters, digits"):
        Registry.open(postgres_server.url(), tenant=tenant, create=True)


def test_a_tenant_is_refused_for_a_sqlite_registry(tmp_path: Path) -> None:
    with pytest.raises(InvalidRecord, match="one file per team"):
        Registry.open(tmp_path / "r.db", tenant="support", create=True)
    assert not (tmp_path / "r.db").exists()


def test_a_server_that_does_not_answer_is_reported_as_unavailable(tmp_path: Path) -> None:
    url = f"postgresql://skillbank@/registry?host={tmp_path}&port=5999&password=secret"
    with pytest.raises(RegistryUnavailable, match="cannot connect") as raised:
        Registry.open(url, create=True)
    assert "secret" not in str(raised.value)
    assert "createdb" in str(raised.value)


def test_a_schema_of_other_tables_is_refused_and_left_untouched(postgres_url: str) -> None:
    base, tenant = postgres_url.rsplit("&tenant=", 1)
    with psycopg.connect(base, autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "skillbank_{tenant}"')
        c.execute(f'CREATE TABLE "skillbank_{tenant}".customers (id int)')
    with pytest.raises(NotARegistry, match=r"\['customers'\]"):
        Registry.open(postgres_url, create=True)
    with psycopg.connect(base, autocommit=True) as c:
        tables = c.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (f"skillbank_{tenant}",),
        ).fetchall()
    assert tables == [("customers",)]


def test_a_registry_from_a_newer_skillbank_is_refused(postgres_url: str) -> None:
    with Registry.open(postgres_url, create=True) as registry:
        registry._db.write(
            lambda c: c.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'x', 0)",
                (LATEST_VERSION + 1,),
            )
        )
    with pytest.raises(IncompatibleRegistry, match="upgrade skillbank"):
        Registry.open(postgres_url)


def test_a_closed_registry_says_so(postgres_url: str) -> None:
    registry = Registry.open(postgres_url, create=True)
    registry.close()
    with pytest.raises(RegistryError, match=r"closed.*Registry\.open"):
        registry.list_skills()


_OPEN = """
import sys
from skill_registry import Registry
with Registry.open(sys.argv[1], create=True) as registry:
    print(registry.schema_version())
"""


def test_processes_creating_one_registry_at_once_make_it_once(postgres_url: str) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _OPEN, postgres_url],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [p.returncode for p in processes] == [0] * 6, [err for _, err in outputs]
    assert {out.strip() for out, _ in outputs} == {str(MIGRATIONS[-1].version)}
    with Registry.open(postgres_url) as registry:
        count = registry._db.read(
            lambda c: c.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
        )
    assert count == len(MIGRATIONS)
