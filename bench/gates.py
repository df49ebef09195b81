"""Gate benchmark: mutation score of check + verify on every skill learned from the real data.

Run: ``.venv/bin/python bench/gates.py [--max-mutants N] [--no-write]``. Learns skills from the
``train`` split of ``<repo>/../shared/data`` (τ-bench and τ²-bench retail), stores each with its
replay cases as regression cases, gates it, then submits every semantic mutant of it (see
``skills_runtime.verify.mutations``) as an edited version and counts how many the gates reject.
A mutant the gates let through is compared with its original by a differential search in the
sandbox; when no recorded case and no generated input tells them apart it is reported as
*equivalent* (separately), otherwise as *survived*. Results go to the ``## Gates`` section of
docs/benchmarks.md (other sections are left as they are).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sandbox  # noqa: E402 - after the path set-up above
from bench._report import machine, replace_part  # noqa: E402
from skill_registry import Provenance, Registry  # noqa: E402
from skills_runtime.checking import signature_of  # noqa: E402
from skills_runtime.gates import add_edited_version, run_gates  # noqa: E402
from skills_runtime.synthesis import SynthesizedSkill, synthesize  # noqa: E402
from skills_runtime.trajectory import load_trajectories  # noqa: E402
from skills_runtime.verify import differential, observed_arguments  # noqa: E402
from skills_runtime.verify.mutations import OPERATORS, mutants  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
FILES = ("tau2_retail.jsonl", "taubench_retail.jsonl")


def learn() -> list[SynthesizedSkill]:
    report = load_trajectories([DATA / name for name in FILES])
    train = [t for t in report.trajectories if t.split == "train"]
    return list(synthesize(train).skills)


def result_keys(skill: SynthesizedSkill) -> list[str]:
    """Keys of the recorded results: the wrong paths a data-flow mutant may take."""
    keys: Counter[str] = Counter()
    for case in skill.replay_cases[:20]:
        for call in case.calls:
            if isinstance(call.result, dict):
                keys.update(key for key in call.result if isinstance(key, str))
    return [key for key, _ in keys.most_common()]


def store(registry: Registry, skill: SynthesizedSkill) -> int:
    signature = signature_of(skill.source)
    record = registry.add_version(
        skill.name,
        source=skill.source,
        schema={"parameters": signature.parameters_schema, "returns": signature.returns_schema},
        summary=skill.summary,
        tools=skill.tools,
        provenance=Provenance(synthesizer="skillbank.synthesis"),
    )
    for case in skill.replay_cases:
        registry.add_regression_case(skill.name, case.to_json(), version=record.version)
    return record.version


def equivalent(skill: SynthesizedSkill, mutant_source: str, executor: Any) -> tuple[bool, str]:
    signature = signature_of(skill.source)
    payload = {
        "original": skill.source,
        "mutant": mutant_source,
        "entry": signature.name,
        "cases": [case.to_json() for case in skill.replay_cases],
        "parameters_schema": signature.parameters_schema,
        "observed": observed_arguments(skill.replay_cases),
        "write_tools": list(skill.write_tools),
        "max_examples": 200,
    }
    limits = sandbox.Limits(wall_seconds=120, cpu_seconds=100, memory_mb=1024)
    result = sandbox.run_trusted(differential.TARGET, payload, limits=limits, executor=executor)
    if result.status != "ok" or not isinstance(result.value, dict):
        return False, f"differential run ended {result.status}: {result.error}"
    return bool(result.value["equivalent"]), str(result.value.get("difference") or "")


def run(max_mutants: int | None) -> dict[str, Any]:
    started = time.perf_counter()
    skills = learn()
    learned = time.perf_counter() - started
    rows: list[dict[str, Any]] = []
    verify_seconds: list[float] = []
    per_operator: dict[str, Counter[str]] = defaultdict(Counter)
    originals_rejected: list[dict[str, Any]] = []
    survivors: list[dict[str, Any]] = []
    equivalents: list[dict[str, Any]] = []
    executor = sandbox.default_executor()
    with tempfile.TemporaryDirectory() as directory:
        registry = Registry.open(Path(directory) / "gates.db", durable=False, create=True)
        for skill in skills:
            version = store(registry, skill)
            gate = run_gates(registry, skill.name, version=version, tool_schemas=skill.tool_schemas)
            if gate.verification is not None:
                verify_seconds.append(gate.verification.seconds)
            if not gate.passed:
                originals_rejected.append({"skill": skill.name, "reasons": list(gate.reasons)[:3]})
                print(f"ORIGINAL REJECTED {skill.name}: {gate.reasons[:2]}", flush=True)
                continue
            found = mutants(skill.source, sibling_keys=result_keys(skill))
            for mutant in found[:max_mutants]:
                record = add_edited_version(
                    registry, skill.name, mutant.source, author="model:mutation-bench"
                )
                result = run_gates(
                    registry, skill.name, version=record.version, tool_schemas=skill.tool_schemas
                )
                if result.verification is not None:
                    verify_seconds.append(result.verification.seconds)
                row = {"skill": skill.name, **mutant.to_json()}
                if not result.passed:
                    per_operator[mutant.operator]["killed"] += 1
                    row["verdict"] = "killed"
                    row["by"] = (result.reasons or ("?",))[0][:160]
                else:
                    same, difference = equivalent(skill, mutant.source, executor)
                    verdict = "equivalent" if same else "survived"
                    per_operator[mutant.operator][verdict] += 1
                    row["verdict"] = verdict
                    row["difference"] = difference[:200]
                    (equivalents if same else survivors).append(row)
                rows.append(row)
                print(
                    f"{skill.name} {mutant.operator} l{mutant.line}: {row['verdict']}", flush=True
                )
        registry.close()
    killed = sum(c["killed"] for c in per_operator.values())
    equivalent_count = sum(c["equivalent"] for c in per_operator.values())
    non_equivalent = len(rows) - equivalent_count
    return {
        "skills": len(skills),
        "originals_rejected": originals_rejected,
        "mutants": len(rows),
        "killed": killed,
        "equivalent": equivalent_count,
        "survived": len(survivors),
        "mutation_score": killed / non_equivalent if non_equivalent else 1.0,
        "per_operator": {op: dict(per_operator[op]) for op in OPERATORS if op in per_operator},
        "verify_seconds": {
            "p50": statistics.median(verify_seconds) if verify_seconds else 0.0,
            "p90": _percentile(verify_seconds, 0.9),
            "max": max(verify_seconds, default=0.0),
            "runs": len(verify_seconds),
        },
        "survivors": survivors,
        "equivalents": equivalents,
        "learn_seconds": learned,
        "total_seconds": time.perf_counter() - started,
    }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def render(results: dict[str, Any]) -> str:
    timing = results["verify_seconds"]
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()} (shared with other work), with "
        "`.venv/bin/python bench/gates.py`.",
        "",
        f"- Skills learned from the `train` split of τ-bench + τ²-bench retail: "
        f"{results['skills']}; originals rejected by the gates: "
        f"{len(results['originals_rejected'])} "
        f"({len(results['originals_rejected']) / max(1, results['skills']):.0%}).",
        f"- Mutants: {results['mutants']}; rejected by the gates: {results['killed']}; "
        f"equivalent (no recorded case or generated input tells them apart): "
        f"{results['equivalent']}; survived: {results['survived']}.",
        f"- **Mutation score** (rejected / non-equivalent mutants): "
        f"**{results['mutation_score']:.1%}** (goal ≥ 95%).",
        f"- Verification time per gate run (one sandbox worker, default settings): "
        f"p50 {timing['p50']:.2f} s, p90 {timing['p90']:.2f} s, max {timing['max']:.2f} s "
        f"over {timing['runs']} verifications (goal: p50 ≤ 2 s; a mutant the static check "
        "rejects is not verified).",
        "- The gates measured (docs/verification.md): the static check; replays of the recorded "
        "cases; properties on inputs near the recorded ones and at random, against fake tools "
        "that answer, fail and refuse as the sandbox's bridge does; and coverage — every "
        "statement and every branch expression (both arms of a conditional expression, `and`/"
        "`or` operands, lambda and comprehension bodies) must run in some replay or example.",
        "",
        "| operator | rejected | equivalent | survived |",
        "|---|---:|---:|---:|",
    ]
    for operator, counts in results["per_operator"].items():
        lines.append(
            f"| {operator} | {counts.get('killed', 0)} | {counts.get('equivalent', 0)} | "
            f"{counts.get('survived', 0)} |"
        )
    if results["originals_rejected"]:
        lines += ["", "Originals the gates rejected:", ""]
        lines += [
            f"- `{row['skill']}`: {'; '.join(row['reasons'])}"
            for row in results["originals_rejected"]
        ]
    if results["survivors"]:
        lines += ["", "Survivors (mutants the gates let through that behave differently):", ""]
        lines += [
            f"- `{row['skill']}` line {row['line']}: {row['description']} — {row['difference']}"
            for row in results["survivors"]
        ]
    if results["equivalents"]:
        kinds = Counter(row["description"] for row in results["equivalents"])
        lines += [
            "",
            "Equivalent mutants (reported apart, not counted in the score), by kind — each a read "
            "repeated or a read whose result feeds nothing dropped, which no write, outcome or "
            "result can show:",
            "",
        ]
        lines += [f"- {description}: {count}" for description, count in kinds.most_common()]
    missing = [op for op in OPERATORS if op not in results["per_operator"]]
    if missing:
        lines += [
            "",
            f"Operators with no site in the learned skills: {', '.join(missing)} (the skills index "
            "no list by position; loops iterate instead). They are exercised by the unit tests "
            "in `tests/verify/test_mutations.py`.",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--max-mutants", type=int, default=None, help="per skill (default: all)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw results here")
    parser.add_argument("--render", type=Path, default=None, help="re-render saved raw results")
    args = parser.parse_args()
    if args.render is not None:
        results = json.loads(args.render.read_text())
    else:
        results = run(args.max_mutants)
    text = render(results)
    print(text)
    if args.json is not None and args.render is None:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    if not args.no_write:
        replace_part("## Gates", "## Gates\n\n" + text)


if __name__ == "__main__":
    main()
