"""A trusted target that does what code escaped from the language layer would try.

Imported only inside a worker (``run_trusted``). Each attempt is reported as ``"ok"`` (it
worked), the errno name of the ``OSError`` it raised (``"EPERM"``, ``"ENOENT"``...) or the
name of another exception type. Attempts that would wreck the worker if they succeeded (fork,
exec) run only when the host says the measure that stops them is active.
"""

from __future__ import annotations

import ctypes
import errno
import importlib
import os
import resource
import signal
import socket
import sys
import threading
from collections.abc import Callable
from typing import Any

_CLONE_NEWUSER = 0x10000000
_PR_GET_DUMPABLE = 3


def _attempt(action: Callable[[], object]) -> str:
    try:
        action()
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    except Exception as exc:  # the type is the observation
        return type(exc).__name__
    return "ok"


def _connect(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=1.0):
        pass


def _read_environ(pid: int) -> None:
    with open(f"/proc/{pid}/environ", "rb") as handle:
        handle.read()


def _raise_hard(kind: int) -> None:
    soft, hard = resource.getrlimit(kind)
    resource.setrlimit(
        kind, (soft, resource.RLIM_INFINITY if hard != resource.RLIM_INFINITY else hard)
    )


def _raise_cpu_hard() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (100, 100))
    resource.setrlimit(resource.RLIMIT_CPU, (100, resource.RLIM_INFINITY))


def _fork() -> None:
    if os.fork() == 0:
        os._exit(0)


def _thread() -> None:
    seen: list[int] = []
    worker = threading.Thread(target=lambda: seen.append(1))
    worker.start()
    worker.join()
    if seen != [1]:
        raise RuntimeError("the thread did not run")


def _unshare_user() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWUSER) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def _interfaces() -> list[str]:
    with open("/proc/self/net/dev", encoding="ascii") as handle:
        return sorted(line.split(":")[0].strip() for line in handle.readlines()[2:])


def _capabilities() -> dict[str, int]:
    found: dict[str, int] = {}
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            name, _, value = line.partition(":")
            if name.startswith("Cap"):
                found[name] = int(value.strip(), 16)
            elif name in ("NoNewPrivs", "Seccomp"):
                found[name] = int(value.strip())
    return found


def _proc_pids() -> list[int] | None:
    try:
        return sorted(int(name) for name in os.listdir("/proc") if name.isdigit())
    except OSError:
        return None  # Landlock refuses the listing; existence is still observable by path


def _read(path: str) -> str:
    with open(path, "rb") as handle:
        return handle.read().decode("utf-8", "replace")


def _attempt_read(path: str) -> str:
    outcome: list[str] = []
    found = _attempt(lambda: outcome.append(_read(path)))
    return outcome[0] if outcome else found


def _import_fresh(name: str) -> str:
    if name in sys.modules:
        return "already imported"
    return _attempt(lambda: importlib.import_module(name))


def _own_file() -> str:
    with open("made-in-cwd.txt", "w", encoding="utf-8"):
        pass  # RLIMIT_FSIZE=0: an empty file is all a worker can make
    return _attempt_read("made-in-cwd.txt")


def read_files(payload: dict[str, Any], tools: Any) -> dict[str, Any]:
    """Read each file named in ``payload`` the way escaped code would, and a few that must work.

    Returns the content read or the errno name for every path in ``payload["read"]`` and
    ``payload["list"]`` (directory listings), plus what importing fresh modules, reading a file
    the worker made in its cwd and reading a module of a ``sys.path`` entry got.
    """
    return {
        "read": {path: _attempt_read(path) for path in payload["read"]},
        "list": {path: _attempt(lambda path=path: os.listdir(path)) for path in payload["list"]},
        "imports": {name: _import_fresh(name) for name in payload["imports"]},
        "own_file": _own_file(),
        "cwd_listing": sorted(os.listdir(".")),
    }


def escape(payload: dict[str, Any], tools: Any) -> dict[str, Any]:
    """Try every escape route named in ``payload``; report what each attempt got."""
    host_pid = int(payload["host_pid"])
    victim_pid = int(payload["victim_pid"])
    report: dict[str, Any] = {
        "connect": _attempt(lambda: _connect(int(payload["port"]))),
        "host_environ": _attempt(lambda: _read_environ(host_pid)),
        "host_mem": _attempt(lambda: open(f"/proc/{host_pid}/mem", "rb").close()),
        "proc_listing": _attempt(lambda: os.listdir("/proc")),
        "proc_pids": _proc_pids(),
        "proc_visible": [pid for pid in payload["pids"] if os.path.exists(f"/proc/{pid}")],
        "own_pid": os.getpid(),
        "net_namespace": os.readlink("/proc/self/ns/net"),
        "interfaces": _interfaces(),
        "raise_as": _attempt(lambda: _raise_hard(resource.RLIMIT_AS)),
        "raise_nofile": _attempt(lambda: _raise_hard(resource.RLIMIT_NOFILE)),
        "raise_cpu": _attempt(_raise_cpu_hard),
        "setuid": _attempt(lambda: os.setuid(65534)),
        "kill_host": _attempt(lambda: os.kill(host_pid, 0)),
        "kill_victim": _attempt(lambda: os.kill(victim_pid, signal.SIGKILL)),
        "unshare_user": _attempt(_unshare_user),
        "unlink_canary": _attempt(lambda: os.unlink(payload["canary"])),
        "mkdir_tmp": _attempt(lambda: os.mkdir(payload["outside_dir"])),
        "mkdir_cwd": _attempt(lambda: os.mkdir("inside-own-cwd")),
        "dumpable": ctypes.CDLL(None).prctl(_PR_GET_DUMPABLE, 0, 0, 0, 0),
        "status": _capabilities(),
        "thread": _attempt(_thread) if payload["try_thread"] else "skipped",
        "fork": _attempt(_fork) if payload["try_fork"] else "skipped",
        "exec": (
            _attempt(lambda: os.execv("/bin/true", ["true"])) if payload["try_exec"] else "skipped"
        ),
    }
    return report
