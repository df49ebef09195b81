"""Kernel-level hardening a worker applies to itself once, before it serves any call.

Defense in depth under the language layer: if skill code ever escaped RestrictedPython, these
measures decide what it could reach. Each is best-effort — the kernel (or a container without
privileges) may refuse it — and the worker keeps going and reports what holds
(:class:`sandbox.isolation.IsolationReport`). Python 3.11 has no ``os.unshare``, so this goes
through ``ctypes`` to the C library. Order matters: namespaces and mounts need capabilities, so
they come first; then capabilities are dropped; then no_new_privs (which Landlock and seccomp
require); then the Landlock ruleset (while the filesystem it names is still reachable); then the
filter; dumpable last.
"""

from __future__ import annotations

import ctypes
import errno
import os

from sandbox import _landlock, _seccomp
from sandbox.isolation import IsolationReport

__all__ = ["harden"]

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 0x2, 0x4, 0x8
_MS_BIND, _MS_REC, _MS_PRIVATE = 0x1000, 0x4000, 0x40000
_AT_FDCWD, _AT_RECURSIVE = -100, 0x8000
_MOUNT_ATTR_RDONLY = 0x1
_SYS_MOUNT_SETATTR = 442  # the same number on every architecture (new syscalls are unified)
_PR_SET_DUMPABLE, _PR_GET_DUMPABLE = 4, 3
_PR_CAPBSET_DROP = 24
_PR_SET_NO_NEW_PRIVS, _PR_GET_NO_NEW_PRIVS = 38, 39
_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
_CAP_VERSION_3 = 0x20080522


class _MountAttr(ctypes.Structure):
    _fields_ = [
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    ]


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _why(call: str) -> str:
    code = ctypes.get_errno()
    return f"{call} failed: {errno.errorcode.get(code, str(code))}"


class _Hardener:
    """Applies the measures in order, collecting flags and reasons."""

    def __init__(self, cwd: str) -> None:
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.cwd = cwd
        self.flags: dict[str, bool] = {}
        self.reasons: list[str] = []

    def _mark(self, measure: str, problem: str | None) -> bool:
        self.flags[measure] = problem is None
        if problem is not None:
            self.reasons.append(f"{measure}: {problem}")
        return problem is None

    def network(self) -> None:
        if self.libc.unshare(_CLONE_NEWNET) == 0:
            self._mark("network_namespace", None)
            return
        first = _why("unshare(CLONE_NEWNET)")
        # Unprivileged: a user namespace of our own grants the right to make a network one.
        if self.libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0:
            self.flags["user_namespace"] = True
            self._mark("network_namespace", None)
            return
        self._mark("network_namespace", f"{first}; {_why('unshare(CLONE_NEWUSER|CLONE_NEWNET)')}")

    def mounts(self) -> None:
        problem = self._mount_namespace()
        if problem is not None:
            for measure in ("mount_namespace", "private_proc", "readonly_root"):
                self._mark(measure, problem)
            return
        self._mark("mount_namespace", None)
        self._mark("private_proc", self._private_proc())
        self._mark("readonly_root", self._readonly())

    def _mount_namespace(self) -> str | None:
        if self.libc.unshare(_CLONE_NEWNS) != 0:
            return _why("unshare(CLONE_NEWNS)")
        # Without private propagation a mount made here would appear in the host's namespace.
        if self.libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None) != 0:
            return _why("mount(/, MS_REC|MS_PRIVATE)") + "; no mount is made"
        return None

    def _private_proc(self) -> str | None:
        flags = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
        problems = []
        # hidepid=invisible needs Linux 5.8; hidepid=2 is the older spelling of the same.
        # Members of the gid= group see every process, and it defaults to 0 (root's group): name
        # a group this process is not in.
        held = {os.getgid(), os.getegid(), *os.getgroups()}
        outsider = next(gid for gid in range(65534, 0, -1) if gid not in held)
        for hide in (b"hidepid=invisible", b"hidepid=2"):
            option = hide + b",gid=" + str(outsider).encode()
            if self.libc.mount(b"proc", b"/proc", b"proc", flags, option) == 0:
                return None
            problems.append(_why(f"mount(proc, {option.decode()})"))
        return "; ".join(problems)

    def _readonly(self) -> str | None:
        libc = self.libc
        cwd = os.fsencode(self.cwd)
        # The cwd becomes its own mount first, so it can be made writable again afterwards.
        if libc.mount(cwd, cwd, None, _MS_BIND | _MS_REC, None) != 0:
            return _why("mount(cwd, MS_BIND)")
        # The process's cwd still points into the mount underneath: step onto the new one.
        os.chdir(self.cwd)
        if self._setattr(b"/", _AT_RECURSIVE, _MountAttr(attr_set=_MOUNT_ATTR_RDONLY)) != 0:
            return _why("mount_setattr(/, AT_RECURSIVE, MOUNT_ATTR_RDONLY)")
        if self._setattr(cwd, 0, _MountAttr(attr_clr=_MOUNT_ATTR_RDONLY)) != 0:
            return _why("mount_setattr(cwd, clear RDONLY)") + " (the cwd is read-only too)"
        return None

    def _setattr(self, path: bytes, flags: int, attr: _MountAttr) -> int:
        size = ctypes.sizeof(attr)
        result: int = self.libc.syscall(
            _SYS_MOUNT_SETATTR, _AT_FDCWD, path, flags, ctypes.byref(attr), size
        )
        return result

    def capabilities(self) -> None:
        libc = self.libc
        try:
            with open("/proc/sys/kernel/cap_last_cap", "rb") as handle:
                last = int(handle.read())
        except (OSError, ValueError):
            last = 40
        # The bounding set needs CAP_SETPCAP; an unprivileged worker has nothing to drop there
        # that no_new_privs does not already neutralise.
        bounding = all(libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) == 0 for cap in range(last + 1))
        libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
        header = _CapHeader(_CAP_VERSION_3, 0)
        data = (_CapData * 2)()
        problem = None
        if libc.capset(ctypes.byref(header), data) != 0:
            problem = _why("capset(empty)")
        sets = _capability_sets()
        if problem is None and any(sets.get(name, 1) for name in ("CapEff", "CapPrm", "CapAmb")):
            problem = f"capability sets are not empty after capset: {sets}"
        if problem is None and not bounding and sets.get("CapBnd", 1):
            self.reasons.append("capabilities_dropped: the bounding set could not be emptied")
        self._mark("capabilities_dropped", problem)

    def no_new_privs(self) -> None:
        problem = None
        if self.libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            problem = _why("prctl(PR_SET_NO_NEW_PRIVS)")
        elif self.libc.prctl(_PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1:
            problem = "PR_GET_NO_NEW_PRIVS does not read back 1"
        self._mark("no_new_privs", problem)

    def landlock(self) -> None:
        if not self.flags.get("no_new_privs"):
            self._mark("landlock", "needs no_new_privs, which is not active")
            return
        self._mark("landlock", _landlock.install(self.libc, cwd=self.cwd))

    def seccomp(self) -> None:
        if not self.flags.get("no_new_privs"):
            self._mark("seccomp", "needs no_new_privs, which is not active")
            return
        self._mark("seccomp", _seccomp.install(self.libc))

    def not_dumpable(self) -> None:
        problem = None
        if self.libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
            problem = _why("prctl(PR_SET_DUMPABLE, 0)")
        elif self.libc.prctl(_PR_GET_DUMPABLE, 0, 0, 0, 0) != 0:
            problem = "PR_GET_DUMPABLE does not read back 0"
        self._mark("not_dumpable", problem)


def _capability_sets() -> dict[str, int]:
    found: dict[str, int] = {}
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                name, _, value = line.partition(":")
                if name.startswith("Cap"):
                    found[name] = int(value.strip(), 16)
    except (OSError, ValueError):
        pass
    return found


def harden(*, cwd: str) -> IsolationReport:
    """Apply every measure the kernel allows to the calling (single-threaded) process.

    Args:
        cwd: The worker's temporary directory, kept writable under a read-only root.

    Returns:
        What holds; never raises for a refused measure.
    """
    steps = _Hardener(cwd)
    for step in (
        steps.network,
        steps.mounts,
        steps.capabilities,
        steps.no_new_privs,
        steps.landlock,
        steps.seccomp,
        steps.not_dumpable,
    ):
        try:
            step()
        except Exception as exc:
            # Best-effort means a surprise (a C library without ``capset``, an odd /proc) costs
            # this measure only, never the worker.
            steps.reasons.append(f"{step.__name__}: {type(exc).__name__}: {exc}")
    return IsolationReport(
        **{**steps.flags, "user_namespace": steps.flags.get("user_namespace", False)},
        uid=os.getuid(),
        reasons=tuple(steps.reasons),
    )
