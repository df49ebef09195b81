"""Registry benchmarks: search latency at 1k/10k/100k skills and outcome-recording throughput.

Run: ``.venv/bin/python bench/registry.py [--sizes 1000,10000,100000] [--no-write]``. Results go to
the ``## Registry`` section of docs/benchmarks.md (other sections are left as they are).

``recall_at_k`` scores retrieval quality for given (skill name, text) and (query, expected skill)
pairs, so real synthesized skills can be wired in when available.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._report import machine, replace_part  # noqa: E402
from skill_registry import NewVersion, Policy, Provenance, Registry, State  # noqa: E402
from skill_registry._connection import Connection  # noqa: E402

VERBS = [
    "cancel",
    "exchange",
    "return",
    "refund",
    "update",
    "find",
    "list",
    "get",
    "create",
    "delete",
    "book",
    "reschedule",
    "track",
    "verify",
    "transfer",
    "upgrade",
    "downgrade",
    "renew",
    "close",
    "open",
    "merge",
    "split",
    "archive",
    "restore",
]
OBJECTS = [
    "order",
    "item",
    "payment",
    "address",
    "reservation",
    "flight",
    "ticket",
    "subscription",
    "account",
    "invoice",
    "shipment",
    "product",
    "review",
    "coupon",
    "profile",
    "booking",
    "seat",
    "baggage",
    "card",
    "refund",
    "plan",
    "device",
]
QUALIFIERS = [
    "pending",
    "delivered",
    "cancelled",
    "international",
    "domestic",
    "premium",
    "basic",
    "express",
    "partial",
    "full",
    "default",
    "secondary",
    "business",
    "economy",
    "gift",
    "recurring",
    "expired",
]
ACTORS = ["customer", "user", "member", "passenger", "guest", "client", "owner", "agent"]
PARAMS = [
    "order_id",
    "user_id",
    "item_ids",
    "payment_method_id",
    "zip",
    "first_name",
    "last_name",
    "email",
    "reservation_id",
    "flight_number",
    "date",
    "cabin",
    "amount",
    "reason",
    "address",
    "product_id",
]


def synthetic_skill(rng: random.Random, index: int) -> dict[str, Any]:
    """A realistic-looking skill: snake_case name, summary, docstring, parameters, task texts."""
    verb, obj, qual, actor = (rng.choice(w) for w in (VERBS, OBJECTS, QUALIFIERS, ACTORS))
    params = rng.sample(PARAMS, rng.randint(1, 5))
    name = f"{verb}_{qual}_{obj}_{index}"
    summary = f"{verb.capitalize()} a {qual} {obj} of a {actor}"
    docstring = (
        f"{summary}.\n\nLooks the {actor} up, checks the {obj} is {qual}, then calls the "
        f"{verb} tool.\n\nArgs:\n"
        + "".join(f"    {p}: the {p.replace('_', ' ')}.\n" for p in params)
    )
    tasks = [
        f"Hi, I'm a {actor}. I want to {verb} my {qual} {obj}, and maybe "
        f"{rng.choice(VERBS)} the {rng.choice(OBJECTS)} too."
        for _ in range(rng.randint(2, 6))
    ]
    return {
        "name": name,
        "summary": summary,
        "docstring": docstring,
        "params": params,
        "tasks": tasks,
    }


def synthetic_query(rng: random.Random) -> str:
    verb, obj, qual, actor = (rng.choice(w) for w in (VERBS, OBJECTS, QUALIFIERS, ACTORS))
    return f"As a {actor} I need to {verb} the {qual} {obj} I have"


def synthetic_versions(count: int, *, seed: int = 7) -> list[NewVersion]:
    """``count`` synthetic skills as ``Registry.add_versions`` takes them, each with its source
    trajectories (2-6, whose task texts are indexed)."""
    rng = random.Random(seed)
    versions = []
    for index in range(count):
        skill = synthetic_skill(rng, index)
        name = str(skill["name"])
        versions.append(
            NewVersion(
                name=name,
                source=f"def {name}(tools) -> None:\n    pass\n",
                schema={
                    "parameters": {
                        "type": "object",
                        "properties": {p: {"type": "string"} for p in skill["params"]},
                    }
                },
                summary=str(skill["summary"]),
                docstring=str(skill["docstring"]),
                provenance=Provenance(synthesizer="bench"),
                trajectories=tuple(
                    {"id": f"{name}-{position}", "task": task, "steps": []}
                    for position, task in enumerate(skill["tasks"])
                ),
            )
        )
    return versions


def bulk_load(path: Path | str, count: int, *, seed: int = 7) -> float:
    """Fill a registry with ``count`` synthetic skills; returns the seconds ``add_versions`` took.

    Every row is written by ``Registry.add_versions`` (the bulk import: versions, source
    trajectories, search rows, audit lines, in transactions of 500 versions). Then, as a shortcut
    of the benchmark's own, 60% are moved to ``promoted`` and the rest spread over the other
    states with random outcome counts by plain SQL (promoting through the gates would need
    reports for each). ``path`` may be a PostgreSQL URL.
    """
    versions = synthetic_versions(count, seed=seed)
    rng = random.Random(seed + 1)
    states = [State.PROMOTED] * 6 + [State.VERIFIED, State.CANDIDATE, State.DRAFT, State.DEPRECATED]
    with Registry.open(path, durable=False, create=True) as registry:
        started = time.perf_counter()
        registry.add_versions(versions)
        elapsed = time.perf_counter() - started
        moves = [
            (rng.choice(states).value, rng.randint(0, 50), rng.randint(0, 10), item.name)
            for item in versions
        ]

        def shuffle(connection: Connection) -> None:
            connection.executemany(
                "UPDATE versions SET state = ?, successes = ?, failures = ? WHERE skill = ?", moves
            )
            connection.execute(
                "UPDATE search_docs SET state = (SELECT state FROM versions v "
                "WHERE v.id = search_docs.version_id)"
            )
            if connection.dialect == "sqlite":
                connection.execute("INSERT INTO search_docs(search_docs) VALUES ('optimize')")

        registry._db.write(shuffle)
        if registry.path is None:  # PostgreSQL: fresh planner statistics after the shuffle
            registry._db.write(lambda connection: connection.execute("ANALYZE"))
    return elapsed


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def search_latency(path: Path | str, *, queries: int = 300) -> dict[str, float]:
    rng = random.Random(11)
    texts = [synthetic_query(rng) for _ in range(queries)]
    with Registry.open(path, create=True) as registry:
        for text in texts[:20]:  # warm the page cache
            registry.search(text)
        timings = []
        for text in texts:
            start = time.perf_counter()
            registry.search(text, k=5)
            timings.append((time.perf_counter() - start) * 1000)
    return {
        "p50_ms": statistics.median(timings),
        "p95_ms": percentile(timings, 0.95),
        "p99_ms": percentile(timings, 0.99),
    }


def database_size(location: Path | str) -> int:
    """Bytes the registry occupies: the SQLite file (and its WAL), or on PostgreSQL every table
    of the registry's schema with its indexes and TOAST (other tenants not counted)."""
    with Registry.open(location) as registry:
        if registry.path is not None:
            files = [registry.path, registry.path.with_name(registry.path.name + "-wal")]
            return sum(f.stat().st_size for f in files if f.exists())
        return int(
            registry._db.read(
                lambda connection: connection.execute(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')"
                ).fetchone()[0]
            )
        )


def _worker(path: str, count: int) -> None:
    with Registry.open(
        path, policy=Policy(auto_promote=False, auto_demote=False), create=True
    ) as registry:
        for index in range(count):
            registry.record_outcome(
                "bench", version=1, success=index % 5 != 0, duration_seconds=0.01
            )


def outcome_throughput(directory: Path, *, writers: int, per_writer: int) -> float:
    path = directory / f"outcomes-{writers}.db"
    with Registry.open(path, create=True) as registry:
        registry.add_version(
            "bench",
            source="def bench(tools): ...",
            schema={},
            summary="b",
            provenance=Provenance(synthesizer="bench"),
        )
    start = time.perf_counter()
    processes = [
        subprocess.Popen([sys.executable, __file__, "--worker", str(path), str(per_writer)])
        for _ in range(writers)
    ]
    for process in processes:
        if process.wait() != 0:
            raise SystemExit("a writer process failed")
    elapsed = time.perf_counter() - start
    with Registry.open(path, create=True) as registry:
        assert registry.reliability("bench").uses == writers * per_writer
    return writers * per_writer / elapsed


def recall_at_k(
    skills: Sequence[tuple[str, str]],
    queries: Sequence[tuple[str, str]],
    *,
    ks: Sequence[int] = (1, 5),
) -> dict[str, float]:
    """Recall@k of registry search: the share of queries whose expected skill is in the top k.

    Args:
        skills: (skill name, text) pairs; the text's first line is the summary, the rest the
            docstring.
        queries: (query text, expected skill name) pairs.
        ks: The cut-offs to report.
    """
    with (
        tempfile.TemporaryDirectory() as directory,
        Registry.open(Path(directory) / "recall.db", durable=False, create=True) as registry,
    ):
        for name, text in skills:
            summary, _, docstring = text.partition("\n")
            record = registry.add_version(
                name,
                source=f"# {name}\n{text}",
                schema={},
                summary=summary,
                docstring=docstring,
                provenance=Provenance(synthesizer="bench"),
            )
            for kind in ("check", "verify"):
                registry.record_report(
                    record.content_hash,
                    kind=kind,
                    passed=True,
                    report={},
                )
            registry.promote(name, actor="bench", reason="recall benchmark")
        depth = max(ks)
        ranked = [[h.name for h in registry.search(q, k=depth)] for q, _ in queries]
    return {
        f"recall@{k}": sum(exp in r[:k] for (_, exp), r in zip(queries, ranked, strict=True))
        / max(len(queries), 1)
        for k in ks
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--outcomes", type=int, default=4000, help="outcomes per run")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    lines = [
        f"Measured {dt.date.today().isoformat()} on {machine(sqlite=True)} "
        "(a shared, busy machine: read the numbers as orders of magnitude).",
        "",
        "Search (`Registry.search`, k=5, default state filter `promoted`; synthetic skills, "
        "each with 2-6 source trajectories whose task texts are indexed as `add_version` "
        "indexes them, so 100,000 skills are about 500,000 search rows; task-like queries of "
        "10 words; 300 queries after warm-up):",
        "",
        "| skills | p50 ms | p99 ms | load s |",
        "|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as directory:
        base = Path(directory)
        for size in (int(s) for s in args.sizes.split(",")):
            path = base / f"search-{size}.db"
            start = time.perf_counter()
            bulk_load(path, size)
            load = time.perf_counter() - start
            result = search_latency(path)
            lines.append(
                f"| {size:,} | {result['p50_ms']:.2f} | {result['p99_ms']:.2f} | {load:.1f} |"
            )
            print(lines[-1], flush=True)
        lines += [
            "",
            "Outcome recording (`record_outcome`, one `BEGIN IMMEDIATE` transaction "
            "each, `synchronous=FULL`, separate writer processes on one file):",
            "",
            "| writer processes | outcomes | outcomes/s |",
            "|---:|---:|---:|",
        ]
        for writers in (1, 8):
            rate = outcome_throughput(base, writers=writers, per_writer=args.outcomes // writers)
            lines.append(f"| {writers} | {args.outcomes} | {rate:,.0f} |")
            print(lines[-1], flush=True)
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        replace_part("## Registry", "## Registry\n\n" + text, keep="### Retrieval quality")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        _worker(sys.argv[2], int(sys.argv[3]))
    else:
        main()
