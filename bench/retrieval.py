"""Retrieval quality of registry search on real data: Recall@1 and Recall@5 per benchmark.

For τ² retail and τ retail separately: learn skills from the ``train`` split, store them in a
fresh registry exactly as ``skillbank learn`` does (schema and docstring from
``skills_runtime.checking.signature_of``, ``dump_native`` records of the source trajectories, so
their task texts are indexed), then query with every ``test`` trajectory's
instruction text and ask whether a skill that expresses its procedure comes back in the top k.

Every ``mutates_db`` and ``x_mutates_db`` label is removed first (skills are learned as from real
logs). The queries are the test tasks ``skills_runtime.evaluate`` passes, and the expected skills of
one are the skills ``evaluate`` used for it: a query is a hit at k when one of them is in the top k
("any"), and an "all" hit when every one of them is (a task that needed two skills needs both).

Run: ``.venv/bin/python bench/retrieval.py [--no-write]``. Results go to the
``### Retrieval quality`` subsection of the ``## Registry`` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._report import machine, replace_part  # noqa: E402
from bench.unlabelled import _load  # noqa: E402
from examples.render import strip_labels  # noqa: E402
from skill_registry import Provenance, Registry, SearchWeights  # noqa: E402
from skills_runtime.checking import signature_of  # noqa: E402
from skills_runtime.evaluate import evaluate, exec_runner  # noqa: E402
from skills_runtime.synthesis import SynthesizedSkill, synthesize  # noqa: E402
from skills_runtime.trajectory import Trajectory  # noqa: E402
from skills_runtime.trajectory.native import dump_native  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
DATASETS = {"τ² retail": "tau2_retail.jsonl", "τ retail": "taubench_retail.jsonl"}
KS = (1, 5)


@dataclass(frozen=True)
class Query:
    """One held-out task: its instruction and, per unit, the skills that express that unit."""

    trajectory_id: str
    text: str
    expected: tuple[frozenset[str], ...]

    @property
    def any_expected(self) -> frozenset[str]:
        return frozenset().union(*self.expected)


@dataclass(frozen=True)
class RetrievalResult:
    """Recall of one benchmark, with the ranked names behind it."""

    dataset: str
    skills: int
    test: int
    queries: int
    recall_any: dict[int, float]
    recall_all: dict[int, float]
    latency_ms: dict[str, float]
    misses: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "skills": self.skills,
            "test": self.test,
            "queries": self.queries,
            **{f"recall@{k}": round(v, 4) for k, v in self.recall_any.items()},
            **{f"recall_all@{k}": round(v, 4) for k, v in self.recall_all.items()},
            "latency_ms": {k: round(v, 3) for k, v in self.latency_ms.items()},
        }


def store(registry: Registry, skill: SynthesizedSkill, by_id: dict[str, Trajectory]) -> None:
    """Add ``skill`` as ``skillbank learn`` does (the same fields reach the search index)."""
    signature = signature_of(skill.source)
    sources = [by_id[t] for t in dict.fromkeys(skill.source_trajectories) if t in by_id]
    registry.add_version(
        skill.name,
        source=skill.source,
        schema={"parameters": signature.parameters_schema, "returns": signature.returns_schema},
        summary=skill.summary,
        docstring=signature.description,
        tools=skill.tools,
        provenance=Provenance(synthesizer="skillbank.synthesis"),
        trajectories=[dump_native(t) for t in sources],
    )


def expected_skills(
    skills: Sequence[SynthesizedSkill], test: Sequence[Trajectory], effects: Any
) -> dict[str, tuple[frozenset[str], ...]]:
    """Per passed test task: the skills ``evaluate`` used for it, one set per skill call."""
    report = evaluate(skills, test, runner=exec_runner, effects=effects).to_json()
    return {
        row["id"]: tuple(frozenset([name]) for name in dict.fromkeys(row["skills"]))
        for row in report["per_trajectory"]
        if row["passed"] and row["skills"]
    }


def measure(
    dataset: str,
    path: Path,
    *,
    ks: Sequence[int] = KS,
    weights: SearchWeights = SearchWeights(),  # noqa: B008  (frozen)
    location: str | None = None,
) -> RetrievalResult:
    """Learn on ``train``, query with ``test`` instructions, score the rankings.

    Args:
        dataset: A label for the report.
        path: The benchmark's JSONL file.
        ks: The cut-offs.
        weights: How search blends its parts (the registry's defaults unless measuring others).
        location: Where the registry goes: a new PostgreSQL registry's URL, or None for a
            temporary SQLite file.
    """
    trajectories = _load(path, strip_labels)
    train = [t for t in trajectories if t.split == "train"]
    test = [t for t in trajectories if t.split == "test"]
    learned = synthesize(train)
    skills = learned.skills
    by_id = {t.id: t for t in train}
    used = expected_skills(skills, test, learned.effects)
    queries = [
        Query(t.id, t.task, used[t.id]) for t in sorted(test, key=lambda t: t.id) if t.id in used
    ]
    depth = max(ks)
    with (
        tempfile.TemporaryDirectory() as directory,
        Registry.open(
            location or Path(directory) / "retrieval.db",
            durable=False,
            search_weights=weights,
            create=True,
        ) as registry,
    ):
        for skill in skills:
            store(registry, skill, by_id)
        for query in queries[:10]:  # warm the page cache
            registry.search(query.text, k=depth, states=None)
        timings, ranked = [], []
        for query in queries:
            start = time.perf_counter()
            hits = registry.search(query.text, k=depth, states=None)
            timings.append((time.perf_counter() - start) * 1000)
            ranked.append(tuple(h.name for h in hits))
    count = max(len(queries), 1)
    recall_any = {
        k: sum(bool(q.any_expected & set(r[:k])) for q, r in zip(queries, ranked, strict=True))
        / count
        for k in ks
    }
    recall_all = {
        k: sum(
            all(unit & set(r[:k]) for unit in q.expected)
            for q, r in zip(queries, ranked, strict=True)
        )
        / count
        for k in ks
    }
    misses = tuple(
        (q.trajectory_id, tuple(sorted(q.any_expected)), r)
        for q, r in zip(queries, ranked, strict=True)
        if not q.any_expected & set(r[:1])
    )
    return RetrievalResult(
        dataset=dataset,
        skills=len(skills),
        test=len(test),
        queries=len(queries),
        recall_any=recall_any,
        recall_all=recall_all,
        latency_ms={
            "p50": statistics.median(timings) if timings else 0.0,
            "max": max(timings, default=0.0),
        },
        misses=misses,
    )


def render(results: Sequence[RetrievalResult]) -> str:
    lines = [
        "### Retrieval quality",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine(sqlite=True)} "
        "with `bench/retrieval.py`.",
        "Skills learned from each benchmark's `train` split are stored as `skillbank learn` "
        "stores them (schema and docstring from `signature_of`, `dump_native` records of the "
        "source trajectories, whose instructions are indexed); every `test` instruction is a "
        "query (`Registry.search(text, k=5, states=None)`, what `skillbank search INSTRUCTION "
        "--all-states` runs). Every `mutates_db` and `x_mutates_db` label is removed first. "
        "The queries are the test tasks `evaluate` passed; the expected skills of one are "
        'the skills `evaluate` used for it. "any": one of them is in the top k; "all": every '
        "one of them is (a task that needed two skills needs both). Skills come from the "
        "synthesizer in the working tree at that date.",
        "",
        "| benchmark | skills | test tasks | queries | R@1 | R@5 "
        "| all R@1 | all R@5 | search p50 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.dataset} | {r.skills} | {r.test} | {r.queries} | {r.recall_any[1]:.3f} "
            f"| {r.recall_any[5]:.3f} | {r.recall_all[1]:.3f} | {r.recall_all[5]:.3f} "
            f"| {r.latency_ms['p50']:.2f} | {r.latency_ms['max']:.2f} |"
        )
    lines += [
        "",
        "Ranking is instance-based: each source trajectory's task text is its own FTS5 "
        "document, a skill scores the mean of its three best-matching past tasks (missing ones "
        "count zero) blended 3:1 with the BM25 match of its name, summary, docstring and "
        "parameters; all content words of the query are scored (stopwords dropped before the "
        "32-term cap). Before (one document per skill, the task texts concatenated into one "
        "column, scored on the first eight content words): τ² R@1 0.314, R@5 0.743; τ R@1 "
        "0.238, R@5 0.970. Variants measured on the same skills and queries (R@1 τ² / τ): "
        "skill text alone, without task texts 0.143 / 0.545; one concatenated task column "
        "scored with all query words 0.400 / 0.257; past tasks alone, best match 0.371 / 0.426, "
        "mean of best three 0.514 / 0.584, k-NN vote over the 10 nearest tasks 0.429 / 0.545; "
        "blends with the skill text at 0.15-0.35 weight 0.457-0.514 / 0.604-0.644; adding the "
        "concatenated task column back into the skill text 0.429-0.457 / 0.465-0.554; "
        "reciprocal rank fusion instead of a weighted sum 0.314 / 0.644; dropping query terms "
        "found in more than 50% / 30% / 20% of past tasks 0.514 / 0.584, 0.486 / 0.515, "
        "0.457 / 0.495 (BM25's IDF already weighs such terms near zero); the number of source "
        "trajectories as a tie-break or a log prior 0.514 / 0.554-0.564. Reliability is "
        "constant here (no outcomes). The ranking variants above were measured on the earlier "
        "library of 24 τ² skills, where near-copies (`..._by_email`, `..._by_name_zip`, "
        "`..._only`) competed for the same tasks (R@5 0.771 then); with one skill per intent "
        "the library is small enough that R@5 mostly measures whether the right skill is not "
        "ranked last, and R@1 is the stricter number. "
        "Skill rows and task rows live in one FTS5 table and one MATCH query ranks both "
        "(migration 4); while the query's terms occur in at most 1,000 rows, each term is "
        "matched once in the task column and once in the skill columns, so BM25 counts its "
        "rows per kind as two separate indexes did (sharing the counts across kinds measured "
        "0.486 / 0.663 at R@1). Larger indexes rank only rows holding the query's rarest terms "
        "(see the search latency above).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--misses", action="store_true", help="list queries missed at 1")
    args = parser.parse_args()
    results = []
    for dataset, filename in DATASETS.items():
        result = measure(dataset, DATA / filename)
        results.append(result)
        print(result.to_json(), flush=True)
        if args.misses:
            for trajectory_id, expected, ranked in result.misses:
                print(f"  miss {trajectory_id}: expected {expected}, got {ranked}")
    text = render(results)
    print(text)
    if not args.no_write:
        replace_part("### Retrieval quality", text, inside="## Registry")


if __name__ == "__main__":
    main()
