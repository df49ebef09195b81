"""Length-prefixed JSON frames over pipes between the host and a worker.

A frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON. The host reads
with deadlines and a size cap, because the other end runs untrusted code.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from collections.abc import Callable
from typing import Any

__all__ = ["FrameReader", "FrameTooLarge", "encode", "read_frame_blocking", "write_all"]

_HEADER = struct.Struct(">I")
# Built once: ``json.dumps`` with options makes a new encoder for every frame.
_ENCODE = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode


class FrameTooLarge(Exception):
    """The peer announced a frame above the cap."""


def encode(message: Any) -> bytes:
    """One frame holding ``message`` as JSON."""
    body = _ENCODE(message).encode("utf-8")
    return _HEADER.pack(len(body)) + body


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


def read_frame_blocking(fd: int) -> Any:
    """Read one frame (worker side, no deadline). Returns ``None`` at end of file."""
    header = _read_exact_blocking(fd, _HEADER.size)
    if header is None:
        return None
    (length,) = _HEADER.unpack(header)
    body = _read_exact_blocking(fd, length)
    if body is None:
        return None
    return json.loads(body)


def _read_exact_blocking(fd: int, size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


class FrameReader:
    """Host-side reader of one worker's frames.

    Args:
        fd: The read end of the worker's reply pipe (set non-blocking by this reader).
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = bytearray()
        os.set_blocking(fd, False)

    def read(
        self,
        *,
        deadline: float,
        max_bytes: int,
        on_idle: Callable[[], bool] | None = None,
        idle_seconds: float = 0.1,
    ) -> Any:
        """Read one frame.

        Args:
            deadline: ``time.monotonic()`` value after which to give up.
            max_bytes: Largest frame body accepted.
            on_idle: Called when nothing arrived for ``idle_seconds``; returning True gives up.
            idle_seconds: How often ``on_idle`` runs while waiting.

        Returns:
            The decoded message; ``EOF`` when the worker closed its end; ``TIMEOUT`` when the
            deadline passed or ``on_idle`` gave up.

        Raises:
            FrameTooLarge: The announced length is above ``max_bytes``.
            ValueError: The frame is not valid JSON.
        """
        length: int | None = None
        while True:
            if length is None and len(self._buffer) >= _HEADER.size:
                (length,) = _HEADER.unpack_from(self._buffer)
                if length > max_bytes:
                    raise FrameTooLarge(length)
            if length is not None and len(self._buffer) >= _HEADER.size + length:
                body = bytes(self._buffer[_HEADER.size : _HEADER.size + length])
                del self._buffer[: _HEADER.size + length]
                return json.loads(body)
            try:
                chunk = os.read(self._fd, 1 << 20)
            except BlockingIOError:
                chunk = None
            except OSError:
                # The pipe was closed under us (the pool is closing): same as end of file.
                return EOF
            if chunk == b"":
                return EOF
            if chunk:
                self._buffer += chunk
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return TIMEOUT
            try:
                readable, _, _ = select.select([self._fd], [], [], min(remaining, idle_seconds))
            except (OSError, ValueError):
                return EOF
            if not readable and on_idle is not None and on_idle():
                return TIMEOUT


class _Sentinel:
    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


EOF = _Sentinel("EOF")
TIMEOUT = _Sentinel("TIMEOUT")
