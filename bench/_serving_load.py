"""The serving benchmark's moving parts: a ``skillbank serve`` process, agents, and a monitor.

Agents are MCP sessions of the SDK's own client over streamable HTTP to 127.0.0.1, in one
asyncio process; each takes the next call of a fixed list until the list is done, so a level
makes a bounded number of calls. The monitor reads ``/proc``: the server's memory, threads and
open fds, and its sandbox workers (its child processes) with their memory.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from bench._serving_shop import Call

__all__ = ["Level", "Server", "drive", "kind_of"]

ROOT = Path(__file__).resolve().parents[1]
_READY = b"Application startup complete"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                text = Path(f"/proc/{pid}/task/{task}/children").read_text()
                found += [int(child) for child in text.split()]
    return sorted(set(found))


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (not a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


class Server:
    """``skillbank serve --transport http`` on 127.0.0.1 in a process of its own.

    With ``db=None``, the floor instead: the MCP SDK's server with one tool that does nothing
    (``bench/_serving_floor.py``).
    """

    def __init__(self, db: Path | None, log: Path, *extra: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self.log = log
        self.workers_seen: set[int] = set()
        if db is None:
            command = [sys.executable, str(ROOT / "bench" / "_serving_floor.py"), str(self.port)]
        else:
            command = [
                sys.executable, "-c", "from skills_runtime.cli import main; main()", "serve",
                "--tools", "bench._serving_shop:toolset", "--db", str(db),
                "--transport", "http", "--host", "127.0.0.1", "--port", str(self.port), *extra,
            ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
            stdout=self._log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while _READY not in log.read_bytes():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise SystemExit(f"the server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)

    def sample(self) -> dict[str, Any]:
        """Memory, threads and fds of the server; count and memory of its workers."""
        pid = self.process.pid
        workers = _children(pid)
        self.workers_seen.update(workers)
        return {
            "server_rss_kib": _status_kib(pid, "VmRSS:"),
            "server_threads": _status_kib(pid, "Threads:"),
            "server_fds": len(os.listdir(f"/proc/{pid}/fd")),
            "workers": len(workers),
            "workers_rss_kib": sum(_status_kib(worker, "VmRSS:") for worker in workers),
            "cpu_seconds": _cpu_seconds(pid) + sum(_cpu_seconds(w) for w in workers),
        }

    def stop(self) -> int:
        """SIGTERM (the server stores its queued records and exits), then wait for it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()
        return self.process.returncode


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def kind_of(result: Any) -> str:
    """What an MCP result says happened: ok, a failure status, or the error type of a raise."""
    if not result.is_error:
        return "ok"
    structured = result.structured_content or {}
    status = structured.get("status", "unstructured_error")
    if status == "error":
        return str(structured.get("error", {}).get("type", "error"))
    return str(status)


@dataclass
class Level:
    """What one level of concurrency did."""

    sessions: int
    calls: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    unintended: Counter[str] = field(default_factory=Counter)
    samples: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    client_cpu_seconds: float = 0.0

    @property
    def ran(self) -> int:
        """Calls that reached the sandbox (and so must be recorded)."""
        return sum(n for kind, n in self.kinds.items() if kind in _RAN)


_RAN = {"ok", "SkillPrecondition", "ToolError", "limit", "crashed", "error"}


async def _agent(
    url: str, calls: list[Call], cursor: list[int], level: Level, timeout: float
) -> None:
    async with Client(url) as client:
        while cursor[0] < len(calls):
            name, arguments, expected = calls[cursor[0]]
            cursor[0] += 1
            started = time.perf_counter()
            try:
                with anyio.fail_after(timeout):
                    kind = kind_of(await client.call_tool(name, arguments))
            except Exception as error:  # counted, never fatal: the run goes on
                kind = f"client:{type(error).__name__}"
            level.latencies.append(time.perf_counter() - started)
            level.kinds[kind] += 1
            if kind != expected:
                level.unintended[f"{expected} -> {kind}"] += 1


async def _monitor(server: Server, level: Level, cursor: list[int], every: int) -> None:
    mark = 0
    while True:
        if cursor[0] >= mark:
            level.samples.append((cursor[0], server.sample()))
            mark += every
        await anyio.sleep(0.25)


def drive(
    server: Server, calls: list[Call], sessions: int, *, sample_every: int, timeout: float = 60.0
) -> Level:
    """Run ``calls`` through ``sessions`` concurrent MCP sessions; every call is answered."""
    level = Level(sessions=sessions, calls=len(calls))
    cursor = [0]

    async def main() -> None:
        async with anyio.create_task_group() as outer:
            outer.start_soon(_monitor, server, level, cursor, sample_every)
            async with anyio.create_task_group() as agents:
                for _ in range(sessions):
                    agents.start_soon(_agent, server.url, calls, cursor, level, timeout)
            outer.cancel_scope.cancel()

    cpu = time.process_time()
    started = time.perf_counter()
    anyio.run(main)
    level.seconds = time.perf_counter() - started
    level.client_cpu_seconds = time.process_time() - cpu
    level.samples.append((len(calls), server.sample()))
    return level
