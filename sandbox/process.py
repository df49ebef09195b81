"""One isolated worker process seen from the host: spawn, run a request, observe, kill.

Verdicts are the host's observations: its own wall-clock timer, the worker's CPU time read from
``/proc`` (and ``SIGXCPU`` from the kernel's ``RLIMIT_CPU``), the exit status, frame sizes, and
the tool bridge's budget. A worker's own report counts only for what its trusted runner observed
(an output cap crossed, a real ``MemoryError``/``RecursionError``, an oversized result).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from sandbox import _protocol
from sandbox._request import Request
from sandbox._worker import BOOTSTRAP
from sandbox.bridge import ToolBridge
from sandbox.caps import keep_text
from sandbox.isolation import IsolationReport
from sandbox.limits import Limits
from sandbox.result import Rejection, RunResult

__all__ = ["Worker"]

_STARTUP_SECONDS = 60.0
_FRAME_OVERHEAD = 1 << 20
_HELLO_BYTES = 16_384
_UNWIND_SECONDS = 1.0
"""How long a worker told that its call ended may take to unwind the skill and answer."""
_SPIN_SECONDS = 100e-6
"""How long a lone call polls for its worker's next frame before sleeping (``_protocol.Spin``)."""
_TICKS = os.sysconf("SC_CLK_TCK")
_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


def _host_path() -> list[str]:
    """Absolute import path of the host, so the worker finds the same packages."""
    return [os.path.abspath(entry) for entry in sys.path if entry and os.path.isdir(entry)]


class Worker:
    """A ``python -I`` worker process with rlimits, its own session and a temporary cwd.

    Args:
        memory_mb: Hard address-space cap of the process; calls may only lower it.
    """

    def __init__(self, *, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self.calls = 0
        #: CPU seconds read at the end of the last call (``None`` before the first).
        self.cpu_at_rest: float | None = None
        #: ``time.monotonic()`` when the process was started.
        self.started_at = time.monotonic()
        self.alive = True
        self._ready = False
        #: What the worker applied to itself (known once it said hello).
        self.isolation = IsolationReport.unavailable("the worker has not started yet")
        # kill() may race between a finishing call and ProcessPool.close(); close fds once.
        self._kill_lock = threading.Lock()
        # While a call runs, its thread still reads and writes the pipes: a kill from another
        # thread must leave the fds open (the call sees EOF or EPIPE), or their numbers could be
        # reused by a file or socket the host opens meanwhile and the call would use that.
        self._in_call = False
        self._fds_open = True
        self._proc_fds: dict[str, int] = {}
        self._cwd = tempfile.mkdtemp(prefix="sandbox-worker-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        config = {"memory_mb": memory_mb, "fds": [to_child_r, from_child_w], "path": _host_path()}
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-I", "-c", BOOTSTRAP, json.dumps(config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(to_child_r, from_child_w),
                cwd=self._cwd,
                env=_ENV,
                start_new_session=True,
            )
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.pid = self._process.pid
        self._reader = _protocol.FrameReader(self._from_child)
        # Requests are written without waiting when the pipe has room (_protocol.write_all).
        os.set_blocking(self._to_child, False)

    @property
    def ready_fd(self) -> int:
        """The fd the worker's hello arrives on (for waiting on several starting workers)."""
        return self._from_child

    @property
    def ready(self) -> bool:
        """Whether the worker said hello (it can take a call without waiting)."""
        return self._ready

    # -- observations -------------------------------------------------------------------------

    def _proc_locked(self, name: str) -> bytes | None:
        """The current content of ``/proc/<pid>/<name>`` (``stat`` or ``status``).

        Both are read on every call: the file stays open and is re-read from offset 0, which
        makes the kernel generate it afresh. Called under the kill lock (see :meth:`_fd_locked`).
        """
        try:
            fd = self._fd_locked(name, os.O_RDONLY)
            return None if fd is None else os.pread(fd, 4096, 0)
        except OSError:
            return None

    def _fd_locked(self, name: str, flags: int) -> int | None:
        """An fd of ``/proc/<pid>/<name>``, opened once and kept; ``None`` once they are closed.

        An fd opened for this pid keeps answering for this process only (``ESRCH`` once it is
        gone), never for a later process of the same pid; the kernel checks who may read or
        write it when it is opened. Under the kill lock: a monitoring thread must never use an
        fd number that a concurrent kill just closed (and the host may have reused).
        """
        if not self._fds_open:
            return None
        fd = self._proc_fds.get(name)
        if fd is None:
            fd = os.open(f"/proc/{self.pid}/{name}", flags | os.O_CLOEXEC)
            self._proc_fds[name] = fd
        return fd

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the worker has used so far, read from ``/proc``."""
        with self._kill_lock:
            content = self._proc_locked("stat")
        return _cpu_of(content)

    def observe(self) -> tuple[float, int | None]:
        """CPU seconds used so far and peak resident KiB since the last reset, from ``/proc``.

        ``(0.0, None)`` once the worker is gone.
        """
        with self._kill_lock:
            stat = self._proc_locked("stat")
            status = self._proc_locked("status")
        return _cpu_of(stat), _kib_of(status, b"VmHWM:")

    def _reset_peak(self) -> None:
        # Writing 5 to clear_refs resets VmHWM (Linux >= 4.0), giving a per-call peak.
        with self._kill_lock:
            try:
                fd = self._fd_locked("clear_refs", os.O_WRONLY)
                if fd is not None:
                    os.write(fd, b"5")
            except OSError:
                pass

    # -- lifecycle ----------------------------------------------------------------------------

    def wait_ready(self) -> str | None:
        """Wait for the worker's hello; returns why it failed, or ``None``."""
        if self._ready:
            return None
        try:
            message = self._reader.read(
                deadline=time.monotonic() + _STARTUP_SECONDS, max_bytes=_HELLO_BYTES
            )
        except (ValueError, _protocol.FrameTooLarge):
            message = None
        if not isinstance(message, dict) or message.get("op") != "ready":
            self.kill()
            problem = f"the worker process did not start (exit status {self._process.returncode})"
            self.isolation = IsolationReport.unavailable(problem)
            return problem
        self.isolation = IsolationReport.from_dict(message.get("isolation"))
        self._ready = True
        return None

    def kill(self) -> int | None:
        """Kill the worker's whole process group and reap it; returns the wait status."""
        status = None
        with self._kill_lock:
            if not self.alive:
                return None
            self.alive = False
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
            try:
                _, status, _ = os.wait4(self.pid, 0)
                self._process.returncode = -1
            except ChildProcessError:
                status = None
            self._release_locked()
        return status

    def _release_locked(self) -> None:
        """Close the pipes and remove the cwd of a dead worker, unless a call still uses them."""
        if self._in_call or not self._fds_open:
            return
        self._fds_open = False
        for fd in (self._to_child, self._from_child, *self._proc_fds.values()):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._cwd, ignore_errors=True)

    def _reap_dead(self) -> tuple[int | None, int | None]:
        """Reap a worker that closed its pipe; returns (wait status, max RSS KiB)."""
        with self._kill_lock:
            if not self.alive:
                return None, None
            return self._reap_locked()

    def _reap_locked(self) -> tuple[int | None, int | None]:
        try:
            _, status, usage = os.wait4(self.pid, 0)
        except ChildProcessError:
            return None, None
        self._process.returncode = -1
        self.alive = False
        self._release_locked()
        return status, usage.ru_maxrss

    # -- one call -----------------------------------------------------------------------------

    def run(
        self, request: Request, bridge: ToolBridge, limits: Limits, *, lone: bool = False
    ) -> RunResult:
        """Send one request, serve its tool calls, and return the host's verdict.

        ``lone``: no other call is in flight, so this one may poll for its worker's frames for
        a moment before sleeping (a busy host leaves the CPU to the other calls instead).
        After any verdict other than ok/error/rejected the worker is dead (``alive`` is False),
        except a spent tool budget the worker complied with (see ``_Call._end_at_budget``).
        """
        with self._kill_lock:
            if not self.alive:
                return _crashed("the worker was killed before the call started", bridge, {})
            self._in_call = True
        try:
            problem = self.wait_ready()
            if problem is not None:
                return _crashed(problem, bridge, {})
            self.calls += 1
            return _Call(self, bridge, limits, spin=_SPIN_SECONDS if lone else 0.0).run(request)
        finally:
            with self._kill_lock:
                self._in_call = False
                if not self.alive:
                    self._release_locked()


class _Call:
    """The host's side of one request: timers, CPU watch, frame handling, verdict."""

    def __init__(self, worker: Worker, bridge: ToolBridge, limits: Limits, *, spin: float) -> None:
        self.worker = worker
        self.spin = spin
        self.bridge = bridge
        self.limits = limits
        self.max_frame = limits.result_bytes + 4 * limits.output_bytes + _FRAME_OVERHEAD
        self.cpu_start = 0.0
        self.started = 0.0
        self.cpu_used = 0.0

    def _cpu_exceeded(self) -> bool:
        self.cpu_used = self.worker.cpu_seconds() - self.cpu_start
        return self.cpu_used >= self.limits.cpu_seconds

    def _stats(self, *, max_rss_kib: int | None = None) -> dict[str, Any]:
        if self.worker.alive:
            cpu_now, max_rss_kib = self.worker.observe()
            self.worker.cpu_at_rest = cpu_now or None  # 0.0: /proc could not be read
            self.cpu_used = cpu_now - self.cpu_start
        return {
            "wall_seconds": round(time.monotonic() - self.started, 6),
            "cpu_seconds": round(max(self.cpu_used, 0.0), 3),
            "max_rss_kib": max_rss_kib,
            "tool_seconds": round(self.bridge.tool_seconds, 6),
            "worker_calls": self.worker.calls,
        }

    def _limit(self, kind: str, *, kill: bool = True, **extra: Any) -> RunResult:
        """The verdict ``limit`` of ``kind``; the worker is killed unless it complied."""
        stats = self._stats()
        if kill:
            self.worker.kill()
        stats.update(extra)
        return RunResult(
            status="limit",
            limit=kind,  # type: ignore[arg-type]
            tool_calls=self.bridge.records,
            stats=stats,
        )

    def run(self, request: Request) -> RunResult:
        worker = self.worker
        # Between calls a worker waits on its pipe: its CPU time read at the end of the last
        # call is where this one starts (any tick spent since counts against this call).
        rest = worker.cpu_at_rest
        self.cpu_start = rest if rest is not None else worker.cpu_seconds()
        self.started = time.monotonic()
        deadline = self.started + self.limits.wall_seconds
        # A lone call's worker polls too, for tool answers and for the next request.
        body = request.body[:-1] + b',"spin":true}' if self.spin else request.body
        if not _protocol.write_all(worker._to_child, _protocol.encode_raw(body), deadline=deadline):
            return self._write_failed(deadline)
        # While the worker reads the request: the peak is reset to its size at rest, before the
        # call's own code can have run (the peak is a measurement, not a limit: the kernel's
        # address-space cap is the limit).
        worker._reset_peak()
        while True:
            try:
                message = worker._reader.read(
                    deadline=deadline,
                    max_bytes=self.max_frame,
                    on_idle=self._cpu_exceeded,
                    spin_seconds=self.spin,
                )
            except _protocol.FrameTooLarge:
                return self._limit("result_size")
            except (ValueError, RecursionError):
                return self._crash("the worker sent a malformed message")
            if message is _protocol.TIMEOUT:
                return self._limit("cpu" if self._cpu_exceeded() else "wall")
            if message is _protocol.EOF:
                return self._after_exit()
            if not isinstance(message, dict):
                return self._crash("the worker sent a malformed message")
            op = message.get("op")
            if op == "tool":
                reply = self.bridge.reply(message.get("name"), message.get("args"))
                if self.bridge.exceeded is not None:
                    return self._end_at_budget(self.bridge.exceeded, deadline)
                if time.monotonic() >= deadline:
                    return self._limit("wall")
                if not _protocol.write_all(
                    worker._to_child, _protocol.encode_raw(reply), deadline=deadline
                ):
                    return self._write_failed(deadline)
                self.bridge.settle()  # while the worker goes on with the answer
            elif op == "limit" and message.get("kind") == "output":
                return self._limit("output")
            elif op == "done":
                return self._done(message)
            else:
                return self._crash(f"the worker sent an unexpected message {op!r}")

    def _end_at_budget(self, kind: str, deadline: float) -> RunResult:
        """End the call because its tool budget is spent, keeping the worker if it complies.

        The verdict is the host's whatever the worker does. The worker is told instead of
        killed: its skill unwinds (handlers cannot stop that, see :mod:`sandbox.watch`) and it
        answers ``done``, ready for the next call, so a spent budget costs no worker start. A
        worker that answers anything else, or not soon, is killed.
        """
        worker = self.worker
        told = _protocol.write_all(
            worker._to_child,
            _protocol.encode_raw(b'{"limit":%s}' % _protocol.encode_text(kind)),
            deadline=deadline,
        )
        if told:
            self.bridge.settle()
            try:
                message = worker._reader.read(
                    deadline=min(deadline, time.monotonic() + _UNWIND_SECONDS),
                    max_bytes=self.max_frame,
                    on_idle=self._cpu_exceeded,
                    spin_seconds=self.spin,
                )
            except (_protocol.FrameTooLarge, ValueError, RecursionError):
                message = None
            if isinstance(message, dict) and message.get("op") == "done":
                return self._limit(kind, kill=False)
        return self._limit(kind)

    def _done(self, message: dict[str, Any]) -> RunResult:
        status = message.get("status")
        payload = message.get("payload")
        output = message.get("output")
        # The worker's runner caps these too; the host does not rely on it.
        output = keep_text(output, self.limits.output_bytes) if isinstance(output, str) else ""
        if status == "memory":
            return self._limit("memory", reason=self._text(payload))
        if status == "result_size":
            return self._limit("result_size")
        stats = self._stats()
        records = self.bridge.records
        if status == "ok":
            return RunResult(
                status="ok", value=message.get("value"), output=output,
                tool_calls=records, stats=stats,
            )  # fmt: skip
        if status == "error" and isinstance(payload, dict):
            error = {
                "type": self._text(payload.get("type"), max_bytes=200),
                "message": self._text(payload.get("message")),
            }
            return RunResult(
                status="error", error=error, output=output, tool_calls=records, stats=stats
            )
        if status == "rejected" and isinstance(payload, dict):
            line = payload.get("line")
            rejection = Rejection(
                line if isinstance(line, int) else None, self._text(payload.get("message"))
            )
            return RunResult(status="rejected", rejection=rejection, stats=stats)
        return self._crash(f"the worker sent an unknown verdict {status!r}")

    def _text(self, value: Any, *, max_bytes: int | None = None) -> str:
        """A string the worker sent, cut to the message cap."""
        text = value if isinstance(value, str) else str(value)[:1000]
        return keep_text(text, max_bytes or self.limits.message_bytes)

    def _crash(self, message: str) -> RunResult:
        stats = self._stats()
        self.worker.kill()
        return _crashed(message, self.bridge, stats)

    def _write_failed(self, deadline: float) -> RunResult:
        if time.monotonic() >= deadline:
            return self._limit("cpu" if self._cpu_exceeded() else "wall")
        return self._after_exit()

    def _after_exit(self) -> RunResult:
        """The worker closed its pipe: read its last CPU time, reap it, classify its exit."""
        cpu = self.worker.cpu_seconds() - self.cpu_start
        # A worker that closed its pipe but kept running must not block the reaping wait.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.worker.pid, signal.SIGKILL)
        status, max_rss = self.worker._reap_dead()
        self.cpu_used = max(cpu, self.cpu_used)
        stats = self._stats(max_rss_kib=max_rss)
        if status is not None and os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            if number == signal.SIGXCPU or (
                number == signal.SIGKILL and self.cpu_used >= self.limits.cpu_seconds
            ):
                return RunResult(
                    status="limit", limit="cpu", tool_calls=self.bridge.records, stats=stats
                )
            return _crashed(
                f"the worker was killed by signal {signal.Signals(number).name}",
                self.bridge, stats,
            )  # fmt: skip
        code = os.WEXITSTATUS(status) if status is not None else None
        return _crashed(f"the worker exited unexpectedly (exit code {code})", self.bridge, stats)


def _cpu_of(stat: bytes | None) -> float:
    """User + system CPU seconds in the text of ``/proc/<pid>/stat`` (0.0 without it)."""
    if stat is None:
        return 0.0
    # After the command name (which may hold anything, so the last ")" ends it): state, then
    # utime and stime at 11 and 12; the ~40 fields after them are not split.
    fields = stat[stat.rindex(b")") + 1 :].split(None, 13)
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _kib_of(status: bytes | None, key: bytes) -> int | None:
    """The KiB value of line ``key`` in the text of ``/proc/<pid>/status``."""
    if status is None:
        return None
    start = status.find(b"\n" + key)
    if start < 0:
        return None
    return int(status[start + len(key) + 1 :].split(None, 1)[0])


def _crashed(message: str, bridge: ToolBridge, stats: dict[str, Any]) -> RunResult:
    return RunResult(
        status="crashed",
        error={"type": "WorkerCrashed", "message": message},
        tool_calls=bridge.records,
        stats=stats,
    )
