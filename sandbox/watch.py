"""The harness's watch over its own limits: once one fired, no skill code can carry on.

``MemoryError`` (the address-space cap) and ``RecursionError`` (the stack cap) are exceptions,
and ``except Exception`` or ``except RuntimeError`` in a skill would catch them: the skill could
then return as if nothing had happened. So the restricted compiler (:mod:`sandbox.restricted`)
puts a call to :data:`CHECK_NAME` first in every ``except`` body and every ``finally`` body of a
skill. That call looks at the exception being handled; if it is an instance of the interpreter's
own ``MemoryError`` or ``RecursionError`` (skill code can neither name nor build those classes),
the watch records the limit, and from then on every handler and ``finally`` the skill enters
raises :class:`LimitReached` instead of running. The harness classifies that as ``limit``.

Trusted harness code can fire the watch itself (the verifier does on its own timeouts and
budgets), with the same effect: the skill cannot swallow the end of its call.
"""

from __future__ import annotations

import sys

__all__ = ["CHECK_NAME", "LimitReached", "LimitWatch", "limit_of"]

CHECK_NAME = "_limit_check_"
"""The global the instrumented handlers call (an underscore name: skill code cannot reach it)."""


class LimitReached(BaseException):
    """A limit of the harness fired; raised into the skill until it has unwound completely.

    Attributes:
        kind: ``"memory"`` (the address-space or the stack cap) or what the harness fired.
        detail: What happened, for the report.
    """

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


_CHAIN = 100_000
"""Exceptions looked at along a ``__context__``/``__cause__`` chain: each frame of a deep
recursion can add one (a name that fails to resolve in its ``except`` clause)."""


def limit_of(exc: BaseException | None) -> tuple[str, str] | None:
    """``(kind, detail)`` when ``exc``, or an exception it was raised while handling, is one of
    the interpreter's own limits; else ``None``.

    The class's identity decides, never its name: a skill raising something named
    ``MemoryError`` is an error, not a limit. The chain matters because a skill can replace the
    limit's exception by another one (``except Exception: raise ValueError()``, or a name that
    fails to resolve in an ``except`` clause): the limit still fired.
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen and len(seen) < _CHAIN:
        seen.add(id(exc))
        if isinstance(exc, LimitReached):
            return exc.kind, exc.detail
        if type(exc) is MemoryError:
            return "memory", "the interpreter ran out of memory (MemoryError)"
        if type(exc) is RecursionError:
            return "memory", "the stack limit was reached (maximum recursion depth exceeded)"
        # ``raise ... from None`` says the context is not the cause; a skill cannot use it to
        # hide a limit, because its handler already reported the limit before raising. Trusted
        # code that turns a limit into another error chains it as the cause (``from exc``).
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return None


class LimitWatch:
    """Whether a limit fired during one call of a skill; sticky once it did."""

    __slots__ = ("fired",)

    def __init__(self) -> None:
        #: ``(kind, detail)`` of the first limit that fired, or ``None``.
        self.fired: tuple[str, str] | None = None

    def fire(self, kind: str, detail: str) -> None:
        """Record a limit observed by trusted code (the first one counts)."""
        if self.fired is None:
            self.fired = (kind, detail)

    def observe(self, exc: BaseException | None) -> None:
        """Record ``exc`` if it is the interpreter's own memory or stack limit."""
        found = limit_of(exc)
        if found is not None:
            self.fire(*found)

    def check(self) -> None:
        """What every instrumented handler calls first: raise once a limit has fired."""
        if self.fired is None:
            self.observe(sys.exc_info()[1])
        if self.fired is not None:
            raise LimitReached(*self.fired)
