"""No state survives between two calls in one warm worker.

A skill can fill the caches behind its helpers (``re`` compiles and caches every pattern it is
given; ``re.sub`` caches replacement templates). A later skill in the same worker could time
``re.search`` on guesses and find the earlier skill's secret pattern among them. The worker
empties those caches after every call. The tests look at the caches themselves from inside the
same worker right after a skill ran (a trusted probe), so nothing depends on timing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sandbox import Limits, ProcessPool

SECRET = "s3cr3t-7f42"

FILLS_CACHES = (
    "def f(secret):\n"
    "    hits = re.search(secret, 'xx' + secret + 'yy')\n"
    "    re.findall('(' + secret + ')+', secret)\n"
    "    re.sub(secret, '<' + secret + r'\\g<0>>', secret)\n"
    "    re.split('[' + secret[0] + ']', 'abc')\n"
    "    return hits['start']\n"
)

PROBES_BY_TIMING = (
    "def f(candidates):\n"
    "    found = []\n"
    "    for candidate in candidates:\n"
    "        found.append(re.search(candidate, 'xx') is None)\n"
    "    return found\n"
)


@pytest.fixture
def one_worker() -> Iterator[ProcessPool]:
    """A pool of one worker: every call lands in the same warm process."""
    with ProcessPool(size=1, limits=Limits(wall_seconds=30.0)) as pool:
        yield pool


def _caches(pool: ProcessPool, secret: str) -> dict[str, Any]:
    probe = pool.run_trusted("security.probes:helper_caches", {"secret": secret})
    assert probe.status == "ok", probe
    assert isinstance(probe.value, dict)
    return probe.value


def test_a_skill_leaves_nothing_in_the_helpers_caches_for_the_next_call(
    one_worker: ProcessPool,
) -> None:
    first = one_worker.run(FILLS_CACHES, entry="f", args={"secret": SECRET})
    assert (first.status, first.value) == ("ok", 2)
    caches = _caches(one_worker, SECRET)
    # Same worker: the probe is its second call.
    assert first.stats["worker_calls"] == 1
    assert caches["secret_in_re_cache"] is False
    assert caches["re_templates"] == 0
    assert all(size == 0 for size in caches["memoised"].values())


def test_what_a_second_skill_can_observe_does_not_depend_on_the_first_skill_s_arguments() -> None:
    """Run [secret skill; prober skill] in one worker for two secrets: nothing differs after.

    The prober's only channel would be the pattern cache (a cached pattern is found faster).
    What it ran against is the state the trusted probe reads right after it: it is the same
    whichever secret the first skill had, so no timing can tell the secrets apart.
    """
    candidates = ["alpha-1", "s3cr3t-7f42", "bravo-2", "other-3f10"]
    seen = []
    for secret in ("s3cr3t-7f42", "other-3f10"):
        with ProcessPool(size=1, limits=Limits(wall_seconds=30.0)) as pool:
            assert pool.run(FILLS_CACHES, entry="f", args={"secret": secret}).status == "ok"
            probe = pool.run(PROBES_BY_TIMING, entry="f", args={"candidates": candidates})
            assert probe.status == "ok"
            assert probe.stats["worker_calls"] == 2  # the same warm worker as the secret skill
            state = _caches(pool, secret)
            assert state["secret_in_re_cache"] is False
            del state["pid"]
            seen.append((probe.value, state))
    assert seen[0] == seen[1]


ALLOCATES_BY_SECRET = (
    "def f(secret):\n"
    "    for i in range(secret):\n"
    "        cycle = []\n"
    "        cycle.append(cycle)\n"
    "    return 'done'\n"
)


def test_the_collector_s_counts_after_a_call_do_not_depend_on_what_it_allocated() -> None:
    """How many objects a call allocated would move the next collection, which a later skill
    could find by timing its own allocations; the worker collects the young generations after
    every call, so the next call starts from the same counts whatever the secret was."""
    seen = []
    for secret in (3, 4_321):
        with ProcessPool(size=1, limits=Limits(wall_seconds=30.0)) as pool:
            first = pool.run(ALLOCATES_BY_SECRET, entry="f", args={"secret": secret})
            assert (first.status, first.value) == ("ok", "done")
            probe = pool.run_trusted("security.probes:collector_state", {})
            assert probe.status == "ok", probe
            assert isinstance(probe.value, dict)
            assert probe.stats["worker_calls"] == 2  # the same warm worker as the skill
            seen.append(probe.value["counts"][:2])
    # Uncollected, the young count would carry the first call's 4,321 allocations modulo the
    # collection threshold (700): about 120 apart. What is left is a handful of objects of the
    # earlier call freed during the next one (a free lowers the count).
    assert abs(seen[0][0] - seen[1][0]) <= 16, seen
    assert seen[0][1] == seen[1][1]


TIMES_A_TOOL_CALL = (
    "def f(tools):\n"
    "    before = dates.now()\n"
    "    tools.get_order(order_id='A1')\n"
    "    after = dates.now()\n"
    "    return [before, dates.timestamp(after) - dates.timestamp(before)]\n"
)


def test_the_only_clock_a_skill_has_tells_whole_seconds(one_worker: ProcessPool) -> None:
    """Timing needs a clock: with whole seconds only, a skill cannot time a warm cache, nor tell
    the verifier's fake tools from the bridge by how fast a call is answered."""
    from .helpers import grant

    result = one_worker.run(TIMES_A_TOOL_CALL, entry="f", args={}, tools=grant())
    assert result.status == "ok", result
    now, elapsed = result.value
    assert now.endswith("+00:00")
    assert "." not in now
    assert elapsed == int(elapsed)
