"""Length-prefixed JSON frames over pipes between the host and a worker.

A frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON (a lone
surrogate, which JSON strings may hold, passes as ``json.loads`` lets it: "surrogatepass"). The
host reads with deadlines and a size cap, because the other end runs untrusted code. A body is
often spliced from JSON texts already made (a tool's answer, a skill's return value) rather than
encoded again around them.
"""

from __future__ import annotations

import json
import math
import os
import select
import struct
import time
from collections.abc import Callable
from typing import Any

from sandbox._json import compact_ascii

__all__ = [
    "BlockingReader",
    "FrameReader",
    "FrameTooLarge",
    "Spin",
    "decode",
    "encode",
    "encode_raw",
    "encode_text",
    "write_all",
]

_HEADER = struct.Struct(">I")
# Bytes asked of one read: a pipe holds 64 KiB; asking for far more makes every read allocate
# (and map, then unmap) a buffer of that size, which costs more than the read itself.
_CHUNK = 1 << 16
_ENCODE = compact_ascii


# Frames are UTF-8 (ours are ASCII): decoded as such, without ``json.loads``'s detection of
# the encoding on every frame. Malformed text raises ValueError, as ``json.loads`` does.
_DECODE = json.JSONDecoder().decode


def decode(body: bytes) -> Any:
    """The message of one frame body."""
    return _DECODE(body.decode("utf-8", "surrogatepass"))


class FrameTooLarge(Exception):
    """The peer announced a frame above the cap."""


def encode(message: Any) -> bytes:
    """One frame holding ``message`` as JSON."""
    body = _ENCODE(message).encode("utf-8")
    return _HEADER.pack(len(body)) + body


def encode_text(value: Any) -> bytes:
    """``value`` as compact ASCII JSON bytes (to splice into a frame body)."""
    return _ENCODE(value).encode("ascii")


def encode_raw(body: bytes) -> bytes:
    """One frame around already-encoded JSON bytes."""
    return _HEADER.pack(len(body)) + body


def write_all(fd: int, data: bytes, *, deadline: float | None = None) -> bool:
    """Write every byte, waiting at most until ``deadline``; False on timeout or a closed peer."""
    view = memoryview(data)
    while view:
        try:
            # On a non-blocking fd (the host's) this never waits: a full pipe raises
            # BlockingIOError and the deadline applies below. Most frames fit at once.
            written = os.write(fd, view)
        except BlockingIOError:
            written = 0
        except OSError:
            return False
        view = view[written:]
        if not view:
            return True
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            return False
        try:
            _, writable, _ = select.select([], [fd], [], remaining)
        except (OSError, ValueError):
            return False
        if not writable:
            return False
    return True


class Spin:
    """Polling for a frame for a moment before sleeping on the pipe, while that pays.

    A process that sleeps on a pipe and is woken by a write pays for the wake-up: on a virtual
    machine, tens of microseconds when its CPU went idle, often more than the other end took
    to answer. Polling a little first skips the sleep when the answer is near. It pays only
    while answers come within the window, so a reader polls again only if its last frame
    arrived within it; after a slow one (a skill computing, a slow tool) it sleeps at once, and
    polls again after the next quick frame.
    """

    __slots__ = ("_clock", "_last_wait", "_seconds", "_started")

    def __init__(self, *, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self._last_wait = 0.0
        self._seconds = 0.0
        self._started: float | None = None

    def start(self, seconds: float) -> bool:
        """A frame is awaited; whether to poll for it for ``seconds`` first."""
        self._started = self._clock() if seconds > 0 else None
        self._seconds = seconds
        return seconds > 0 and self._last_wait <= seconds

    def wait(self, poll: select.poll) -> bool:
        """Poll until the fd is readable or the window closed; whether it became readable.

        Called only after :meth:`start` said to poll (which set the window's start).
        """
        clock = self._clock
        end = (self._started or 0.0) + self._seconds
        while True:
            if poll.poll(0):
                return True
            if clock() >= end:
                return False

    def arrived(self) -> None:
        """The awaited frame is here: remember how long it took."""
        if self._started is not None:
            self._last_wait = self._clock() - self._started
            self._started = None


class BlockingReader:
    """Worker-side reader of the host's frames (no deadline: the host is trusted).

    Reads as much as the pipe holds at once, so a frame usually costs one ``read``.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = bytearray()
        self._poll = select.poll()
        self._poll.register(fd, select.POLLIN)
        self._spin = Spin()

    def read(self, *, spin_seconds: float = 0.0) -> Any:
        """The next frame's message; ``None`` at end of file.

        Args:
            spin_seconds: Poll for the frame this long before sleeping on the pipe, while
                frames have come that quickly (see :class:`Spin`).
        """
        buffer = self._buffer
        spin = self._spin.start(spin_seconds)
        while True:
            if len(buffer) >= _HEADER.size:
                (length,) = _HEADER.unpack_from(buffer)
                end = _HEADER.size + length
                if len(buffer) >= end:
                    body = bytes(buffer[_HEADER.size : end])
                    del buffer[:end]
                    self._spin.arrived()
                    return decode(body)
            if spin:
                spin = False
                self._spin.wait(self._poll)
            chunk = os.read(self._fd, _CHUNK)
            if not chunk:
                return None
            buffer += chunk


class FrameReader:
    """Host-side reader of one worker's frames.

    Args:
        fd: The read end of the worker's reply pipe (set non-blocking by this reader).
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = bytearray()
        os.set_blocking(fd, False)
        # One poll object for the reader's life: select() builds its fd sets on every call.
        self._poll = select.poll()
        self._poll.register(fd, select.POLLIN)
        self._spin = Spin()

    def read(
        self,
        *,
        deadline: float,
        max_bytes: int,
        on_idle: Callable[[], bool] | None = None,
        idle_seconds: float = 0.1,
        spin_seconds: float = 0.0,
    ) -> Any:
        """Read one frame.

        Args:
            deadline: ``time.monotonic()`` value after which to give up.
            max_bytes: Largest frame body accepted.
            on_idle: Called when nothing arrived for ``idle_seconds``; returning True gives up.
            idle_seconds: How often ``on_idle`` runs while waiting.
            spin_seconds: Poll for the frame this long before sleeping, while frames have come
                that quickly (see :class:`Spin`).

        Returns:
            The decoded message; ``EOF`` when the worker closed its end; ``TIMEOUT`` when the
            deadline passed or ``on_idle`` gave up.

        Raises:
            FrameTooLarge: The announced length is above ``max_bytes``.
            ValueError: The frame is not valid JSON.
        """
        buffer = self._buffer
        length: int | None = None
        spin = self._spin.start(spin_seconds)
        while True:
            if length is None and len(buffer) >= _HEADER.size:
                (length,) = _HEADER.unpack_from(buffer)
                if length > max_bytes:
                    raise FrameTooLarge(length)
            if length is not None and len(buffer) >= _HEADER.size + length:
                body = bytes(buffer[_HEADER.size : _HEADER.size + length])
                del buffer[: _HEADER.size + length]
                self._spin.arrived()
                return decode(body)
            # Wait first: a frame is read right after a request was written, when the answer
            # has almost never arrived yet (a read would only fail with EAGAIN).
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return TIMEOUT
            if spin:
                spin = False
                if self._spin.wait(self._poll):
                    continue
            try:
                ready = self._poll.poll(math.ceil(min(remaining, idle_seconds) * 1000))
            except (OSError, ValueError):
                return EOF
            if not ready:
                if on_idle is not None and on_idle():
                    return TIMEOUT
                continue
            try:
                chunk = os.read(self._fd, _CHUNK)
            except BlockingIOError:
                continue
            except OSError:
                # The pipe was closed under us (the pool is closing): same as end of file.
                return EOF
            if not chunk:
                return EOF
            buffer += chunk


class _Sentinel:
    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


EOF = _Sentinel("EOF")
TIMEOUT = _Sentinel("TIMEOUT")
