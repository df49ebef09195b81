"""Recording host-tool calls per session: nothing added concurrently is lost."""

from __future__ import annotations

import threading
from types import TracebackType

from skills_runtime.export.recording import SessionRecorder, tool_call


class _InterleavingLock:
    """A lock that, once armed, lets another thread run ``interleave`` right after a release."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.interleave: threading.Thread | None = None

    def __enter__(self) -> None:
        self._lock.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._lock.release()
        thread, self.interleave = self.interleave, None
        if thread is not None:
            thread.start()
            thread.join()


def test_a_call_added_while_a_session_is_flushed_is_kept_for_the_next_flush() -> None:
    recorder = SessionRecorder(task_prefix="mcp-session")
    lock = _InterleavingLock()
    recorder._lock = lock  # type: ignore[assignment]  # to interleave another thread's add
    recorder.add("s1", tool_call("get_order", {"order_id": "#W1"}, result={"status": "ok"}))
    late = tool_call("get_order", {"order_id": "#W2"}, result={"status": "ok"})
    lock.interleave = threading.Thread(target=recorder.add, args=("s1", late))

    flushed = recorder.flush("s1")

    assert flushed is not None
    assert [call.arguments for call in flushed.calls] == [{"order_id": "#W1"}]
    remaining = recorder.flush("s1")
    assert remaining is not None
    assert [call.arguments for call in remaining.calls] == [{"order_id": "#W2"}]
    assert remaining.id != flushed.id
