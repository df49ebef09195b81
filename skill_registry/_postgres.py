"""The PostgreSQL backend: a registry in a schema of a shared database, used by many machines.

A tenant's registry is one schema (``skillbank`` or ``skillbank_<tenant>``) holding the same
tables as a SQLite file; every connection's ``search_path`` names only that schema, so a tenant's
queries cannot reach another tenant's tables. Connections come from a small pool (threads of one
process share it) and run in autocommit mode; each registry operation is one explicit
transaction:

- writes run at READ COMMITTED and serialise per skill through the row lock each operation takes
  on the skill's row before reading anything it changes (``Connection.lock``); a deadlock or a
  serialization failure aborts the transaction, which is then retried as a whole with jittered
  backoff for up to ``busy_seconds`` (then ``RegistryBusy``), like SQLite's busy retries;
- reads run at REPEATABLE READ, READ ONLY: one consistent snapshot per operation;
- opening takes a transaction-scoped advisory lock on the schema's name while it creates and
  migrates the schema, so processes opening a new registry at once do it once.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ._connection import Connection, SearchIndex
from .errors import (
    InvalidRecord,
    NotARegistry,
    RegistryBusy,
    RegistryError,
    RegistryNotFound,
    RegistryUnavailable,
)
from .migrations import migrate, schema_version

try:
    import psycopg
    from psycopg import errors as pg_errors
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo
    from psycopg.pq import TransactionStatus
    from psycopg_pool import ConnectionPool, PoolTimeout
except ImportError as missing:  # pragma: no cover - exercised only without the extra
    raise RegistryUnavailable(
        f"a PostgreSQL registry needs psycopg 3 and psycopg-pool ({missing.name} is missing); "
        "install them with `pip install 'skillbank[postgres]'`"
    ) from missing

__all__ = ["PostgresConnection", "PostgresDatabase", "schema_of"]

T = TypeVar("T")

_TENANT = re.compile(r"[a-z0-9][a-z0-9_]{0,39}")
_RETRIED = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)
IDLE = TransactionStatus.IDLE


def schema_of(tenant: str | None) -> str:
    """The schema that holds ``tenant``'s registry.

    Raises:
        InvalidRecord: a tenant name that is not 1-40 lowercase letters, digits or ``_``.
    """
    if tenant is None:
        return "skillbank"
    if not isinstance(tenant, str) or not _TENANT.fullmatch(tenant):
        raise InvalidRecord(
            f"tenant {tenant!r} must be 1-40 lowercase letters, digits or '_' (starting with a "
            "letter or digit), e.g. 'support_team'"
        )
    return f"skillbank_{tenant}"


@lru_cache(maxsize=512)
def _placeholders(query: str) -> str:
    # The registry's queries use ``?``; psycopg uses ``%s`` (and needs a literal ``%`` doubled).
    return query.replace("%", "%%").replace("?", "%s")


class PostgresConnection:
    """A psycopg connection inside a transaction, seen through ``Connection``."""

    dialect: Literal["sqlite", "postgresql"] = "postgresql"

    def __init__(self, raw: psycopg.Connection[Any], *, writing: bool) -> None:
        from ._pg_index import TSVECTOR_INDEX  # the index module queries through this interface

        self.raw = raw
        self.lock = " FOR NO KEY UPDATE" if writing else ""
        self.search: SearchIndex = TSVECTOR_INDEX

    def execute(self, query: str, parameters: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        if not parameters:
            return self.raw.execute(query)
        return self.raw.execute(_placeholders(query), parameters)

    def executemany(self, query: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(_placeholders(query), rows)

    def in_ids(self, column: str, ids: Sequence[int]) -> tuple[str, Any]:
        return f"{column} = ANY(?::bigint[])", list(ids)

    def executemany_returning(self, query: str, rows: Sequence[Sequence[Any]]) -> list[Any]:
        if not rows:
            return []
        # psycopg runs executemany in pipeline mode: every statement is sent before the first
        # result is read, so a batch costs one round trip, not one per row.
        found: list[Any] = []
        with self.raw.cursor() as cursor:
            cursor.executemany(_placeholders(query), rows, returning=True)
            while True:
                found.append(cursor.fetchone())
                if not cursor.nextset():
                    return found


def _split_url(url: str, tenant: str | None) -> tuple[str, str | None, str]:
    """(libpq conninfo, tenant, location for messages) of a ``postgresql://`` URL."""
    # ``tenant`` is ours, not libpq's (which refuses parameters it does not know).
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    tenants = [value for key, value in query if key == "tenant"]
    rest = urlunsplit(parts._replace(query=urlencode([(k, v) for k, v in query if k != "tenant"])))
    try:
        parameters = conninfo_to_dict(rest)
    except psycopg.ProgrammingError as error:
        raise InvalidRecord(
            f"{rest.split('@')[-1]!r} is not a PostgreSQL URL libpq accepts "
            f"({str(error).strip()}); write postgresql://user@host:5432/database"
        ) from error
    in_url = tenants[-1] if tenants else None
    if in_url is not None and tenant is not None and str(in_url) != tenant:
        raise InvalidRecord(f"the URL names tenant {in_url!r} and the tenant option {tenant!r}")
    chosen = tenant if tenant is not None else (None if in_url is None else str(in_url))
    return make_conninfo("", **parameters), chosen, _location(parameters, chosen)


def _location(parameters: dict[str, Any], tenant: str | None) -> str:
    """The registry's URL for messages: user, host, port, database and tenant; no password."""
    user = f"{parameters['user']}@" if parameters.get("user") else ""
    host, port = str(parameters.get("host") or ""), parameters.get("port")
    query = []
    if host.startswith("/"):  # a Unix socket directory goes in the query, as libpq writes it
        query.append(f"host={host}")
        host = ""
    if port:
        if host:
            host += f":{port}"
        else:
            query.append(f"port={port}")
    if tenant is not None:
        query.append(f"tenant={tenant}")
    where = f"postgresql://{user}{host}/{parameters.get('dbname', '')}"
    return where + ("?" + "&".join(query) if query else "")


class PostgresDatabase:
    """A registry in one PostgreSQL schema, with pooled connections and retried transactions."""

    def __init__(
        self,
        url: str,
        *,
        tenant: str | None,
        busy_seconds: float,
        create: bool,
        pool_size: int = 4,
    ) -> None:
        conninfo, self.tenant, self._location = _split_url(url, tenant)
        self.schema = schema_of(self.tenant)
        self._busy_seconds = busy_seconds
        self._closed = threading.Event()
        lock_ms = int(max(busy_seconds, 0.001) * 1000)

        def configure(connection: psycopg.Connection[Any]) -> None:
            connection.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))
            # A lock held longer than a write may wait ends in LockNotAvailable, not a hang.
            connection.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(lock_ms)))

        try:
            first = psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as error:
            raise RegistryUnavailable(
                f"cannot connect to the PostgreSQL registry {self._location!r}: "
                f"{str(error).strip()}; check that the server runs, the database exists "
                "(createdb NAME) and the user may connect"
            ) from error
        try:
            configure(first)
            self._open(first, create=create)
        finally:
            first.close()
        self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=max(pool_size, 1),
            kwargs={"autocommit": True},
            configure=configure,
            check=ConnectionPool.check_connection,
            timeout=max(busy_seconds, 1.0),
            name=f"skillbank:{self.schema}",
            open=True,
        )

    @property
    def location(self) -> str:
        """The URL of the registry without its password, and its tenant."""
        return self._location

    def _open(self, connection: psycopg.Connection[Any], *, create: bool) -> None:
        session = PostgresConnection(connection, writing=True)
        connection.execute("BEGIN")
        try:
            connection.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", (f"skillbank:{self.schema}",)
            )
            exists = connection.execute(
                "SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.schema,)
            ).fetchone()
            if exists is None and not create:
                raise RegistryNotFound(
                    f"no registry at {self._location!r} (the database has no schema "
                    f"{self.schema!r}); pass the URL of an existing registry (and its tenant), "
                    "or open it with create=True to make a new one there"
                )
            if exists is None:
                connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(self.schema)))
            elif schema_version(session) == 0:
                tables = connection.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                    "ORDER BY table_name LIMIT 5",
                    (self.schema,),
                ).fetchall()
                if tables:
                    raise NotARegistry(
                        f"schema {self.schema!r} of {self._location!r} holds tables that are not "
                        f"a skillbank registry ({[t[0] for t in tables]}); it was left untouched; "
                        "use another tenant"
                    )
                if not create:
                    raise RegistryNotFound(
                        f"no registry at {self._location!r} (schema {self.schema!r} is empty); "
                        "open it with create=True to make a new one there"
                    )
            # Pending migrations run; a schema newer than this code raises IncompatibleRegistry.
            migrate(session, path=self._location)
            connection.execute("COMMIT")
        except psycopg.Error as error:
            if not connection.closed:
                connection.execute("ROLLBACK")
            raise self._translate(error) from error
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close every pooled connection (idempotent)."""
        if not self._closed.is_set():
            self._closed.set()
            self._pool.close()

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one READ COMMITTED transaction, retried as a whole on deadlocks and
        serialization failures."""
        return self._run(work, begin="BEGIN", writing=True)

    def generation(self) -> None:
        """None: PostgreSQL offers no cheap counter of commits, so callers always look."""

    def read(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one read-only REPEATABLE READ transaction (a consistent snapshot)."""
        return self._run(
            work, begin="BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", writing=False
        )

    def _run(self, work: Callable[[Connection], T], *, begin: str, writing: bool) -> T:
        if self._closed.is_set():
            raise RegistryError(
                f"registry {self._location!r} cannot be used: it was closed. Open it again with "
                "Registry.open(url) and keep it open while it is in use"
            )
        deadline = time.monotonic() + self._busy_seconds
        delay = 0.002
        while True:
            try:
                with self._pool.connection() as raw:
                    raw.execute(begin)
                    try:
                        result = work(PostgresConnection(raw, writing=writing))
                        raw.execute("COMMIT")
                    except BaseException:
                        if not raw.closed and raw.info.transaction_status != IDLE:
                            raw.execute("ROLLBACK")
                        raise
                return result
            except _RETRIED as error:
                if time.monotonic() >= deadline:
                    raise self._busy(error) from error
            except pg_errors.LockNotAvailable as error:
                raise self._busy(error) from error
            except PoolTimeout as error:
                raise RegistryUnavailable(
                    f"no connection to the PostgreSQL registry {self._location!r} within "
                    f"{max(self._busy_seconds, 1.0):.0f} s ({error}); check that the server runs "
                    "and accepts connections"
                ) from error
            except psycopg.Error as error:
                raise self._translate(error) from error
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.25)

    def _busy(self, error: psycopg.Error) -> RegistryBusy:
        return RegistryBusy(
            f"registry {self._location!r} stayed locked for {self._busy_seconds:.0f} s by other "
            f"writers ({str(error).strip()}); retry later or raise busy_seconds"
        )

    def _translate(self, error: psycopg.Error) -> RegistryError:
        text = str(error).strip()
        if isinstance(error, pg_errors.InsufficientPrivilege):
            return RegistryUnavailable(
                f"the PostgreSQL user may not use registry {self._location!r} ({text}); grant "
                f"it USAGE and CREATE on schema {self.schema!r} (or on the database, to create it)"
            )
        if isinstance(error, psycopg.OperationalError):
            return RegistryUnavailable(
                f"lost the PostgreSQL registry {self._location!r} ({text}); check the server and "
                "the network, then retry"
            )
        return RegistryError(f"registry {self._location!r}: {text}")
