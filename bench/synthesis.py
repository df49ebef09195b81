"""Synthesis benchmark: learn on train, replay test, on τ² retail and τ retail.

Run: ``.venv/bin/python bench/synthesis.py [--write-docs]``. Prints one JSON document; with
``--write-docs`` it also replaces the ``## Synthesis`` section of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
import sandbox  # noqa: E402
from bench._report import machine, replace_part  # noqa: E402
from skills_runtime.evaluate import SandboxRunner, evaluate, exec_runner  # noqa: E402
from skills_runtime.synthesis import synthesize  # noqa: E402
from skills_runtime.trajectory import load_trajectories  # noqa: E402

DATA = REPO.parent / "shared" / "data"
SETS = {"τ² retail": DATA / "tau2_retail.jsonl", "τ retail": DATA / "taubench_retail.jsonl"}


def run() -> dict[str, Any]:
    out: dict[str, Any] = {"benchmarks": {}}
    everything = []
    for label, path in SETS.items():
        trajectories = list(load_trajectories([path]).trajectories)
        everything += trajectories
        train = [t for t in trajectories if t.split == "train"]
        test = [t for t in trajectories if t.split == "test"]
        started = time.perf_counter()
        learned = synthesize(train)
        seconds = time.perf_counter() - started
        report = evaluate(learned.skills, test, runner=exec_runner).to_json()
        failing = [
            {"id": row["id"], "reason": row["reason"]}
            for row in report["per_trajectory"]
            if not row["passed"]
        ]
        out["benchmarks"][label] = {
            "train": len(train),
            "test": len(test),
            "skills": len(learned.skills),
            "unexplained_train": learned.stats["unexplained"],
            "synthesis_seconds": round(seconds, 3),
            **{k: report[k] for k in ("covered", "passed", "coverage", "pass_rate")},
            "pass_rate_covered": report["pass_rate_covered"],
            "calls_before_passed": report["calls_before"],
            "calls_after_passed": report["calls_after"],
            "not_passed": failing,
            "per_skill": report["per_skill"],
        }
    out["sandbox"] = _sandboxed(everything)
    started = time.perf_counter()
    result = synthesize(everything)
    out["all_749"] = {
        "trajectories": len(everything),
        "skills": len(result.skills),
        "seconds": round(time.perf_counter() - started, 3),
        "stats": dict(result.stats),
    }
    out["machine"] = machine()
    out["date"] = datetime.date.today().isoformat()
    return out


def _sandboxed(everything: list[Any]) -> dict[str, Any]:
    """τ² held-out evaluation again, every skill run in isolated workers of one warm pool."""
    tau2 = [t for t in everything if t.id.startswith("tau2-")]
    learned = synthesize(t for t in tau2 if t.split == "train")
    test = [t for t in tau2 if t.split == "test"]
    started = time.perf_counter()
    with sandbox.ProcessPool(size=2) as pool:
        ready = time.perf_counter()
        report = evaluate(learned.skills, test, runner=SandboxRunner(executor=pool))
        done = time.perf_counter()
    runs = sum(row["used"] for row in report.per_skill)
    trusted = evaluate(learned.skills, test, runner=exec_runner)
    return {
        "passed": report.passed,
        "calls_before": report.calls_before,
        "calls_after": report.calls_after,
        "same_as_trusted": report.to_json() == trusted.to_json(),
        "skill_runs": runs,
        "pool_start_seconds": round(ready - started, 3),
        "evaluate_seconds": round(done - ready, 3),
        "ms_per_run": round(1000 * (done - ready) / runs, 1) if runs else 0.0,
    }


def _section(data: dict[str, Any]) -> str:
    t2 = data["benchmarks"]["τ² retail"]
    sb = data["sandbox"]
    lines = [
        "## Synthesis",
        "",
        f"Measured {data['date']} on {data['machine']} with `bench/synthesis.py`",
        "(learn on `train`, replay `test` through `skills_runtime.evaluate`, trusted runner).",
        "Calls after = skill calls + the trajectory's calls no skill made (passed ones only).",
        "A unit is one write with the reads it needs; the minimum family size is 2 units.",
        "",
        f"τ² compression is {t2['calls_before_passed'] / t2['calls_after_passed']:.2f}× "
        f"({t2['calls_before_passed']} → {t2['calls_after_passed']} calls on the passed test",
        "trajectories). Loops carry it: reads repeated once per element of a list become `for`",
        "loops — the product lookups of the items being exchanged or returned",
        '(`for item in order["items"]: if item["item_id"] in item_ids: ...`) and a look at',
        'every order of the customer (`for order_id in user["orders"]: ...`). A loop is formed',
        "only when the reads it makes equal, as a set, the reads the trace recorded, so a replay",
        "never asks for a read the recording lacks. Families whose loops hold in only some units",
        "also get a *loop variant* (the same procedure plus the loops; 24 τ² skills instead of",
        "18); evaluation tries the variant first and falls back to the plain skill.",
        "Caveat: the orders loop absorbs reads the agent made to *choose* the order; the skill",
        "takes `order_id` as an argument, so the count assumes the agent knows it already.",
        "",
        "Coincidence guard: with fewer than 3 distinct trajectories in a family, only identifiers",
        "(a lookup's whole answer, fields or arguments named `id`/`*_id`) are linked; other equal",
        "values (a zip code, a second address line) stay parameters. Paths through a key that is a",
        "data value are never links.",
        "",
        "τ train traces list only the final write, so its skills wrap one write and save nothing",
        "(1.0×), as the per-skill rows show.",
        "",
        "| benchmark | train | skills | test | covered | passed | pass rate | of covered |"
        " calls before → after | synth s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, b in data["benchmarks"].items():
        lines.append(
            f"| {label} | {b['train']} | {b['skills']} | {b['test']} | {b['covered']} |"
            f" {b['passed']} | {b['pass_rate']:.1%} | {b['pass_rate_covered']:.1%} |"
            f" {b['calls_before_passed']} → {b['calls_after_passed']} | {b['synthesis_seconds']} |"
        )
    a = data["all_749"]
    lines += [
        "",
        f"All {a['trajectories']} trajectories: {a['skills']} skills in {a['seconds']} s "
        f"({a['stats']['units']} units, {a['stats']['families']} families, "
        f"{a['stats']['unexplained']} unexplained).",
        "",
        "Through the sandbox (`SandboxRunner`, one warm `ProcessPool` of 2 isolated workers):",
        f"τ² test passed {sb['passed']}, calls {sb['calls_before']} → {sb['calls_after']},"
        f" identical to the trusted runner: {sb['same_as_trusted']};"
        f" {sb['skill_runs']} skill runs in {sb['evaluate_seconds']} s"
        f" ({sb['ms_per_run']} ms per run, tool calls crossing the bridge included).",
        "Generated skills run in the sandbox exactly as written (their `from typing import ...`",
        "line serves only the annotations, which the sandbox strips before compiling).",
        "",
        "Not passed (test): trajectories without a successful write have nothing to learn;",
        "τ² train has no `modify_pending_order_payment` write and τ train no",
        "`transfer_to_human_agents` write;",
        "τ train has no `modify_user_address` call at all.",
        "",
        "",
    ]
    for label, b in data["benchmarks"].items():
        for row in b["not_passed"]:
            lines.append(f"- {label} `{row['id']}`: {row['reason'][:160]}")
    return "\n".join(lines) + "\n\n"


def write_docs(data: dict[str, Any]) -> None:
    replace_part("## Synthesis", _section(data))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write-docs", action="store_true")
    data = run()
    if parser.parse_args().write_docs:
        write_docs(data)
    print(json.dumps(data, indent=2, ensure_ascii=False))
