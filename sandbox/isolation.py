"""Which kernel-level hardening measures a worker process runs under, as a frozen value.

Every measure is best-effort: a worker applies what the kernel allows and records the rest with
the reason, so a host (or a test) can tell exactly what holds on this machine. See
docs/sandbox.md, "Layer 2b", for what each measure stops and what it does not.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

__all__ = ["MEASURES", "IsolationReport"]

#: The measures, in the order a worker applies them.
MEASURES = (
    "network_namespace",
    "mount_namespace",
    "private_proc",
    "readonly_root",
    "capabilities_dropped",
    "no_new_privs",
    "landlock",
    "seccomp",
    "not_dumpable",
)


@dataclass(frozen=True, kw_only=True)
class IsolationReport:
    """What a worker process applied to itself before serving any call.

    Attributes:
        network_namespace: A new, empty network namespace (only a loopback that is down): no
            socket reaches anything, abstract Unix sockets of the host are invisible.
        user_namespace: The network namespace needed a new user namespace too (unprivileged
            host); the worker then runs as an unmapped uid inside it.
        mount_namespace: A private mount namespace (mount changes never reach the host).
        private_proc: ``/proc`` remounted with ``hidepid=invisible``: processes the worker
            may not ptrace (the host, other workers) do not appear in it.
        readonly_root: Every mount read-only, except the worker's own temporary cwd.
        capabilities_dropped: Effective, permitted and ambient capability sets empty (and the
            bounding set emptied when the worker was allowed to).
        no_new_privs: ``PR_SET_NO_NEW_PRIVS``: no exec can grant privileges (setuid binaries,
            file capabilities).
        landlock: A Landlock ruleset (Linux >= 5.13): the worker reads only the Python
            installation, the code on its import path, shared libraries and its own cwd (where
            it may also write); other files — ``/etc/shadow``, ``/root``, a registry database
            beside the code — answer ``EACCES`` whatever their owner. Where the kernel's
            Landlock ABI knows them, TCP bind/connect and signals or abstract Unix sockets
            outside the worker are refused too.
        seccomp: The syscall filter of :mod:`sandbox._seccomp` is installed.
        not_dumpable: ``PR_SET_DUMPABLE`` is 0: same-uid processes without ``CAP_SYS_PTRACE``
            cannot ptrace the worker or read its memory through ``/proc``.
        uid: The worker's uid as it sees itself (65534 inside an unmapped user namespace).
        reasons: ``"measure: why it is not active"`` for each measure that is not.
    """

    network_namespace: bool = False
    user_namespace: bool = False
    mount_namespace: bool = False
    private_proc: bool = False
    readonly_root: bool = False
    capabilities_dropped: bool = False
    no_new_privs: bool = False
    landlock: bool = False
    seccomp: bool = False
    not_dumpable: bool = False
    uid: int | None = None
    reasons: tuple[str, ...] = ()

    @classmethod
    def unavailable(cls, reason: str) -> IsolationReport:
        """A report with no measure active, for ``reason`` (e.g. the worker did not start)."""
        return cls(reasons=tuple(f"{name}: {reason}" for name in MEASURES))

    def active(self) -> tuple[str, ...]:
        """Names of the measures that hold, in :data:`MEASURES` order."""
        return tuple(name for name in MEASURES if getattr(self, name))

    def reason(self, measure: str) -> str | None:
        """Why ``measure`` is not active, or ``None`` when it is (or no reason was recorded)."""
        prefix = f"{measure}: "
        for line in self.reasons:
            if line.startswith(prefix):
                return line[len(prefix) :]
        return None

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON object."""
        data = {item.name: getattr(self, item.name) for item in fields(self)}
        data["reasons"] = list(self.reasons)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> IsolationReport:
        """Rebuild a report from :meth:`to_dict` output; anything malformed counts as inactive.

        The data comes from a worker, so only exact booleans are believed.
        """
        if not isinstance(data, dict):
            return cls.unavailable("the worker sent no isolation report")
        flags = {name: data.get(name) is True for name in (*MEASURES, "user_namespace")}
        uid = data.get("uid")
        reasons = data.get("reasons")
        return cls(
            **flags,
            uid=uid if type(uid) is int else None,
            reasons=tuple(str(item) for item in reasons) if isinstance(reasons, list) else (),
        )
