"""Learning at scale: up to a million trajectories, streamed, on this machine.

The trajectories are made from the shared data (τ² retail and τ retail, train and test, every
``mutates_db``/``x_mutates_db`` removed as in ``bench/unlabelled.py``) by varying its values:
copy ``v`` of a record has every run of four or more digits shifted (the first digit kept, the
rest plus ``v × 7919``, modulo their width), the same way wherever the run appears — order ids,
user ids, e-mails, item ids, zip codes, card ids, the instruction's words — so data flow and
procedures stay as recorded while ids, users and orders differ. They are made lazily, one at a
time, on each of learning's readings: never all in memory.

Each size is learned in a fresh child process with a fresh SQLite registry (``learn``: import,
effects, synthesis, check, verify in the sandbox, store), then learned again from the registry's
kept trajectories alone (nothing new: every family should be left as it is). Reported per size:
wall time per stage, the child's peak resident memory (``ru_maxrss``), families, skills, and the
skills the second run left unchanged.

Run: ``nice .venv/bin/python bench/scale.py [--sizes 10000 100000 1000000] [--write-docs]``
(sizes may also run apart, each printing its JSON document, and be written together with
``--results A.json B.json --write-docs``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench._report import machine, replace_part  # noqa: E402
from examples.render import strip_labels  # noqa: E402

DATA = REPO.parent / "shared" / "data"
FILES = ("tau2_retail.jsonl", "taubench_retail.jsonl")
_DIGITS = re.compile(r"\d{4,}")


class Varied:
    """``size`` trajectories varied from the shared records, made anew on every iteration."""

    def __init__(self, size: int, *, progress_every: int = 0) -> None:
        self.size = size
        self.progress_every = progress_every
        self.readings = 0
        self.started = time.perf_counter()
        self.records = [
            json.dumps(strip_labels(json.loads(line)))
            for name in FILES
            for line in (DATA / name).read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]

    def __iter__(self) -> Iterator[Any]:
        from skills_runtime.trajectory import parse_record

        count = len(self.records)
        self.readings += 1
        for k in range(self.size):
            if self.progress_every and k and k % self.progress_every == 0:
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
                seconds = time.perf_counter() - self.started
                print(
                    f"reading {self.readings}: {k:,} trajectories, {seconds:.0f} s, "
                    f"peak {peak} MiB",
                    file=sys.stderr,
                    flush=True,
                )
            copy, base = divmod(k, count)
            text = self.records[base]
            if copy:
                shift = copy * 7919

                def vary(match: re.Match[str], shift: int = shift) -> str:
                    digits = match.group()
                    width = len(digits) - 1
                    rest = (int(digits[1:]) + shift) % 10**width
                    return f"{digits[0]}{rest:0{width}d}"

                text = _DIGITS.sub(vary, text)
            record = json.loads(text)
            record["task_id"] = f"{record.get('task_id', base)}~{copy}"
            record.pop("split", None)
            # A source and line name it (else its id is derived from a digest of the record).
            imported = parse_record(record, format="native", source="varied.jsonl", line=k + 1)
            (trajectory,) = imported.trajectories
            yield trajectory


def child(size: int) -> dict[str, Any]:
    """Learn ``size`` trajectories into a fresh registry, then again from what it kept."""
    from skill_registry import Registry
    from skills_runtime.pipeline import learn

    with (
        tempfile.TemporaryDirectory() as folder,
        Registry.open(Path(folder) / "skills.db", create=True) as registry,
    ):
        started = time.perf_counter()
        source = Varied(size, progress_every=max(10_000, size // 20))
        report = learn(registry=registry, trajectories=source, jobs=2)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        again = learn(registry=registry, jobs=2)
        again_seconds = time.perf_counter() - started
        kept = len(registry.trajectories(source="learning"))
    return {
        "trajectories": report.trajectories,
        "seconds": round(seconds, 1),
        "stages": {stage: round(value, 1) for stage, value in report.seconds.items()},
        "peak_rss_mib": round(peak / 1024),
        "units": report.stats.get("units", 0),
        "families": report.stats.get("families", 0),
        "skills": len(report.skills),
        "skills_passed": sum(1 for skill in report.skills if skill.gate.passed),
        "unexplained": sum(report.unexplained_counts.values()),
        "kept_trajectories": kept,
        "again": {
            "trajectories": again.trajectories,
            "seconds": round(again_seconds, 1),
            "unchanged": len(again.unchanged),
            "learned_again": len(again.skills),
        },
    }


def run(sizes: list[int]) -> dict[str, Any]:
    results = []
    for size in sizes:
        load = os.getloadavg()[0]
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(size)],
            check=True,
            stdout=subprocess.PIPE,  # its progress goes to stderr as it runs
            text=True,
        )
        result = {**json.loads(done.stdout), "load": [round(load, 1), round(os.getloadavg()[0], 1)]}
        print(json.dumps(result), file=sys.stderr, flush=True)
        results.append(result)
    return {
        "sizes": results,
        "machine": machine(sqlite=True),
        "date": datetime.date.today().isoformat(),
    }


def _section(result: dict[str, Any], conditions: str | None = None) -> str:
    rows = []
    for r in result["sizes"]:
        per_k = r["stages"]["collect"] / r["trajectories"] * 1000
        stages = ", ".join(f"{stage} {value:g}" for stage, value in r["stages"].items())
        again = r["again"]
        rows.append(
            f"| {r['trajectories']:,} | {r['seconds']:,.0f} ({stages}) | {per_k:.2f} s "
            f"| {r['peak_rss_mib']:,} MiB | {r['families']} | {r['skills']} "
            f"({r['skills_passed']} passed) | {r['kept_trajectories']:,} "
            f"| {again['unchanged']} unchanged, {again['learned_again']} learned again, "
            f"{again['seconds']:g} s |"
        )
    return "\n".join(
        [
            "## Learning at scale",
            "",
            f"`nice .venv/bin/python bench/scale.py --write-docs` on {result['machine']}, "
            f"{result['date']} ({conditions or _conditions(result['sizes'])}). Trajectories "
            "made lazily from the shared τ² and τ retail records, labels removed, their ids, "
            "users, orders and items varied (see the script); each size learned by `learn` "
            "(effects, synthesis, check, verify in the sandbox, store) in a fresh process and "
            "registry, then learned again from the registry's kept trajectories alone.",
            "",
            "| trajectories | time (stages, s) | collect per 1,000 | peak memory (RSS) | families "
            "| skills | kept | learning again |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            _reading(result["sizes"]),
        ]
    )


def _conditions(sizes: list[dict[str, Any]]) -> str:
    """How busy the machine was (1-minute load at each size's start and end, 2 cores)."""
    loads = [value for r in sizes for value in r.get("load", [])]
    if not loads:
        return "a machine shared with other work while it ran"
    return f"load average {min(loads):g}–{max(loads):g} on 2 cores while it ran"


def _reading(sizes: list[dict[str, Any]]) -> str:
    """What the rows show, in words computed from them."""
    small, large = sizes[0], sizes[-1]
    per_k = [r["stages"]["collect"] / r["trajectories"] * 1000 for r in (small, large)]
    if small is large:
        growth = (
            f"At {large['trajectories']:,} trajectories peak memory was "
            f"{large['peak_rss_mib']:,} MiB and the streaming passes (`collect`: reading, "
            f"effects, lifting, families) took {per_k[1]:.2f} s per 1,000 trajectories"
        )
    else:
        growth = (
            f"From {small['trajectories']:,} to {large['trajectories']:,} trajectories "
            f"(×{large['trajectories'] / small['trajectories']:g}) peak memory went from "
            f"{small['peak_rss_mib']:,} to {large['peak_rss_mib']:,} MiB (a family's sample "
            "grows until it holds 256 units: rarer families fill theirs later) and the streaming "
            "passes (`collect`: reading, effects, lifting, families) took "
            f"{per_k[0]:.2f} and {per_k[1]:.2f} s per 1,000 trajectories"
        )
    text = (
        "Memory is bounded by the families: each keeps at most 256 of its units (the same ones "
        f"whatever the order) and counts the rest; fields count at most 32 values each. {growth} "
        "(every trajectory is read twice: effects, then procedures; synthesis, check and verify "
        "work on the samples, so their cost does not grow with the trajectories). Only the "
        "samples are kept in the registry."
    )
    if large["trajectories"] < 1_000_000:
        text += (
            f" A million trajectories were not run to the end on this machine: at the "
            f"{per_k[1]:.2f} s per 1,000 measured here its streaming passes alone would take "
            f"about {per_k[1] * 1000 / 3600:.1f} hours (an estimate from the rows above, not a "
            "measurement)."
        )
    if all(
        r["again"]["learned_again"] == 0 and r["again"]["unchanged"] == r["skills"] for r in sizes
    ):
        text += (
            " Learning again from the kept samples alone synthesized and gated nothing: every "
            "skill stood as it was, at every size, merged skills included (a merged skill stands "
            "while every family it was learned from keeps its digest)."
        )
    else:
        text += (
            " Learning again from the kept samples alone learned some skills again (the "
            "*learning again* column): the kept samples did not give every family the digest "
            "it had."
        )
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--conditions",
        help="How busy the machine was, for the page (default: from the loads recorded).",
    )
    parser.add_argument(
        "--results",
        type=Path,
        nargs="+",
        help="Write the docs from the JSON documents of earlier runs (e.g. sizes run apart).",
    )
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child)))
        return
    if args.results:
        runs = [json.loads(path.read_text(encoding="utf-8")) for path in args.results]
        sizes = sorted((r for run in runs for r in run["sizes"]), key=lambda r: r["trajectories"])
        result = {**runs[-1], "sizes": sizes}
    else:
        result = run(args.sizes)
    print(json.dumps(result, indent=2))
    if args.write_docs:
        replace_part("## Learning at scale", _section(result, args.conditions))


if __name__ == "__main__":
    main()
