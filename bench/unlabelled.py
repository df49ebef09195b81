"""Learning without labels: the shared data stripped and re-rendered, and domains of other shapes.

For τ² retail and τ retail, the records are read four ways — native with labels, native with
every ``mutates_db``/``x_mutates_db`` removed, and the unlabelled records rendered as OpenAI Chat
and as Anthropic Messages transcripts (``examples/render.py``). Each way: learn on ``train``,
replay ``test`` (trusted runner), and score the decided effect of every tool against the labels.
Then the example domains of other shapes (``examples/files``: a file system with a working
directory, OpenAI and Anthropic logs of a noisy agent; ``examples/helpdesk``: a ticketing service
with a login token, MCP JSON-RPC logs and OpenAI logs), scored against their answer keys.

Run: ``.venv/bin/python bench/unlabelled.py [--write-docs]``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench._report import machine, replace_part  # noqa: E402
from examples.render import strip_labels, to_anthropic, to_openai_chat  # noqa: E402
from skills_runtime.evaluate import evaluate, exec_runner  # noqa: E402
from skills_runtime.synthesis import synthesize  # noqa: E402
from skills_runtime.trajectory import Trajectory, load_trajectories  # noqa: E402

DATA = REPO.parent / "shared" / "data"
SHARED = {
    "τ² retail": ("tau2_retail.jsonl", "tau2_retail_tool_schemas.json"),
    "τ retail": ("taubench_retail.jsonl", "taubench_retail_tool_schemas.json"),
}
WAYS: dict[str, Callable[[dict[str, Any]], dict[str, Any]] | None] = {
    "native, labelled": None,
    "native, no labels": strip_labels,
    "OpenAI Chat, no labels": to_openai_chat,
    "Anthropic, no labels": to_anthropic,
}
DOMAINS = {
    "files (OpenAI)": ("examples/files/trajectories.openai.jsonl", "examples/files/answers.json"),
    "files (Anthropic)": (
        "examples/files/trajectories.anthropic.jsonl",
        "examples/files/answers.json",
    ),
    "helpdesk (MCP)": (
        "examples/helpdesk/trajectories.mcp.jsonl",
        "examples/helpdesk/answers.json",
    ),
    "helpdesk (OpenAI)": (
        "examples/helpdesk/trajectories.openai.jsonl",
        "examples/helpdesk/answers.json",
    ),
}


def _load(path: Path, way: Callable[[dict[str, Any]], dict[str, Any]] | None) -> list[Trajectory]:
    if way is None:
        return list(load_trajectories([path]).trajectories)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    with tempfile.TemporaryDirectory() as folder:
        rendered = Path(folder) / path.name
        rendered.write_text("".join(json.dumps(way(r)) + "\n" for r in lines), encoding="utf-8")
        report = load_trajectories([rendered])
        assert not report.problems, report.problems[:3]
        return list(report.trajectories)


def _learn_and_replay(trajectories: list[Trajectory], truth: dict[str, bool]) -> dict[str, Any]:
    train = [t for t in trajectories if t.split == "train"]
    test = [t for t in trajectories if t.split == "test"]
    started = time.perf_counter()
    learned = synthesize(train)
    seconds = time.perf_counter() - started
    report = evaluate(learned.skills, test, runner=exec_runner, effects=learned.effects).to_json()
    decided = {effect.tool: effect.effect.value == "write" for effect in learned.effects}
    wrong = sorted(
        tool for tool, writes in decided.items() if tool in truth and truth[tool] != writes
    )
    return {
        "train": len(train),
        "test": len(test),
        "skills": len(learned.skills),
        "synthesis_seconds": round(seconds, 3),
        "scored": report["trajectories"],
        "failed_runs_not_scored": len(report["failed_runs_not_scored"]),
        "covered": report["covered"],
        "passed": report["passed"],
        "pass_rate": report["pass_rate"],
        "calls_before_passed": report["calls_before"],
        "calls_after_passed": report["calls_after"],
        "calls_after_needed": report["calls_after_needed"],
        "tools_scored": sum(1 for tool in decided if tool in truth),
        "tools_wrong": wrong,
        "not_passed": [
            {"id": row["id"], "reason": row["reason"][:200]}
            for row in report["per_trajectory"]
            if not row["passed"]
        ],
    }


def _shared() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, (data, schemas) in SHARED.items():
        declared = json.loads((DATA / schemas).read_text(encoding="utf-8"))
        truth = {s["function"]["name"]: bool(s.get("x_mutates_db")) for s in declared}
        out[label] = {
            way: _learn_and_replay(_load(DATA / data, render), truth)
            for way, render in WAYS.items()
        }
    return out


def _domains() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, (data, answers) in DOMAINS.items():
        key = json.loads((REPO / answers).read_text(encoding="utf-8"))
        truth = {tool: effect != "read" for tool, effect in key["effects"].items()}
        result = _learn_and_replay(_load(REPO / data, None), truth)
        runs = {run["id"]: run for run in key["runs"]}
        result["not_passed"] = [
            {**row, "procedure": runs.get(row["id"], {}).get("procedure", "?")}
            for row in result["not_passed"]
        ]
        out[label] = result
    return out


def run() -> dict[str, Any]:
    return {
        "shared": _shared(),
        "domains": _domains(),
        "machine": machine(),
        "date": datetime.date.today().isoformat(),
    }


def _row(label: str, r: dict[str, Any]) -> str:
    wrong = ", ".join(r["tools_wrong"]) or "none"
    unscored = (
        f" (+{r['failed_runs_not_scored']} failed runs)" if r["failed_runs_not_scored"] else ""
    )
    return (
        f"| {label} | {r['skills']} | {r['passed']}/{r['scored']}{unscored} |"
        f" {r['pass_rate']:.1%} |"
        f" {r['calls_before_passed']} → {r['calls_after_passed']} ({r['calls_after_needed']}) |"
        f" {r['tools_scored'] - len(r['tools_wrong'])}/{r['tools_scored']} ({wrong}) |"
    )


def _section(data: dict[str, Any]) -> str:
    lines = [
        "## Learning without labels",
        "",
        f"Measured {data['date']} on {data['machine']} with `bench/unlabelled.py`",
        "(learn on `train`, replay `test` with the trusted runner; effects decided by",
        "`skills_runtime.effects`, scored against the benchmark's labels or the domain's answer",
        "key). *No labels*: every `mutates_db` and `x_mutates_db` removed; OpenAI Chat",
        "transcripts carry failures only as text. Calls on passed tasks: recorded → with skills",
        "(in brackets: counting only the calls the procedures need, not the agent's detours).",
        "Runs recorded as failed are not scored: nothing should reproduce them.",
        "",
        "| data, read as | skills | test passed | pass rate | calls before → after |"
        " tools decided as labelled (wrong) |",
        "|---|---|---|---|---|---|",
    ]
    for label, ways in data["shared"].items():
        for way, result in ways.items():
            lines.append(_row(f"{label}, {way}", result))
    lines += [
        "",
        "τ and τ² label `transfer_to_human_agents` differently (τ: a write, τ²: not); skillbank",
        "takes it as a handoff (it changes who acts, not the data), so one of the two disagrees.",
        "",
        "Domains of other shapes, made for this purpose (`examples/files`, `examples/helpdesk`;",
        "noisy agents, unknown outcomes, failures written only as text):",
        "",
        "| domain, log format | skills | test passed | pass rate | calls before → after |"
        " tools decided as in the answer key (wrong) |",
        "|---|---|---|---|---|---|",
    ]
    for label, result in data["domains"].items():
        lines.append(_row(label, result))
    lines += ["", "Not passed in the domains:", ""]
    for label, result in data["domains"].items():
        for row in result["not_passed"]:
            lines.append(f"- {label} `{row['id']}` ({row['procedure']}): {row['reason'][:150]}")
    return "\n".join(lines) + "\n\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write-docs", action="store_true")
    result = run()
    if parser.parse_args().write_docs:
        replace_part("## Learning without labels", _section(result))
    print(json.dumps(result, indent=2, ensure_ascii=False))
