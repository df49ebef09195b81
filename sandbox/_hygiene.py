"""Shared state that skill code can fill, cleared after every call in a warm worker.

A worker serves many calls, one after another. Each call gets fresh globals, but the modules
behind the helper namespaces are shared: ``re`` keeps a cache of compiled patterns (and of
replacement templates), so a skill that compiled a pattern from its secret argument would leave
the pattern behind, and the next skill could find it by timing ``re.search`` on guesses. Every
cache a helper can fill is emptied here, before the worker answers and so before it takes the
next request.

The garbage collector is shared state too: how many objects a call allocated moves the moment of
the next collection, which a later skill could find by timing its own allocations, and cyclic
garbage holding a call's values stays in memory until collected. The worker collects the two
young generations after it has sent each answer (about 0.05 ms; a full collection would cost
milliseconds), which frees the call's young cycles and starts every call from the same
young-generation counts. What
is not cleared (the oldest generation, the allocator's free lists) is listed in docs/sandbox.md
as a remaining side channel.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sandbox.namespaces import NAMESPACES

__all__ = ["reset_shared_state"]


def _cache_clearers() -> tuple[Callable[[], object], ...]:
    """The ``cache_clear`` of every memoised helper (the namespaces are fixed at import)."""
    found = []
    for namespace in NAMESPACES.values():
        for member in namespace.members():
            cache_clear = getattr(member, "cache_clear", None)
            if callable(cache_clear):
                found.append(cache_clear)
    return tuple(found)


_CLEARERS = _cache_clearers()


def reset_shared_state() -> None:
    """Empty every cache the helper namespaces can fill (``re``'s, and any memoised helper)."""
    re.purge()  # the pattern cache and the lru_cache of replacement templates
    for cache_clear in _CLEARERS:
        cache_clear()
