"""Retrieval quality on real data: skills learned from train, queried with test instructions.

A regression guard for registry search: the floors sit below the Recall@5 measured by
bench/retrieval.py (docs/benchmarks.md, "Retrieval quality") by a margin for noise in what the
synthesizer learns, not at a level that cannot fail.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"

# Measured with task texts not indexed (as `skillbank learn` stores trajectories): τ² 0.657-0.800
# depending on the synthesizer version, τ 0.901. Chance level is about 0.45 for τ² (5 of 18-24
# skills, 2-3 expected) and 0.83 for τ (5 of 6 skills): the τ floor guards little.
FLOORS = {"tau2_retail.jsonl": 0.55, "taubench_retail.jsonl": 0.8}
MIN_QUERIES = {"tau2_retail.jsonl": 20, "taubench_retail.jsonl": 60}


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_retrieval", ROOT / "bench" / "retrieval.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("filename", sorted(FLOORS))
def test_the_skill_for_a_held_out_task_is_in_the_top_five_for_its_instruction(
    filename: str,
) -> None:
    path = DATA / filename
    if not path.exists():
        pytest.skip(f"benchmark data {path} is absent (it lives beside the repository)")
    result = _bench().measure(filename, path, with_task=False)
    assert result.queries >= MIN_QUERIES[filename], (
        f"only {result.queries} test tasks of {filename} have a skill that replays them; the "
        "synthesizer or the evaluator changed: re-run bench/retrieval.py before trusting recall"
    )
    assert result.recall_any[5] >= FLOORS[filename], (
        f"Recall@5 on {filename} fell to {result.recall_any[5]:.3f} (floor {FLOORS[filename]}); "
        f"queries missed at 1: {[m[0] for m in result.misses][:10]}"
    )
    assert result.recall_any[1] <= result.recall_any[5]
    assert result.recall_all[5] <= result.recall_any[5]
