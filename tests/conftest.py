"""Shared test configuration: hypothesis profiles (``dev`` locally, ``ci`` in CI), and a real
PostgreSQL server for the tests that run the registry on it."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.postgres_server import PostgresServer, ServerUnavailable, start_server

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def postgres_required() -> bool:
    """Whether a missing PostgreSQL server fails the PostgreSQL tests instead of skipping them:
    in CI (``.ci/run`` installs the server) or with ``SKILLBANK_REQUIRE_POSTGRES=1``."""
    return os.environ.get("SKILLBANK_REQUIRE_POSTGRES") == "1" or bool(os.environ.get("CI"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server of this test process (each xdist worker starts its own)."""
    try:
        server = start_server()
    except ServerUnavailable as error:
        if postgres_required():
            pytest.fail(f"PostgreSQL is required here but unavailable: {error}", pytrace=False)
        pytest.skip(f"no PostgreSQL server for the PostgreSQL tests: {error}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_urls(postgres_server: PostgresServer) -> Callable[[], str]:
    """Make URLs of new, empty registries: a fresh tenant of the worker's database each time."""
    postgres_server.create_database("registries")
    counter = itertools.count()

    def fresh() -> str:
        return postgres_server.url("registries", tenant=f"t{os.getpid()}_{next(counter)}")

    return fresh


@pytest.fixture
def postgres_url(postgres_urls: Callable[[], str]) -> str:
    """The URL of a new, empty PostgreSQL registry (its own tenant)."""
    return postgres_urls()
