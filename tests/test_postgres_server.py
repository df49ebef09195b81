"""The test suite's PostgreSQL server: found, run as an unprivileged user, required in CI."""

from __future__ import annotations

import pytest

import tests.postgres_server as server_module
from tests.conftest import postgres_required


def test_without_server_binaries_the_error_names_the_package_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server_module, "find_binaries", lambda: None)
    with pytest.raises(server_module.ServerUnavailable, match="apt-get install postgresql"):
        server_module.start_server()


@pytest.mark.parametrize(
    ("environment", "required"),
    [
        ({}, False),
        ({"CI": "true"}, True),
        ({"SKILLBANK_REQUIRE_POSTGRES": "1"}, True),
        ({"SKILLBANK_REQUIRE_POSTGRES": "0"}, False),
    ],
)
def test_ci_turns_a_missing_server_into_a_failure_instead_of_a_skip(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], required: bool
) -> None:
    for name in ("CI", "SKILLBANK_REQUIRE_POSTGRES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert postgres_required() is required


def test_the_server_answers_on_its_own_socket_and_only_there(
    postgres_server: server_module.PostgresServer,
) -> None:
    import psycopg

    with psycopg.connect(postgres_server.url(), autocommit=True) as connection:
        listen = connection.execute("SHOW listen_addresses").fetchone()
        sockets = connection.execute("SHOW unix_socket_directories").fetchone()
    assert listen == ("",)
    assert sockets == (str(postgres_server.directory),)
