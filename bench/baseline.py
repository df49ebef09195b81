"""Skills against the raw-trajectory baseline, on the shared data without labels and the domains.

For τ² retail and τ retail (every ``mutates_db``/``x_mutates_db`` removed, as in
``bench/unlabelled.py``) and for the example domains of other shapes (``examples/files``,
``examples/helpdesk``, scored against nothing but their own traces): learn on ``train``, then
replay ``test`` three ways with the trusted runner — the recorded runs, the skills, and the
baseline that replays the nearest training run the skills were learned from with rebound
arguments (``skills_runtime.evaluate.baseline``). The baseline is measured twice: retrieving
among the training runs that wrote as the held-out run did (what ``skillbank evaluate`` reports),
and by request text alone. Also counted: held-out runs where using the skills would do worse than
no skill (a wrong write, an extra write, a refused request).

Run: ``.venv/bin/python bench/baseline.py [--write-docs]``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench._report import machine, replace_part  # noqa: E402
from bench.unlabelled import DATA, DOMAINS, SHARED, _load  # noqa: E402
from examples.render import strip_labels  # noqa: E402
from skills_runtime.evaluate import evaluate, exec_runner, replay_nearest  # noqa: E402
from skills_runtime.evaluate.replay_skills import _held_out_effects  # noqa: E402
from skills_runtime.synthesis import synthesize  # noqa: E402
from skills_runtime.trajectory import Trajectory  # noqa: E402

HEADING = "## Skills against the raw-trajectory baseline"


def measure(trajectories: list[Trajectory]) -> dict[str, Any]:
    """Learn on ``train``; replay ``test`` against the skills and the baseline."""
    train = [t for t in trajectories if t.split == "train"]
    test = [t for t in trajectories if t.split == "test"]
    learned = synthesize(train)
    sources = {tid for skill in learned.skills for tid in skill.source_trajectories}
    kept = [t for t in train if t.id in sources]  # what the registry keeps for the baseline
    report = evaluate(
        learned.skills, test, runner=exec_runner, effects=learned.effects, training=kept
    )
    document = report.to_json()
    decided = _held_out_effects(sorted(test, key=lambda t: t.id), learned.effects)
    by_text = replay_nearest(test, kept, effects=decided, match_writes=False)
    baseline = document["baseline"]
    comparison = document["comparison"]
    return {
        "train": len(train),
        "kept": len(kept),
        "test": len(test),
        "scored": document["trajectories"],
        "skills": len(learned.skills),
        "skills_passed": document["passed"],
        "baseline_passed": baseline["passed"],
        "baseline_text_only_passed": by_text.passed,
        "only_skills": len(comparison["only_skills"]),
        "only_baseline": comparison["only_baseline"],
        "calls_on_both": comparison["calls_on_both"],
        "skills_beat_baseline": comparison["skills_beat_baseline"],
        "rebound": baseline["rebound"],
        "baseline_failures": baseline["failures"],
        "same_writes_found": sum(task["same_writes"] for task in baseline["per_trajectory"]),
        "worse_than_no_skill": document["worse_than_no_skill"],
        "tasks_worse_than_no_skill": document["tasks_worse_than_no_skill"],
        "harmful_alternatives": len(document["harmful_alternatives"]),
        "baseline_not_passed": [
            {"id": task["id"], "nearest": task["nearest"], "reason": task["reason"][:160]}
            for task in baseline["per_trajectory"]
            if not task["passed"]
        ],
    }


def run() -> dict[str, Any]:
    shared = {
        label: measure(_load(DATA / data, strip_labels)) for label, (data, _) in SHARED.items()
    }
    domains = {label: measure(_load(REPO / data, None)) for label, (data, _) in DOMAINS.items()}
    return {
        "shared": shared,
        "domains": domains,
        "machine": machine(),
        "date": datetime.date.today().isoformat(),
    }


def _rate(passed: int, scored: int) -> str:
    return f"{passed}/{scored} ({passed / scored:.1%})" if scored else "0/0"


def _row(label: str, r: dict[str, Any]) -> str:
    calls = r["calls_on_both"]
    return (
        f"| {label} | {r['skills']} | {_rate(r['skills_passed'], r['scored'])} |"
        f" {_rate(r['baseline_passed'], r['scored'])} |"
        f" {_rate(r['baseline_text_only_passed'], r['scored'])} |"
        f" {calls['tasks']}: {calls['recorded']} / {calls['skills']} / {calls['baseline']} |"
        f" {r['tasks_worse_than_no_skill']} ({r['harmful_alternatives']}) |"
        f" {'yes' if r['skills_beat_baseline'] else '**no**'} |"
    )


def _section(data: dict[str, Any]) -> str:
    lines = [
        HEADING,
        "",
        f"Measured {data['date']} on {data['machine']} with `bench/baseline.py`: learn on",
        "`train`, replay `test` with the trusted runner. *Baseline*: for each held-out run, the",
        "nearest training run the skills were learned from, replayed with rebound arguments",
        "against the same judge (rules in docs/concepts.md, *Evaluation*), retrieved among the",
        "runs that wrote as the held-out run did, then by BM25 of the request (*text only*:",
        "by BM25 alone). The shared data is read with every label removed. *Calls on both*: on",
        "the held-out runs both pass, recorded / with skills / with the baseline, counting the",
        "agent's own calls (one per skill call, one per replayed call) plus the calls the",
        "procedures need that nothing made. *Worse than no skill*: held-out runs where a skill",
        "would make a wrong or extra write or refuse a request the recorded run served (in",
        "brackets: such skills where another skill passed the same procedure).",
        "",
        "| data | skills | skills pass | baseline passes | baseline, text only |"
        " calls on both | worse than no skill | skills beat baseline |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, result in data["shared"].items():
        lines.append(_row(f"{label}, no labels", result))
    for label, result in data["domains"].items():
        lines.append(_row(label, result))
    lines += [
        "",
        "Why the baseline did not pass (held-out runs per first reason; *unanswered read*: the",
        "training run reads something of its own situation — an order, a file — that the",
        "held-out run never looked at, so the recording has no answer), and how its arguments",
        "were rebound (values per rule):",
        "",
    ]
    for group in ("shared", "domains"):
        for label, result in data[group].items():
            failures = ", ".join(f"{k} {n}" for k, n in result["baseline_failures"].items())
            rules = ", ".join(f"{rule} {count}" for rule, count in result["rebound"].items())
            lines.append(f"- {label}: not passed: {failures or 'none'}; rebound: {rules}")
    harms = [
        (label, harm)
        for group in ("shared", "domains")
        for label, result in data[group].items()
        for harm in result["worse_than_no_skill"]
    ]
    lines += ["", "Held-out runs where the skills would do worse than no skill:", ""]
    lines += [
        f"- {label} `{harm['unit']}`: {harm['kind']} by `{harm['skill']}`: {harm['detail'][:150]}"
        for label, harm in harms
    ] or ["- none"]
    return "\n".join(lines) + "\n\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write-docs", action="store_true")
    result = run()
    if parser.parse_args().write_docs:
        replace_part(HEADING, _section(result))
    print(json.dumps(result, indent=2, ensure_ascii=False))
