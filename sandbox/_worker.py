"""The worker process: hardens itself, applies its limits, then serves requests over pipes.

Started as ``python -I -c <bootstrap> <config json>`` with a scrubbed environment, a temporary
cwd and its own session; it then applies the best-effort kernel measures of
:mod:`sandbox._harden` and reports which hold in its hello. Every request gets a fresh
namespace; the host recycles the worker after a limit breach (not a spent tool budget), a
crash, a trusted run, or a number of calls.
"""

from __future__ import annotations

import gc
import io
import os
import resource
import sys
from typing import Any

from sandbox import _protocol
from sandbox._harden import harden
from sandbox._hygiene import reset_shared_state
from sandbox._runner import encode_value, run_request
from sandbox.errors import ToolError
from sandbox.proxy import TextDispatch
from sandbox.watch import LimitReached

__all__ = ["BOOTSTRAP", "main"]

#: Code passed to ``python -I -c``: put the host's import path in place, then serve.
BOOTSTRAP = (
    "import sys, json; config = json.loads(sys.argv[1]); sys.path[:0] = config['path']; "
    "from sandbox._worker import main; main(config)"
)

_MIB = 1024 * 1024
_SPIN_SECONDS = 100e-6
"""How long the worker polls for a tool's answer, and after answering for the next request,
before sleeping, when the host says its call is the only one in flight (``_protocol.Spin``)."""


def _apply_limits(config: dict[str, Any]) -> None:
    hard_as = int(config["memory_mb"]) * _MIB
    resource.setrlimit(resource.RLIMIT_AS, (hard_as, hard_as))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    # Counted per user: with 0 this process can neither fork nor start threads (unless root).
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))


class _Output(io.TextIOBase):
    """Captured text with a cap; crossing the cap reports to the host and ends the worker."""

    def __init__(self, conn_fd: int, cap: int) -> None:
        self._fd = conn_fd
        self._cap = cap
        self._parts: list[str] = []
        self._size = 0

    def write(self, text: str) -> int:
        if type(text) is not str:
            raise TypeError("only text can be printed")
        size = len(text.encode("utf-8", "replace"))
        if self._size + size > self._cap:
            _protocol.write_all(self._fd, _protocol.encode({"op": "limit", "kind": "output"}))
            os._exit(0)
        self._parts.append(text)
        self._size += size
        return len(text)

    def emit(self, text: str) -> None:
        """The print sink of restricted code."""
        self.write(text)

    def text(self) -> str:
        return "".join(self._parts)


class _PipeDispatch(TextDispatch):
    """Sends a tool call to the host and waits for its answer."""

    __slots__ = ("_reader", "_spin", "_wfd")

    def __init__(self, reader: _protocol.BlockingReader, wfd: int, *, spin: float) -> None:
        self._reader = reader
        self._wfd = wfd
        self._spin = spin

    def __call__(self, name: str, arguments_json: str) -> Any:
        # The arguments arrive as compact ASCII JSON (the proxy's encoding): spliced, not
        # decoded and encoded again.
        body = b'{"op":"tool","name":%s,"args":%s}' % (
            _protocol.encode_text(name),
            arguments_json.encode("ascii"),
        )
        _protocol.write_all(self._wfd, _protocol.encode_raw(body))
        reply = self._reader.read(spin_seconds=self._spin)
        if reply is None:
            os._exit(0)
        if "error" in reply:
            raise ToolError(reply["error"])
        if "limit" in reply:
            # The host ended the call (its tool budget is spent): unwind the skill, which its
            # handlers cannot stop (see sandbox.watch), and report back; the worker lives on.
            raise LimitReached(str(reply["limit"]), "the host ended the call")
        return reply["value"]


def _spin_of(request: dict[str, Any]) -> float:
    """How long to poll before sleeping while serving ``request`` and awaiting the next one."""
    return _SPIN_SECONDS if request.get("spin") is True else 0.0


def _serve(
    request: dict[str, Any], reader: _protocol.BlockingReader, wfd: int, *, spin: float
) -> bytes:
    limits = request["limits"]
    used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    # Kernel backstop for CPU; the host also measures and kills earlier.
    cpu_soft = int(used + float(limits["cpu_seconds"])) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_soft, resource.RLIM_INFINITY))
    soft_as, hard_as = resource.getrlimit(resource.RLIMIT_AS)
    wanted_as = min(int(limits["memory_mb"]) * _MIB, hard_as)
    if wanted_as != soft_as:
        resource.setrlimit(resource.RLIMIT_AS, (wanted_as, hard_as))
    output = _Output(wfd, int(limits["output_bytes"]))

    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = output
    try:
        status, payload = run_request(request, _PipeDispatch(reader, wfd, spin=spin), output.emit)
    finally:
        sys.stdout, sys.stderr = saved
        reset_shared_state()
    head: dict[str, Any] = {"op": "done", "status": status, "output": output.text()}
    if status != "ok":
        head["payload"] = payload
        return _protocol.encode(head)
    text, problem = encode_value(payload)
    del payload
    if text is None:
        head.update(status="error", payload=problem)
        return _protocol.encode(head)
    value = text.encode("utf-8")
    if len(value) > int(limits["result_bytes"]):
        head.update(status="result_size", payload=len(value))
        return _protocol.encode(head)
    # The value's text is spliced in as it is: encoding the head around it would copy it again.
    body = b'{"op":"done","status":"ok","output":%s,"value":%s}' % (
        _protocol.encode_text(head["output"]),
        value,
    )
    return _protocol.encode_raw(body)


def main(config: dict[str, Any]) -> None:
    """Harden this process, apply its limits, then serve requests until the host closes the pipe."""
    # First, while the process still holds whatever privileges it started with: namespaces and
    # mounts need them; everything after runs without.
    isolation = harden(cwd=os.getcwd())
    _apply_limits(config)
    sys.dont_write_bytecode = True
    rfd, wfd = config["fds"]
    import sandbox.restricted  # noqa: F401 - preload so calls do not pay for imports

    # What is loaded now (the interpreter, RestrictedPython, the sandbox) lives as long as the
    # worker: moved out of the collector's reach, a full collection during a call walks only what
    # calls made, not the whole preloaded heap (some 13,000 objects, a millisecond each time).
    gc.collect()
    gc.freeze()
    hello = {"op": "ready", "pid": os.getpid(), "isolation": isolation.to_dict()}
    _protocol.write_all(wfd, _protocol.encode(hello))
    reader = _protocol.BlockingReader(rfd)
    spin = 0.0
    while True:
        request = reader.read(spin_seconds=spin)
        if request is None:
            os._exit(0)
        try:
            spin = _spin_of(request)
            frame = _serve(request, reader, wfd, spin=spin)
        except MemoryError:
            frame = _protocol.encode({"op": "done", "status": "memory", "output": ""})
        _protocol.write_all(wfd, frame)
        # After the answer, off the call's time: the young generations are collected, so the
        # next call starts from the same collector counts whatever this one allocated (and its
        # cyclic garbage is gone); see sandbox/_hygiene.py.
        gc.collect(1)
