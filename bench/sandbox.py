"""Benchmark of the sandbox: latency, throughput and worker memory, against smolagents and
pydantic-monty (optional: skipped with a message when it is not installed).

Run: ``.venv/bin/python bench/sandbox.py [--baseline REV] [--no-write]``. Prints a JSON summary
and writes the ``## Sandbox`` section of docs/benchmarks.md (other sections are left as they are).

``--baseline REV`` also measures the one-tool-call skill on a warm pool with the ``sandbox`` of
git revision REV and with this tree's, in alternating rounds of the same run (before and after a
change, under the same load).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._report import machine, replace_part  # noqa: E402
from sandbox import InProcessExecutor, Limits, PoolConfig, ProcessPool, Tool  # noqa: E402

TOOL_SKILL = '''
def order_status(tools, order_id: str) -> str:
    """One tool call, a little work on its result."""
    order = tools.get_order(order_id=order_id)
    return order["status"]
'''

COMPUTE_SKILL = '''
def sum_squares(n: int) -> int:
    """A compute-bound loop."""
    total = 0
    for i in range(n):
        total += i * i
    return total
'''

SIEVE_SKILL = '''
def primes_below(n: int) -> int:
    """A small prime sieve."""
    flags = [True] * n
    flags[0] = False
    flags[1] = False
    for i in range(2, n):
        if flags[i]:
            for j in range(i * i, n, i):
                flags[j] = False
    return sum(1 for flag in flags if flag)
'''

N_COMPUTE = 10_000
N_SIEVE = 5_000


def get_order(order_id: str) -> dict[str, Any]:
    return {"order_id": order_id, "status": "delivered"}


TOOLS = (
    Tool(
        "get_order",
        get_order,
        {
            "type": "object",
            "properties": {"order_id": {"type": "string"}},
            "required": ["order_id"],
        },
    ),
)


class _PlainTools:
    get_order = staticmethod(get_order)


def plain_order_status(tools: Any, order_id: str) -> str:
    order = tools.get_order(order_id=order_id)
    return str(order["status"])


def plain_sum_squares(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def plain_primes_below(n: int) -> int:
    flags = [True] * n
    flags[0] = flags[1] = False
    for i in range(2, n):
        if flags[i]:
            for j in range(i * i, n, i):
                flags[j] = False
    return sum(1 for flag in flags if flag)


def measure(call: Callable[[], Any], iterations: int, warmup: int = 20) -> dict[str, float]:
    for _ in range(warmup):
        call()
    samples = []
    started = time.perf_counter()
    for _ in range(iterations):
        before = time.perf_counter()
        call()
        samples.append(time.perf_counter() - before)
    elapsed = time.perf_counter() - started
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples) * 1000, 4),
        "p99_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1000, 4),
        "p999_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.999))] * 1000, 4),
        "calls_per_second": round(iterations / elapsed, 1),
        "iterations": iterations,
    }


def check(result: Any, expected: Any) -> None:
    value = result.value if hasattr(result, "value") else result
    if hasattr(result, "output") and not hasattr(result, "value"):
        value = result.output
    if value != expected:
        raise SystemExit(f"benchmark sanity check failed: {value!r} != {expected!r}")


def smolagents_executor() -> Any:
    from smolagents.local_python_executor import LocalPythonExecutor

    executor = LocalPythonExecutor(
        additional_authorized_imports=[],
        additional_functions={"get_order": get_order},
        timeout_seconds=None,
    )
    executor.send_tools({})
    # Define the skills once; each measured call only calls them (the cheapest use of it).
    for source in (TOOL_SKILL, COMPUTE_SKILL, SIEVE_SKILL):
        executor(source.replace("tools, ", "").replace("tools.", ""))
    return executor


class MontyWorker:
    """Warm pydantic-monty worker processes (its ``monty`` binary, reached over a pipe from this
    process, as our pool's workers are); each call checks out a fresh session (fresh state, as
    every skillbank call gets a fresh namespace) with limits like ours."""

    def __init__(self, processes: int = 1) -> None:
        import pydantic_monty

        self._pool = pydantic_monty.Monty(min_processes=processes, max_processes=processes)
        self._pool.__enter__()
        self.limits = {"max_feed_duration_secs": 30.0, "max_memory": 512 * 1024 * 1024}
        with self._pool.checkout() as session:  # the worker is up before anything is measured
            session.feed_run("1")
        #: The worker processes (children of this one), to show the code runs out of process.
        self.pids = [pid for pid in _children(os.getpid()) if _command(pid) == "monty"]

    def run(self, source: str, call: str, inputs: dict[str, Any]) -> Any:
        code = source.replace("tools, ", "").replace("tools.", "") + "\n" + call
        with self._pool.checkout(limits=self.limits) as session:
            return session.feed_run(code, inputs=inputs, external_lookup={"get_order": get_order})

    def close(self) -> None:
        self._pool.__exit__(None, None, None)


def monty_worker(processes: int = 1) -> MontyWorker | None:
    """The optional comparison (``pip install pydantic-monty``, in the ``bench`` extra)."""
    try:
        return MontyWorker(processes)
    except ImportError:
        print(
            "pydantic-monty is not installed: skipping it (pip install 'skillbank[bench]')",
            file=sys.stderr,
        )
        return None


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        text = Path(f"/proc/{pid}/task/{task}/children").read_text()
        found += [int(child) for child in text.split()]
    return found


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def before_after(baseline: str, *, rounds: int = 4, calls: int = 1500) -> dict[str, Any]:
    """The one-tool-call skill on a warm pool of 2, with ``baseline``'s sandbox and with this
    tree's, in alternating rounds (each round a fresh process and pool)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.strip()

    dirty = bool(git("status", "--porcelain", "--", "sandbox"))
    labels = {
        "before": git("rev-parse", "--short", baseline),
        "after": git("rev-parse", "--short", "HEAD")
        + (" with uncommitted changes" if dirty else ""),
    }
    samples: dict[str, list[float]] = {"before": [], "after": []}
    with (
        tempfile.TemporaryDirectory(prefix="sandbox-baseline-") as tree,
        # The rounds run from an empty directory: ``-m`` puts the working directory first on
        # the import path, and neither tree may win by being there.
        tempfile.TemporaryDirectory(prefix="sandbox-rounds-") as cwd,
    ):
        archive = subprocess.run(
            ["git", "archive", baseline, "sandbox"], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
        paths = {"before": f"{tree}{os.pathsep}{ROOT}", "after": str(ROOT)}
        for round_number in range(rounds):
            order = ("before", "after") if round_number % 2 == 0 else ("after", "before")
            for label in order:
                done = subprocess.run(
                    [sys.executable, "-m", "bench._sandbox_one_tool", str(calls)],
                    cwd=cwd,
                    env={**os.environ, "PYTHONPATH": paths[label]},
                    check=True,
                    capture_output=True,
                    text=True,
                )
                answer = json.loads(done.stdout)
                if not answer["sandbox"].startswith(paths[label].split(os.pathsep)[0]):
                    raise SystemExit(f"{label}: sandbox imported from {answer['sandbox']}")
                samples[label] += answer["samples"]
    results: dict[str, Any] = {}
    for label, values in samples.items():
        values.sort()
        results[label] = {
            "revision": labels[label],
            "p50_ms": round(statistics.median(values) * 1000, 4),
            "p99_ms": round(values[int(len(values) * 0.99)] * 1000, 4),
            "p999_ms": round(values[int(len(values) * 0.999)] * 1000, 4),
            "mean_ms": round(statistics.fmean(values) * 1000, 4),
            "calls_per_second": round(len(values) / sum(values), 1),
            "calls": len(values),
        }
    results["rounds"] = rounds
    return results


def concurrent_throughput(call: Callable[[], Any], threads: int, per_thread: int) -> float:
    def work() -> None:
        for _ in range(per_thread):
            call()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return round(threads * per_thread / (time.perf_counter() - started), 1)


def worker_starts(count: int = 5) -> dict[str, float]:
    """CPU seconds and RSS of a worker from its start to its hello (mean over ``count`` pools)."""
    cpu: list[float] = []
    rss: list[int] = []
    for _ in range(count):
        with ProcessPool(config=PoolConfig.fixed(1)) as pool:
            pool.warm()  # the serving worker and its spare: each has said hello, nothing more
            for pid in pool.worker_pids():
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                cpu.append((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
                rss.append(rss_kib(pid))
    return {"cpu_seconds": round(statistics.mean(cpu), 3), "rss_kib": round(statistics.mean(rss))}


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


TOOL_CALLS = 5000  # enough for a p99.9 that is not the single slowest call


def run(baseline: str | None = None) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    compared = before_after(baseline) if baseline is not None else None
    limits = Limits(wall_seconds=30, cpu_seconds=30)
    inprocess = InProcessExecutor(limits=limits)
    smol = smolagents_executor()
    monty = monty_worker()
    results: dict[str, Any] = {"tool_skill": {}, "compute_skill": {}, "sieve_skill": {}}
    order = {"order_id": "A1"}
    # Two workers serving calls (the machine has two cores), a spare, the default quota.
    with ProcessPool(limits=limits, config=PoolConfig.fixed(2)) as pool:
        pool.warm()

        def pooled(source: str, entry: str, args: dict[str, Any]) -> Callable[[], Any]:
            tools = TOOLS if "tools" in source else ()
            return lambda: pool.run(source, entry=entry, args=args, tools=tools)

        cases = {
            "tool_skill": (TOOL_SKILL, "order_status", order, "order_status(order_id)",
                           lambda: plain_order_status(_PlainTools, "A1"),
                           "order_status(order_id='A1')", TOOL_CALLS),
            "compute_skill": (COMPUTE_SKILL, "sum_squares", {"n": N_COMPUTE}, "sum_squares(n)",
                              lambda: plain_sum_squares(N_COMPUTE), f"sum_squares({N_COMPUTE})",
                              300),
            "sieve_skill": (SIEVE_SKILL, "primes_below", {"n": N_SIEVE}, "primes_below(n)",
                            lambda: plain_primes_below(N_SIEVE), f"primes_below({N_SIEVE})",
                            300),
        }  # fmt: skip
        for key, (source, entry, args, call, plain, smol_call, count) in cases.items():
            tools = TOOLS if "tools" in source else ()
            executors: dict[str, Callable[[], Any]] = {
                "plain": plain,
                "in_process": partial(inprocess.run, source, entry=entry, args=args, tools=tools),
                "process_pool": pooled(source, entry, args),
                "smolagents": partial(smol, smol_call),
            }
            if monty is not None:
                executors["pydantic_monty_worker"] = partial(monty.run, source, call, args)
            for name, function in executors.items():
                iterations = 100 if name == "smolagents" and key != "tool_skill" else count
                results[key][name] = measure(function, iterations, 20 if count > 300 else 5)
        check(pool.run(COMPUTE_SKILL, entry="sum_squares", args={"n": N_COMPUTE}),
              plain_sum_squares(N_COMPUTE))  # fmt: skip
        check(smol(f"sum_squares({N_COMPUTE})").output, plain_sum_squares(N_COMPUTE))
        check(pool.run(SIEVE_SKILL, entry="primes_below", args={"n": N_SIEVE}),
              plain_primes_below(N_SIEVE))  # fmt: skip
        if monty is not None:
            check(monty.run(SIEVE_SKILL, "primes_below(n)", {"n": N_SIEVE}),
                  plain_primes_below(N_SIEVE))  # fmt: skip
        one_tool = pooled(TOOL_SKILL, "order_status", order)
        results["concurrent_2_threads"] = {"process_pool": concurrent_throughput(one_tool, 2, 2000)}
        results["pool_stats"] = pool.stats().to_dict()
        results["worker_rss_kib"] = [rss_kib(pid) for pid in pool.worker_pids()]
    if monty is not None:
        results["monty_worker_pids"] = monty.pids
        monty.close()
        pair = monty_worker(2)
        assert pair is not None
        results["concurrent_2_threads"]["pydantic_monty_worker"] = concurrent_throughput(
            partial(pair.run, TOOL_SKILL, "order_status(order_id)", order), 2, 2000
        )
        pair.close()
    # Recycling at a small quota: replacements started in the background (no call waits).
    with ProcessPool(limits=limits, config=PoolConfig.fixed(1, max_calls_per_worker=500)) as pool:
        pool.warm()
        results["recycling_every_500"] = measure(
            lambda: pool.run(TOOL_SKILL, entry="order_status", args=order, tools=TOOLS), TOOL_CALLS
        )
        results["recycling_every_500"]["stats"] = pool.stats().to_dict()
    results["worker_start"] = worker_starts()
    tool = results["tool_skill"]
    results["goals"] = {
        "pool_overhead_p50_ms": round(tool["process_pool"]["p50_ms"] - tool["plain"]["p50_ms"], 4),
        "pool_p999_ms": tool["process_pool"]["p999_ms"],
        "pool_calls_per_second": tool["process_pool"]["calls_per_second"],
        "monty_calls_per_second": tool.get("pydantic_monty_worker", {}).get("calls_per_second"),
        "compute_speedup_vs_smolagents": round(
            results["compute_skill"]["smolagents"]["p50_ms"]
            / results["compute_skill"]["process_pool"]["p50_ms"],
            1,
        ),
        "sieve_speedup_vs_smolagents": round(
            results["sieve_skill"]["smolagents"]["p50_ms"]
            / results["sieve_skill"]["process_pool"]["p50_ms"],
            1,
        ),
    }
    if compared is not None:
        results["before_after"] = compared
    results["machine"] = machine()
    results["uptime"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    results["load"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    results["date"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    return results


def section(results: dict[str, Any]) -> str:
    goals = results["goals"]
    lines = [
        "## Sandbox",
        "",
        f"Measured by `.venv/bin/python bench/sandbox.py` on {results['date']}: "
        f"{results['machine']}. The machine is a shared 2-core virtual machine, "
        + ("quiet" if max(results["load"]) < 2 else "busy with other work")
        + f" (load average over a minute {results['load'][0]} when the run started,"
        f" {results['load'][1]} when it ended; `uptime` at the end: `{results['uptime']}`): read"
        " absolute times as orders of magnitude, ratios within this run as the claims.",
        "",
    ]
    names = {
        "tool_skill": f"one tool call (`order_status`, {TOOL_CALLS} calls)",
        "compute_skill": f"compute-bound (`sum_squares({N_COMPUTE})`)",
        "sieve_skill": f"compute-bound (`primes_below({N_SIEVE})`, a sieve)",
    }
    for key, title in names.items():
        lines += [
            f"### Skill: {title}",
            "",
            "| executor | p50 ms | p99 ms | p99.9 ms | calls/s |",
            "|---|---:|---:|---:|---:|",
        ]
        for executor, row in results[key].items():
            lines.append(
                f"| {executor} | {row['p50_ms']} | {row['p99_ms']} | {row['p999_ms']} "
                f"| {row['calls_per_second']} |"
            )
        lines.append("")
    compared = results.get("before_after")
    if compared:
        lines += [
            "### Before and after, one tool call, in alternating rounds of this run",
            "",
            "The same skill on a warm pool of 2 with each revision's `sandbox`,"
            f" {compared['rounds']} rounds each, alternating (a fresh process and pool per round),"
            " so both see the same load.",
            "",
            "| sandbox | calls | p50 ms | p99 ms | p99.9 ms | mean ms | calls/s |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for label in ("before", "after"):
            row = compared[label]
            lines.append(
                f"| {label}: {row['revision']} | {row['calls']} | {row['p50_ms']} | {row['p99_ms']}"
                f" | {row['p999_ms']} | {row['mean_ms']} | {row['calls_per_second']} |"
            )
        lines.append("")
    recycling = results["recycling_every_500"]
    overhead_ok = goals["pool_overhead_p50_ms"] <= 1.0
    speed_ok = goals["compute_speedup_vs_smolagents"] >= 10
    tail_ok = goals["pool_p999_ms"] < 5
    monty = goals["monty_calls_per_second"]
    lines += [
        "### Goals",
        "",
        f"- Warm pool overhead above a plain call, one-tool-call skill, p50: "
        f"**{goals['pool_overhead_p50_ms']} ms** "
        f"(goal ≤ 1 ms: {'met' if overhead_ok else 'missed'}).",
        f"- Warm pool, one tool call, p99.9: **{goals['pool_p999_ms']} ms** (goal < 5 ms: "
        f"{'met' if tail_ok else 'missed'}).",
        (
            f"- Warm pool calls/s, one tool call, one caller: **{goals['pool_calls_per_second']}**"
            f" against a warm pydantic-monty worker's **{monty}** in the same run (goal: at least"
            f" as many: {'met' if goals['pool_calls_per_second'] >= monty else 'missed'},"
            f" {goals['pool_calls_per_second'] / monty:.2f}×)."
            if monty
            else "- pydantic-monty was not installed: no comparison."
        ),
        f"- Compute-bound skill, smolagents `LocalPythonExecutor` p50 / warm pool p50: "
        f"**{goals['compute_speedup_vs_smolagents']}×** (goal ≥ 10×: "
        f"{'met' if speed_ok else 'missed'}); sieve: **{goals['sieve_speedup_vs_smolagents']}×**.",
        f"- One tool call from 2 concurrent host threads: warm pool (2 workers) "
        f"{results['concurrent_2_threads']['process_pool']} calls/s"
        + (
            f", pydantic-monty (2 workers)"
            f" {results['concurrent_2_threads']['pydantic_monty_worker']}"
            " calls/s."
            if "pydantic_monty_worker" in results["concurrent_2_threads"]
            else "."
        ),
        f"- A worker replaced every 500 calls (one serving worker and a spare; successors start "
        f"in the background): p50 {recycling['p50_ms']} ms, p99.9 {recycling['p999_ms']} ms, "
        f"{recycling['calls_per_second']} calls/s; {recycling['stats']['recycled']} hand-overs, "
        f"{recycling['stats']['waited_for_start']} calls waited for a start.",
        f"- Worker memory (RSS, KiB): {results['worker_rss_kib']}.",
        f"- A worker's start, up to its hello (mean of 10): "
        f"{results['worker_start']['cpu_seconds']} s of CPU, "
        f"{results['worker_start']['rss_kib']} KiB resident.",
        "",
        "Notes: smolagents is measured in its most favourable use (skills defined once, each "
        "call only invokes them; no timeout thread). `pydantic_monty_worker` is pydantic-monty"
        " (a Rust interpreter of a Python subset) in its only mode, a warm pool of `monty` worker"
        " processes reached over pipes"
        + (
            f" (here one worker, process {results['monty_worker_pids']}, a child of the benchmark)"
            if results.get("monty_worker_pids")
            else ""
        )
        + ", as our pool's workers are: a fresh session checked out per call (fresh state, as "
        "each skillbank call gets a fresh namespace) with a time and memory limit, the tool "
        "answered from the host through its `external_lookup`. Pool calls include the pipe "
        "round trips, the tool bridge (schema "
        "validation, recording), per-call CPU/RSS observation from /proc, and JSON encoding of "
        "the result. With one caller, each call is alone in the pool, so it and its worker poll "
        "for each other's frames for up to 0.1 ms before sleeping on the pipe (a sleeping "
        "process woken by a pipe write costs tens of microseconds here); with two callers "
        "nobody polls. RestrictedPython code runs as CPython bytecode with guard calls on "
        "attribute access, item access and in-place operators, which is why the in-process and "
        "pool compute numbers are slower than the plain call.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", help="git revision to compare the one-tool call with")
    parser.add_argument("--no-write", action="store_true")
    options = parser.parse_args()
    results = run(options.baseline)
    print(json.dumps(results, indent=2))
    if not options.no_write:
        replace_part("## Sandbox", section(results))


if __name__ == "__main__":
    main()
