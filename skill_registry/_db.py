"""The SQLite backend: opening a registry file safely, and running transactions that survive
concurrent writers.

Before SQLite writes a single byte, the file is inspected: a directory, a text file, a corrupt
file or someone else's SQLite database is refused (and left as it was). Writes run in
``BEGIN IMMEDIATE`` transactions, which take the write lock up front so two writers never
deadlock on a lock upgrade; ``busy_timeout`` waits for the lock and a bounded retry with jittered
backoff covers the cases where SQLite returns ``SQLITE_BUSY`` without waiting.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ._connection import Connection, SqliteConnection
from .errors import (
    CorruptRegistry,
    NotARegistry,
    RegistryBusy,
    RegistryError,
    RegistryNotFound,
    RegistryUnavailable,
)
from .migrations import APPLICATION_ID, migrate

__all__ = ["Database"]

T = TypeVar("T")

_MAGIC = b"SQLite format 3\x00"
_HINT = "pass the path of a skillbank registry, or a new path to create one"


def _is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _missing(path: Path, what: str) -> RegistryNotFound:
    return RegistryNotFound(
        f"no registry at {str(path.absolute())!r} ({what}); pass the path of an existing "
        "registry, or open it with create=True to make a new one there"
    )


def _inspect(path: Path, *, create: bool) -> None:
    """Refuse anything at ``path`` that is not (or cannot become) a skillbank registry."""
    if path.is_dir():
        raise NotARegistry(f"registry path {str(path)!r} is a directory; {_HINT}")
    if not path.exists():
        if not create:
            raise _missing(path, "the file does not exist")
        parent = path.parent
        if not parent.is_dir():
            raise RegistryUnavailable(
                f"cannot create registry {str(path)!r}: directory {str(parent)!r} does not "
                "exist; create it first or choose another path"
            )
        return
    if not path.is_file():
        raise NotARegistry(f"registry path {str(path)!r} is not a regular file; {_HINT}")
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as error:
        raise RegistryUnavailable(f"cannot read registry {str(path)!r}: {error}") from error
    if not header:
        if not create:
            raise _missing(path, "the file is empty")
        return  # an empty file: ours to initialise
    if not header.startswith(_MAGIC[: len(header)]) or len(header) < len(_MAGIC):
        raise NotARegistry(
            f"{str(path)!r} is not a SQLite database (it starts with {header[:16]!r}); {_HINT}"
        )
    if len(header) < 100:
        raise CorruptRegistry(
            f"{str(path)!r} is a truncated SQLite file ({len(header)} bytes); restore it from a "
            "backup or remove it"
        )
    application_id = int.from_bytes(header[68:72], "big")
    if application_id not in (0, APPLICATION_ID):
        raise NotARegistry(
            f"{str(path)!r} is a SQLite database of another application "
            f"(application_id {application_id:#x}); {_HINT}"
        )
    if application_id == 0:
        _inspect_tables(path)


def _inspect_tables(path: Path) -> None:
    # A read-only connection cannot change the file, whatever it holds. A WAL file whose -shm is
    # gone cannot be opened read-only; then a plain connection that only reads is the fallback.
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
        probe.execute("PRAGMA application_id").fetchone()
    except sqlite3.OperationalError:
        probe = sqlite3.connect(str(path), timeout=5.0)
    except sqlite3.DatabaseError as error:
        raise CorruptRegistry(
            f"registry {str(path)!r} is damaged ({error}); restore it from a backup"
        ) from error
    try:
        application_id = int(probe.execute("PRAGMA application_id").fetchone()[0])
        tables = [row[0] for row in probe.execute("SELECT name FROM sqlite_master LIMIT 5")]
    except sqlite3.OperationalError as error:
        if _is_busy(error):
            return  # another process holds it mid-write; the main connection will wait
        raise CorruptRegistry(
            f"registry {str(path)!r} cannot be read ({error}); restore it from a backup"
        ) from error
    except sqlite3.DatabaseError as error:
        raise CorruptRegistry(
            f"registry {str(path)!r} is damaged ({error}); restore it from a backup or run "
            "'sqlite3 FILE .recover'"
        ) from error
    finally:
        probe.close()
    if application_id != APPLICATION_ID and tables:
        raise NotARegistry(
            f"{str(path)!r} is a SQLite database that is not a skillbank registry (tables: "
            f"{tables}); it was left untouched; {_HINT}"
        )


class Database:
    """One connection to a registry file, with safe opening, migrations and retried writes."""

    def __init__(self, path: Path, *, busy_seconds: float, durable: bool, create: bool) -> None:
        self.path = path
        self._busy_seconds = busy_seconds
        self._lock = threading.RLock()
        # Commits made on this connection: ``PRAGMA data_version`` counts only the others'.
        self._commits = 0
        _inspect(path, create=create)
        try:
            self._connection = sqlite3.connect(
                str(path),
                timeout=min(busy_seconds, 5.0),
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as error:
            raise RegistryUnavailable(
                f"cannot open registry {str(path)!r} ({error}); check that the file and its "
                f"directory {str(path.parent)!r} exist and are writable (permissions, read-only "
                "file system)"
            ) from error
        try:
            self._session = SqliteConnection(self._connection)
            self._configure(durable=durable)
            self.write(lambda connection: migrate(connection, path=str(path)))
        except BaseException:
            self._connection.close()
            raise

    def _configure(self, *, durable: bool) -> None:
        def setup(connection: sqlite3.Connection) -> None:
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute(f"PRAGMA busy_timeout = {int(min(self._busy_seconds, 5.0) * 1000)}")
            mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                connection.execute("PRAGMA journal_mode = WAL")
            # WAL with synchronous=NORMAL survives any process crash; FULL also survives power loss.
            connection.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")

        self._retry(lambda: setup(self._connection))

    @property
    def location(self) -> str:
        """The registry file."""
        return str(self.path)

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            self._connection.close()

    def _retry(self, attempt: Callable[[], T]) -> T:
        deadline = time.monotonic() + self._busy_seconds
        delay = 0.002
        while True:
            try:
                return attempt()
            except sqlite3.OperationalError as error:
                if not _is_busy(error):
                    raise self._translate(error) from error
                if time.monotonic() >= deadline:
                    raise RegistryBusy(
                        f"registry {str(self.path)!r} stayed locked for {self._busy_seconds:.0f} s "
                        "by other writers; retry later or raise busy_seconds"
                    ) from error
            except sqlite3.DatabaseError as error:
                raise self._translate(error) from error
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.25)

    def _translate(self, error: sqlite3.DatabaseError) -> RegistryError:
        text = str(error).lower()
        if isinstance(error, sqlite3.ProgrammingError):
            # Misuse of the connection (most often: used after close()), not a damaged file.
            return RegistryError(
                f"registry {str(self.path)!r} cannot be used: {error} Open it again with "
                "Registry.open(path) and keep it open while it is in use"
            )
        if "readonly" in text or "read-only" in text or "unable to open" in text:
            return RegistryUnavailable(
                f"cannot write registry {str(self.path)!r} ({error}); check permissions of the "
                f"file and its directory (writable: {os.access(self.path.parent, os.W_OK)})"
            )
        if isinstance(error, sqlite3.OperationalError) and "malformed" not in text:
            return RegistryError(f"registry {str(self.path)!r}: {error}")
        return CorruptRegistry(
            f"registry {str(self.path)!r} is damaged ({error}); restore it from a backup or run "
            "'sqlite3 FILE .recover'"
        )

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one ``BEGIN IMMEDIATE`` transaction, retried as a whole when busy."""

        def attempt() -> T:
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(self._session)
                connection.execute("COMMIT")
                self._commits += 1
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            return result

        with self._lock:
            return self._retry(attempt)

    def generation(self) -> tuple[int, int]:
        """A value that changes whenever a transaction commits on this file, by this connection
        or any other (another thread's, process's), and only then: one cheap statement that
        tells a cache whether anything it loaded may have changed."""

        def attempt() -> tuple[int, int]:
            # data_version moves when another connection commits; our own commits are counted.
            version = self._connection.execute("PRAGMA data_version").fetchone()[0]
            return int(version), self._commits

        with self._lock:
            return self._retry(attempt)

    def read(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one read transaction (a consistent snapshot), retried when busy."""

        def attempt() -> T:
            connection = self._connection
            connection.execute("BEGIN")
            try:
                return work(self._session)
            finally:
                if connection.in_transaction:
                    connection.execute("COMMIT")

        with self._lock:
            return self._retry(attempt)
