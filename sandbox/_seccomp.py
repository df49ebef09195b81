"""A small seccomp deny-list for worker processes (x86-64 only), built as classic BPF.

A deny-list, not an allow-list: the worker runs CPython, whose syscall set depends on the
modules a trusted target imports, and an allow-list that misses one turns into mysterious
crashes. Denied are the syscalls a worker never needs and an escaped skill would want: new
processes and programs, signals (to any process), ptrace and cross-process memory, sockets,
namespaces and mounts, keyrings, ``bpf``/``perf_event_open``/``userfaultfd``/``io_uring``
(io_uring operations bypass seccomp), and ``prlimit64`` on any process but itself. Threads stay
possible (``clone`` with ``CLONE_THREAD``) because libraries may start them.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

__all__ = ["DENIED", "install"]

# x86-64 syscall numbers.
_CLONE = 56
_CLONE3 = 435
_PRLIMIT64 = 302
DENIED = {
    "socket": 41,
    "connect": 42,
    "fork": 57,
    "vfork": 58,
    "execve": 59,
    "kill": 62,
    "ptrace": 101,
    "rt_sigqueueinfo": 129,
    "pivot_root": 155,
    "chroot": 161,
    "mount": 165,
    "umount2": 166,
    "tkill": 200,
    "tgkill": 234,
    "add_key": 248,
    "request_key": 249,
    "keyctl": 250,
    "unshare": 272,
    "rt_tgsigqueueinfo": 297,
    "perf_event_open": 298,
    "setns": 308,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "bpf": 321,
    "execveat": 322,
    "userfaultfd": 323,
    "pidfd_send_signal": 424,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsmount": 433,
    "pidfd_getfd": 438,
    "mount_setattr": 442,
}

_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_BIT = 0x40000000
_CLONE_THREAD = 0x00010000
_LD_W_ABS = 0x20
_JEQ = 0x15
_JGE = 0x35
_JSET = 0x45
_RET = 0x06
_ALLOW = 0x7FFF0000
_KILL_PROCESS = 0x80000000
_ERRNO = 0x00050000
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
# Offsets in struct seccomp_data.
_NR, _ARCH, _ARG0 = 0, 4, 16


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


_Jump = str | int
_Step = tuple[int, _Jump, _Jump, int] | str  # an instruction, or a label naming the next one


def _program() -> list[tuple[int, int, int, int]]:
    """Instructions ``(code, jt, jf, k)``, with jumps resolved from labels."""
    steps: list[_Step] = [
        (_LD_W_ABS, 0, 0, _ARCH),
        (_JEQ, 1, 0, _AUDIT_ARCH_X86_64),
        (_RET, 0, 0, _KILL_PROCESS),
        (_LD_W_ABS, 0, 0, _NR),
        (_JGE, "deny", 0, _X32_BIT),
        *[(_JEQ, "deny", 0, number) for number in sorted(DENIED.values())],
        (_JEQ, "enosys", 0, _CLONE3),
        (_JEQ, 0, "clone", _PRLIMIT64),
        (_LD_W_ABS, 0, 0, _ARG0),
        (_JEQ, "allow", "deny", 0),
        "clone",
        (_JEQ, 0, "allow", _CLONE),
        (_LD_W_ABS, 0, 0, _ARG0),
        (_JSET, "allow", "deny", _CLONE_THREAD),
        "allow",
        (_RET, 0, 0, _ALLOW),
        "deny",
        (_RET, 0, 0, _ERRNO | errno.EPERM),
        "enosys",
        (_RET, 0, 0, _ERRNO | errno.ENOSYS),
    ]
    labels: dict[str, int] = {}
    plain: list[tuple[int, _Jump, _Jump, int]] = []
    for step in steps:
        if isinstance(step, str):
            labels[step] = len(plain)
        else:
            plain.append(step)

    def offset(jump: _Jump, index: int) -> int:
        # Classic BPF jumps count the instructions skipped after the current one.
        return labels[jump] - index - 1 if isinstance(jump, str) else jump

    return [(code, offset(jt, i), offset(jf, i), k) for i, (code, jt, jf, k) in enumerate(plain)]


def install(libc: ctypes.CDLL) -> str | None:
    """Install the filter on the calling process (needs no_new_privs); returns why not, or None.

    ``prlimit64`` stays allowed on the process itself (``pid == 0``) because the worker lowers
    its own limits per call; raising hard limits is refused by the kernel once capabilities are
    gone. ``clone3`` answers ``ENOSYS`` so the C library falls back to ``clone``, which is
    checked for ``CLONE_THREAD``.
    """
    if platform.machine() != "x86_64":
        return f"the filter is written for x86_64 only, this machine is {platform.machine()}"
    instructions = _program()
    raw = b"".join(struct.pack("=HBBI", *item) for item in instructions)
    buffer = ctypes.create_string_buffer(raw, len(raw))
    program = _Program(len(instructions), ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) != 0:
        return f"prctl(PR_SET_SECCOMP) failed: {errno.errorcode.get(ctypes.get_errno(), '?')}"
    return None
