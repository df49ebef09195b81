"""Files read lazily: the same trajectories on every reading, problems located and bounded."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from skills_runtime.trajectory import TrajectoryFiles, load_trajectories


def _record(k: int) -> str:
    return json.dumps({"task_id": f"t{k}", "instruction": "ok", "steps": []})


def test_every_reading_gives_the_trajectories_a_list_import_gives(tmp_path: Path) -> None:
    lines = tmp_path / "runs.jsonl"
    lines.write_text("".join(_record(k) + "\n" for k in range(5)) + "not json\n")
    array = tmp_path / "runs.json"
    array.write_text("[" + ",".join(_record(k) for k in range(5, 8)) + "]")
    files = TrajectoryFiles([lines, array])

    first, second = list(files), list(files)

    assert first == second == list(load_trajectories([lines, array]).trajectories)
    assert [str(problem) for problem in files.problems] == [
        f"{lines}:6: not valid JSON: Expecting value: line 1 column 1 (char 0)"
    ]
    assert files.count == 8
    assert files.formats == {"native": 8}


def test_a_reading_holds_one_record_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text("".join(_record(k) + "\n" for k in range(3)))
    reading = iter(TrajectoryFiles(path))

    assert next(reading).id == "t0"  # the rest of the file is not read yet
    assert [t.id for t in reading] == ["t1", "t2"]


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 40), st.integers(1, 10))
def test_problems_beyond_the_bound_are_counted_not_kept(bad: int, bound: int) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "runs.jsonl"
        path.write_text(_record(0) + "\n" + "{\n" * bad)
        files = TrajectoryFiles(path, max_problems=bound)
        assert [t.id for t in files] == ["t0"]

    problems = files.problems
    assert len(problems) == min(bad, bound) + (bad > bound)
    if bad > bound:
        assert problems[-1].message == f"... and {bad - bound} more problems (not kept)"
