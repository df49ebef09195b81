"""Where the test inputs live: fixtures beside the tests, benchmark data beside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The repository is checked out with ``shared/`` as a sibling directory: <repo>/../shared/data.
DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
BENCHMARK_FILES = (DATA / "tau2_retail.jsonl", DATA / "taubench_retail.jsonl")


def benchmark_files() -> tuple[Path, ...]:
    """The benchmark recordings, or a clean skip naming where they were looked for."""
    missing = [path for path in BENCHMARK_FILES if not path.is_file()]
    if missing:
        pytest.skip(f"benchmark data not found at {DATA} (expected <repo>/../shared/data)")
    return BENCHMARK_FILES
