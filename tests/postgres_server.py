"""A real PostgreSQL server for tests and benchmarks: initdb into a temporary directory, start it
on a Unix socket of its own, stop and remove it at the end.

The server binaries are found in ``$SKILLBANK_PG_BIN``, else in the newest Debian
``/usr/lib/postgresql/<version>/bin``, else beside ``pg_ctl`` on ``PATH`` (``apt-get install
postgresql`` provides them). ``initdb`` refuses to run as root: as root the cluster is made and run
by the unprivileged ``postgres`` account the Debian package creates (``runuser -u postgres``), in a
directory handed to that account; the tests, still root, connect through the socket. The server
listens on no TCP port, trusts local connections (it is reachable only through its own socket
directory) and skips fsync: it holds test data only.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PostgresServer", "ServerUnavailable", "find_binaries", "start_server"]

USER = "skillbank"


class ServerUnavailable(RuntimeError):
    """No PostgreSQL server binaries here, or the server would not start (the message says why)."""


def find_binaries() -> Path | None:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``, or None."""
    candidates = []
    if os.environ.get("SKILLBANK_PG_BIN"):
        candidates.append(Path(os.environ["SKILLBANK_PG_BIN"]))
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = [p for p in debian.iterdir() if p.name.split(".")[0].isdigit()]
        for version in sorted(versions, key=lambda p: int(p.name.split(".")[0]), reverse=True):
            candidates.append(version / "bin")
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for candidate in candidates:
        if all((candidate / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return candidate
    return None


@dataclass(frozen=True)
class PostgresServer:
    """A running server: its directory (data, socket, log) and how to reach it."""

    directory: Path
    binaries: Path
    port: int
    run_as: tuple[str, ...]

    def url(self, database: str = "postgres", *, tenant: str | None = None) -> str:
        """A ``postgresql://`` URL of ``database`` through the server's socket."""
        url = f"postgresql://{USER}@/{database}?host={self.directory}&port={self.port}"
        return url + (f"&tenant={tenant}" if tenant else "")

    def create_database(self, name: str) -> str:
        """Create an empty database; returns its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its directory."""
        try:
            subprocess.run(
                [*self.run_as, str(self.binaries / "pg_ctl"), "-D", str(self.directory / "data"),
                 "-m", "fast", "-w", "stop"],
                capture_output=True, check=False, timeout=60,
            )  # fmt: skip
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


def _free_port() -> int:
    # The port only names the socket file (.s.PGSQL.<port>); a free TCP port keeps it unique.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server() -> PostgresServer:
    """Initialise and start a throw-away server.

    Raises:
        ServerUnavailable: no binaries, no unprivileged account to run them as root, or the
            server failed to start (with its log).
    """
    binaries = find_binaries()
    if binaries is None:
        raise ServerUnavailable(
            "no PostgreSQL server binaries (initdb, pg_ctl, postgres) in $SKILLBANK_PG_BIN, "
            "/usr/lib/postgresql/*/bin or on PATH; install them with `apt-get install "
            "postgresql` (Debian) or point SKILLBANK_PG_BIN at their directory"
        )
    root = os.geteuid() == 0
    # As root, in /tmp: the server's account must reach the directory (TMPDIR may be private).
    directory = Path(tempfile.mkdtemp(prefix="skillbank-pg-", dir="/tmp" if root else None))
    run_as: tuple[str, ...] = ()
    if root:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(directory, ignore_errors=True)
            raise ServerUnavailable(
                "initdb refuses to run as root and there is no 'postgres' account to run it as; "
                "install Debian's postgresql package (it creates one) or run as another user"
            ) from None
        os.chown(directory, owner.pw_uid, owner.pw_gid)
        run_as = ("runuser", "-u", "postgres", "--")
    port = _free_port()
    data, log = directory / "data", directory / "server.log"
    options = (
        f"-k {directory} -p {port} -c listen_addresses='' -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    )
    steps = [
        [str(binaries / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8",
         "--locale=C", "--no-sync"],
        [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w",
         "-t", "60", "start"],
    ]  # fmt: skip
    for step in steps:
        done = subprocess.run(
            [*run_as, *step], capture_output=True, text=True, check=False, timeout=120
        )
        if done.returncode != 0:
            detail = done.stderr.strip() or done.stdout.strip()
            with contextlib.suppress(OSError):
                detail += "\n" + log.read_text()[-2000:]
            shutil.rmtree(directory, ignore_errors=True)
            raise ServerUnavailable(f"{Path(step[0]).name} failed: {detail}")
    # A server outlives a test process killed before its teardown (pg_ctl detaches it); a
    # watchdog stops and removes it once the process that started it is gone.
    stop = shlex.join([*run_as, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate"])
    watch = (
        f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 1; done; "
        f"{stop} stop >/dev/null 2>&1; rm -rf {shlex.quote(str(directory))}"
    )
    # The outer shell starts the watchdog in the background and exits at once, so the watchdog is
    # no child of ours to wait for.
    subprocess.run(["sh", "-c", f"({watch}) </dev/null >/dev/null 2>&1 &"], check=True, timeout=30)
    return PostgresServer(directory=directory, binaries=binaries, port=port, run_as=run_as)
