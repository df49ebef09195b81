"""Registry backends side by side: concurrent agents on SQLite and on PostgreSQL, and search at
100,000 skills on both.

Run: ``.venv/bin/python bench/registry_backends.py [--agents 1,4,8] [--ops 300] [--skills 100000]
[--postgres URL] [--no-write]``. Without ``--postgres`` a throw-away local server is started
(Debian's ``postgresql`` package; see tests/postgres_server.py) and removed at the end. Results go
to the ``## Registry backends`` section of docs/benchmarks.md.

Search at ``--skills`` skills: each backend is filled with ``Registry.add_versions`` (the bulk
import); the section reports fill time, database size and search latency p50/p95/p99.

Agents are separate processes, each with its own ``Registry``, as agents on a fleet of machines
would be (here they share one machine: 2 cores for the agents and the server together). Each does
``--ops`` operations against 200 promoted skills: two of three record an outcome of a random skill
(``record_outcome``, one write transaction), one of three searches with a task-like query
(``search``, k=5). Both backends run the same workload in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._report import machine, replace_part  # noqa: E402
from bench.registry import (  # noqa: E402
    bulk_load,
    database_size,
    percentile,
    search_latency,
    synthetic_query,
)
from bench.retrieval import measure  # noqa: E402
from skill_registry import Policy, Registry  # noqa: E402

QUIET = Policy(auto_promote=False, auto_demote=False)
SKILLS = 200


def _agent(location: str, ops: int, seed: int) -> None:
    """One agent process: print its per-operation timings as one JSON line."""
    rng = random.Random(seed)
    timings: dict[str, list[float]] = {"outcome": [], "search": []}
    with Registry.open(location, policy=QUIET) as registry:
        names = [s.name for s in registry.list_skills(state="promoted")]
        for index in range(ops):
            start = time.perf_counter()
            if index % 3 == 2:
                registry.search(synthetic_query(rng), k=5)
                kind = "search"
            else:
                name = rng.choice(names)
                registry.record_outcome(
                    name, version=1, success=rng.random() < 0.8, duration_seconds=0.01
                )
                kind = "outcome"
            timings[kind].append((time.perf_counter() - start) * 1000)
    print(json.dumps(timings))


def agents_run(location: str, *, agents: int, ops: int) -> dict[str, float]:
    """``agents`` processes at once on ``location``; throughput and latency of each kind."""
    with Registry.open(location) as registry:
        before = sum(s.reliability.uses for s in registry.list_skills())
    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, __file__, "--agent", location, str(ops), str(seed)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in range(agents)
    ]
    outputs = [process.communicate()[0] for process in processes]
    elapsed = time.perf_counter() - start
    if any(process.returncode for process in processes):
        raise SystemExit("an agent process failed")
    timings: dict[str, list[float]] = {"outcome": [], "search": []}
    for output in outputs:
        for kind, values in json.loads(output.strip().splitlines()[-1]).items():
            timings[kind].extend(values)
    with Registry.open(location) as registry:
        after = sum(s.reliability.uses for s in registry.list_skills())
    assert after - before == len(timings["outcome"]), "outcomes were lost"
    return {
        "ops_per_s": (len(timings["outcome"]) + len(timings["search"])) / elapsed,
        "outcome_p50_ms": statistics.median(timings["outcome"]),
        "outcome_p99_ms": percentile(timings["outcome"], 0.99),
        "search_p50_ms": statistics.median(timings["search"]),
        "search_p99_ms": percentile(timings["search"], 0.99),
    }


def _promote_all(location: str) -> None:
    # bulk_load leaves 60% promoted; the agents' workload wants every skill promoted.
    with Registry.open(location) as registry:
        registry._db.write(
            lambda c: (
                c.execute("UPDATE versions SET state = 'promoted', successes = 0, failures = 0"),
                c.execute("UPDATE search_docs SET state = 'promoted'"),
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", default="1,4,8")
    parser.add_argument("--ops", type=int, default=300, help="operations per agent")
    parser.add_argument("--skills", type=int, default=100_000, help="skills for the search run")
    parser.add_argument("--postgres", help="a PostgreSQL URL (default: start a local server)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    server = None
    if args.postgres is None:
        from tests.postgres_server import start_server

        server = start_server()
        server.create_database("bench")
    postgres = args.postgres or (server.url("bench") if server else "")
    try:
        with tempfile.TemporaryDirectory() as directory:
            locations = {
                "SQLite": str(Path(directory) / "agents.db"),
                "PostgreSQL": postgres + ("&" if "?" in postgres else "?") + "tenant=agents",
            }
            for location in locations.values():
                bulk_load(location, SKILLS)
                _promote_all(location)
            with Registry.open(locations["PostgreSQL"]) as registry:
                version = registry._db.read(
                    lambda c: str(c.execute("SHOW server_version").fetchone()[0])
                )
            agent_rows = []
            for count in [int(n) for n in args.agents.split(",")]:
                for backend, location in locations.items():
                    result = agents_run(location, agents=count, ops=args.ops)
                    print(backend, count, {k: round(v, 2) for k, v in result.items()})
                    agent_rows.append((backend, count, result))
            recall_rows = []
            for dataset in ("tau2_retail.jsonl", "taubench_retail.jsonl"):
                data = ROOT.parent / "shared" / "data" / dataset
                if not data.exists():
                    continue
                for backend in locations:
                    where = None
                    if backend == "PostgreSQL":
                        tenant = dataset.split(".")[0]
                        where = postgres + ("&" if "?" in postgres else "?") + f"tenant={tenant}"
                    result = measure(dataset, data, location=where)
                    print(backend, dataset, result.recall_any)
                    recall_rows.append((dataset, backend, result.queries, result.recall_any))
            search_rows = []
            big = {
                "SQLite": str(Path(directory) / "search.db"),
                "PostgreSQL": postgres + ("&" if "?" in postgres else "?") + "tenant=search",
            }
            for backend, location in big.items():
                filled = bulk_load(location, args.skills)
                size = database_size(location)
                latency = search_latency(location)
                print(backend, args.skills, round(filled, 1), size, latency, flush=True)
                search_rows.append((backend, filled, size, latency))
    finally:
        if server is not None:
            server.stop()

    rows = _section(args, agent_rows, search_rows, version)
    rows += [
        "",
        "Retrieval quality on both (`bench/retrieval.py`'s measure: skills learned from `train`, "
        "each held-out `test` instruction as the query; Recall@k = the share of queries whose "
        "skill is in the top k):",
        "",
        "| data | backend | queries | Recall@1 | Recall@5 |",
        "|---|---|---|---|---|",
        *(
            f"| {dataset} | {backend} | {queries} | {recall[1]:.3f} | {recall[5]:.3f} |"
            for dataset, backend, queries, recall in recall_rows
        ),
    ]
    text = "\n".join(rows)
    print(text)
    if not args.no_write:
        replace_part("## Registry backends", text)


def _section(
    args: argparse.Namespace,
    agent_rows: list[tuple[str, int, dict[str, float]]],
    search_rows: list[tuple[str, float, int, dict[str, float]]],
    version: str,
) -> list[str]:
    lines = [
        "## Registry backends",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine(sqlite=True)}, PostgreSQL "
        f"{version} on the same machine (a throw-away server on a Unix socket, fsync off) "
        "with `bench/registry_backends.py` (a shared, busy machine: compare the two backends "
        "within this run, read absolute numbers as orders of magnitude).",
        "",
        f"Concurrent agents: each a process with its own `Registry`, {args.ops} operations "
        f"each on {SKILLS} promoted skills; two of three `record_outcome` of a random skill "
        "(one write transaction), one of three `search` (k=5). The agents and the server share "
        "the machine's 2 cores.",
        "",
        "| agents | backend | ops/s | outcome p50 ms | outcome p99 ms | search p50 ms "
        "| search p99 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for backend, count, result in agent_rows:
        lines.append(
            f"| {count} | {backend} | {result['ops_per_s']:.0f} | {result['outcome_p50_ms']:.2f} "
            f"| {result['outcome_p99_ms']:.2f} | {result['search_p50_ms']:.2f} "
            f"| {result['search_p99_ms']:.2f} |"
        )
    lines += [
        "",
        f"Search at {args.skills:,} skills (synthetic, each with 2-6 indexed source tasks, so "
        "about five times as many search rows; 60% promoted; 300 task-like queries of 10 words "
        "after warm-up, k=5). Fill: `Registry.add_versions` of all skills (`bulk_load` of "
        "`bench/registry.py`; transactions of 500 versions with their source trajectories, "
        "search rows and audit lines); the states are then spread by plain SQL, not timed. "
        "Size: the SQLite file, or the tenant schema's tables with their indexes:",
        "",
        "| backend | fill s | size MiB | search p50 ms | search p95 ms | search p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    for backend, filled, size, latency in search_rows:
        lines.append(
            f"| {backend} | {filled:.0f} | {size / 2**20:.0f} | {latency['p50_ms']:.1f} "
            f"| {latency['p95_ms']:.1f} | {latency['p99_ms']:.1f} |"
        )
    measured = {backend: (filled, size, latency) for backend, filled, size, latency in search_rows}
    if {"SQLite", "PostgreSQL"} <= measured.keys():
        (lite_fill, lite_size, lite), (pg_fill, pg_size, pg) = (
            measured["SQLite"],
            measured["PostgreSQL"],
        )
        lines += [
            "",
            f"PostgreSQL against SQLite in this run: fill {pg_fill / lite_fill:.1f}x the time, "
            f"{pg_size / lite_size:.1f}x the space, search p50 "
            f"{pg['p50_ms'] / lite['p50_ms']:.1f}x and p95 {pg['p95_ms'] / lite['p95_ms']:.1f}x "
            "the latency.",
        ]
    return lines


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--agent":
        _agent(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
