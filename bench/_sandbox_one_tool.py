"""One round of the one-tool-call measurement on a warm pool, for comparing two revisions.

Run by ``bench/sandbox.py --baseline REV`` as ``python bench/_sandbox_one_tool.py CALLS`` with
``PYTHONPATH`` set to a tree of the revision to measure (its ``sandbox`` package is the one
imported, here and in the pool's workers). Prints the latencies in seconds, and where the
``sandbox`` package came from, as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import sandbox
from sandbox import Limits, PoolConfig, ProcessPool, Tool

SOURCE = '''
def order_status(tools, order_id: str) -> str:
    """One tool call, a little work on its result."""
    order = tools.get_order(order_id=order_id)
    return order["status"]
'''


def get_order(order_id: str) -> dict[str, Any]:
    return {"order_id": order_id, "status": "delivered"}


TOOL = Tool(
    "get_order",
    get_order,
    {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]},
)


def main() -> None:
    calls = int(sys.argv[1])
    limits = Limits(wall_seconds=30, cpu_seconds=30)
    samples = []
    with ProcessPool(limits=limits, config=PoolConfig.fixed(2)) as pool:
        pool.warm()
        for _ in range(50):
            pool.run(SOURCE, entry="order_status", args={"order_id": "A1"}, tools=[TOOL])
        for _ in range(calls):
            before = time.perf_counter()
            result = pool.run(SOURCE, entry="order_status", args={"order_id": "A1"}, tools=[TOOL])
            samples.append(time.perf_counter() - before)
            if result.value != "delivered":
                raise SystemExit(f"benchmark sanity check failed: {result!r}")
    print(json.dumps({"sandbox": sandbox.__file__, "samples": samples}))


if __name__ == "__main__":
    main()
