"""A Landlock ruleset for worker processes: the filesystem shrinks to what CPython needs.

A root worker without capabilities still *owns* every root-owned file (``/etc/shadow``,
``/root/...``, the host's SQLite registry) and reads it through the owner bits. Landlock
(Linux >= 5.13) restricts a process by path whatever its uid: this ruleset handles every
filesystem right the running kernel knows, then allows reading only

- the Python installation (``sys.base_prefix``, ``sys.prefix`` and the exec prefixes), and
  ``site-packages``/``dist-packages`` directories on ``sys.path``;
- of any other directory on ``sys.path`` (the project, a test directory, a script's
  directory): its listing, its module files, and its package directories (``__init__.py``
  or module files inside) — not other files, so a ``skillbank.db`` beside the code stays
  unreadable;
- the shared libraries (``/lib*``, ``/usr/lib*``, ``/etc/ld.so.cache``), the time-zone data,
  ``/dev/null``, ``/dev/(u)random``, and the worker's own ``/proc/self``;

and everything beneath the worker's temporary cwd. Where the kernel knows them (ABI >= 4 and
>= 6), TCP ``bind``/``connect``, abstract Unix sockets and signals outside the worker are
denied too. The syscall numbers 444-446 are the same on every architecture (syscalls added
since Linux 5.1 share one table).
"""

from __future__ import annotations

import ctypes
import errno
import glob
import importlib.machinery
import os
import stat
import sys
from collections.abc import Iterator

__all__ = ["install"]

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
#: Rights that apply to a file itself; a rule on a non-directory may hold only these.
_FILE_RIGHTS = _EXECUTE | _WRITE_FILE | _READ_FILE | _TRUNCATE | _IOCTL_DEV
_READ = _READ_FILE | _READ_DIR
_LIBRARY = _READ | _EXECUTE
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1

_SYSTEM_READ = ("/etc/ld.so.cache", "/usr/share/zoneinfo")
_DEVICES = {
    "/dev/null": _READ_FILE | _WRITE_FILE | _TRUNCATE | _IOCTL_DEV,
    "/dev/urandom": _READ_FILE,
    "/dev/random": _READ_FILE,
}
_MODULE_SUFFIXES = tuple(importlib.machinery.all_suffixes())


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # the kernel's struct is __attribute__((packed)): 12 bytes
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _errno_name() -> str:
    code = ctypes.get_errno()
    return errno.errorcode.get(code, str(code))


def _handled_fs(abi: int) -> int:
    rights = (1 << 13) - 1  # ABI 1: EXECUTE .. MAKE_SYM
    if abi >= 2:
        rights |= _REFER
    if abi >= 3:
        rights |= _TRUNCATE
    if abi >= 5:
        rights |= _IOCTL_DEV
    return rights


def _installation() -> list[str]:
    return [sys.base_prefix, sys.prefix, sys.base_exec_prefix, sys.exec_prefix]


def _is_package(path: str) -> bool:
    try:
        names = os.listdir(path)
    except OSError:
        return False
    return any(name == "__init__.py" or name.endswith(_MODULE_SUFFIXES) for name in names)


def _path_entry(entry: str, installation: list[str]) -> Iterator[tuple[str, int]]:
    """Rules for one ``sys.path`` entry: all of it when installed code, else its code only."""
    real = os.path.realpath(entry)
    if not os.path.isdir(real):
        yield real, _READ_FILE  # a zip archive
        return
    inside = any(
        os.path.commonpath([real, os.path.realpath(root)]) == os.path.realpath(root)
        for root in installation
    )
    if inside or os.path.basename(real) in ("site-packages", "dist-packages"):
        yield real, _LIBRARY
        return
    yield real, _READ_DIR
    try:
        children = list(os.scandir(real))
    except OSError:
        return
    for child in children:
        name = child.name
        if child.is_dir():
            if name == "__pycache__" or name.endswith((".dist-info", ".egg-info")):
                yield child.path, _READ
            elif name.isidentifier() and _is_package(child.path):
                yield child.path, _LIBRARY
        elif name.endswith(_MODULE_SUFFIXES):
            yield child.path, _READ_FILE


def rules(*, cwd: str, handled: int) -> list[tuple[str, int]]:
    """Every ``(path, allowed rights)`` of the ruleset, before masking by kind of file."""
    installation = _installation()
    found = [(root, _LIBRARY) for root in installation]
    for pattern in ("/lib*", "/usr/lib*"):
        found += [(path, _LIBRARY) for path in sorted(glob.glob(pattern))]
    found += [(path, _READ) for path in _SYSTEM_READ]
    found += list(_DEVICES.items())
    found.append(("/proc/self", _READ))
    for entry in sys.path:
        if entry and os.path.exists(entry):
            found += _path_entry(os.path.abspath(entry), installation)
    found.append((cwd, handled))
    return found


def _add_rule(libc: ctypes.CDLL, ruleset: int, path: str, rights: int) -> str | None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return None  # absent (or already unreachable) here: nothing to allow
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= _FILE_RIGHTS
        if not rights:
            return None
        attr = _PathBeneathAttr(rights, fd)
        if libc.syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(attr), 0) != 0:
            return f"landlock_add_rule({path}) failed: {_errno_name()}"
        return None
    finally:
        os.close(fd)


def install(libc: ctypes.CDLL, *, cwd: str) -> str | None:
    """Restrict the calling (single-threaded) process; returns why not, or ``None``.

    Needs ``no_new_privs`` (or ``CAP_SYS_ADMIN``). Nothing is restricted unless every rule was
    accepted: a half-built ruleset could leave the interpreter unable to import.
    """
    abi = libc.syscall(_CREATE_RULESET, None, 0, _CREATE_RULESET_VERSION)
    if abi < 0:
        return f"landlock_create_ruleset(VERSION) failed: {_errno_name()} (Linux >= 5.13 with "
        "the landlock LSM enabled is needed)"
    handled = _handled_fs(abi)
    attr = _RulesetAttr(handled_access_fs=handled)
    size = ctypes.sizeof(ctypes.c_uint64)
    if abi >= 4:
        attr.handled_access_net = _NET_BIND_TCP | _NET_CONNECT_TCP
        size += ctypes.sizeof(ctypes.c_uint64)
    if abi >= 6:
        attr.scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL
        size += ctypes.sizeof(ctypes.c_uint64)
    ruleset = libc.syscall(_CREATE_RULESET, ctypes.byref(attr), size, 0)
    if ruleset < 0:
        return f"landlock_create_ruleset(ABI {abi}) failed: {_errno_name()}"
    try:
        for path, rights in rules(cwd=cwd, handled=handled):
            problem = _add_rule(libc, ruleset, path, rights & handled)
            if problem is not None:
                return problem
        if libc.syscall(_RESTRICT_SELF, ruleset, 0) != 0:
            return f"landlock_restrict_self failed: {_errno_name()}"
    finally:
        os.close(ruleset)
    return None
