"""learn with nothing to learn, whole names in its table, and progress bars on a terminal only.

Progress is checked on both sides: a stderr console forced to be a terminal (rich's
``force_terminal``) shows the bar; ``--json`` and a stderr that is not a terminal (the test
runner's pipe) show none.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from skills_runtime.cli import _output, commands_learn
from skills_runtime.cli._progress import progress
from skills_runtime.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
TRAJECTORIES = ROOT / "examples" / "bookshop" / "trajectories.jsonl"

runner = CliRunner()


def _family(tmp_path: Path, family: str) -> Path:
    lines = TRAJECTORIES.read_text(encoding="utf-8").splitlines()
    path = tmp_path / f"{family}.jsonl"
    path.write_text(
        "".join(line + "\n" for line in lines if json.loads(line)["family"] == family),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """The commands' stderr console, forced to be a terminal; yields what was drawn on it."""
    screen = io.StringIO()
    monkeypatch.setattr(_output, "stderr", Console(file=screen, force_terminal=True, width=100))
    return screen


# -- nothing to learn ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "extra"),
    [
        ("root:x:0:0:root:/root:/bin/bash\n", []),
        ('{"neither": "steps nor messages"}\n', []),
        (TRAJECTORIES.read_text(encoding="utf-8").splitlines()[0] + "\n", ["--split", "nope"]),
    ],
    ids=["not-json", "unknown-format", "no-such-split"],
)
def test_learn_with_nothing_to_learn_leaves_no_registry_file(
    tmp_path: Path, content: str, extra: list[str]
) -> None:
    given = tmp_path / "runs.jsonl"
    given.write_text(content, encoding="utf-8")
    db = tmp_path / "fresh.db"

    result = runner.invoke(app, ["learn", str(given), *extra, "--db", str(db)])

    assert result.exit_code == 2, result.output
    assert "Nothing was learned" in result.output or "--split" in result.output
    assert not db.exists()
    assert list(tmp_path.iterdir()) == [given]


def test_the_format_hint_names_an_option_learn_has(tmp_path: Path) -> None:
    given = tmp_path / "runs.jsonl"
    given.write_text('{"neither": "steps nor messages"}\n', encoding="utf-8")

    hinted = runner.invoke(app, ["learn", str(given), "--db", str(tmp_path / "a.db"), "--json"])
    forced = runner.invoke(
        app, ["learn", str(given), "--format", "native", "--db", str(tmp_path / "b.db"), "--json"]
    )

    (problem,) = json.loads(hinted.stdout)["problems"]
    assert "--format" in problem["message"]
    assert forced.exit_code == 2, forced.output  # accepted; the record is just not native
    assert "not a valid native record" in json.loads(forced.stdout)["problems"][0]["message"]


# -- whole names, progress ----------------------------------------------------------------------


def test_learn_shows_every_name_whole_and_a_progress_bar_on_a_terminal(
    tmp_path: Path, terminal: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    narrow = io.StringIO()
    monkeypatch.setattr(commands_learn, "stdout", Console(file=narrow, width=20))

    result = runner.invoke(
        app, ["learn", str(_family(tmp_path, "exchange")), "--db", str(tmp_path / "s.db")]
    )

    assert result.exit_code == 0, result.output + narrow.getvalue()
    (skill,) = json.loads(
        runner.invoke(app, ["list", "--db", str(tmp_path / "s.db"), "--json"]).stdout
    )["skills"]
    assert len(skill["name"]) > 20
    assert any(line.startswith(skill["name"]) for line in narrow.getvalue().splitlines())
    assert "…" not in narrow.getvalue()
    assert "gating" in terminal.getvalue()


def test_learn_with_json_draws_no_progress_even_on_a_terminal(
    tmp_path: Path, terminal: io.StringIO
) -> None:
    result = runner.invoke(
        app, ["learn", str(_family(tmp_path, "cancel")), "--db", str(tmp_path / "s.db"), "--json"]
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["skills"]
    assert terminal.getvalue() == ""


def test_learn_draws_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["learn", str(_family(tmp_path, "cancel")), "--db", str(tmp_path / "s.db")]
    )

    assert result.exit_code == 0, result.output
    assert "gating" not in result.stderr
    assert "Learned from" in result.stdout


def test_verify_and_evaluate_draw_progress_on_a_terminal_only(
    tmp_path: Path, terminal: io.StringIO
) -> None:
    cancel = _family(tmp_path, "cancel")
    db = ["--db", str(tmp_path / "s.db")]
    learned = runner.invoke(app, ["learn", str(cancel), "--split", "train", *db, "--json"])
    (skill,) = json.loads(learned.stdout)["skills"]

    assert runner.invoke(app, ["verify", skill["name"], *db, "--json"]).exit_code == 0
    assert runner.invoke(app, ["evaluate", str(cancel), *db, "--json"]).exit_code == 0
    assert terminal.getvalue() == ""

    assert runner.invoke(app, ["verify", skill["name"], *db]).exit_code == 0
    assert "verifying" in terminal.getvalue()
    assert runner.invoke(app, ["evaluate", str(cancel), *db]).exit_code == 0
    assert "replaying" in terminal.getvalue()


def test_the_progress_helper_is_silent_off_a_terminal_and_with_quiet() -> None:
    drawn = {}
    for label, console, quiet in (
        ("terminal", Console(file=io.StringIO(), force_terminal=True), False),
        ("quiet", Console(file=io.StringIO(), force_terminal=True), True),
        ("pipe", Console(file=io.StringIO(), force_terminal=False), False),
    ):
        with progress("working", quiet=quiet, console=console) as advance:
            advance("item one", 1, 2)
        assert isinstance(console.file, io.StringIO)
        drawn[label] = console.file.getvalue()

    assert "working" in drawn["terminal"]
    assert drawn["quiet"] == ""
    assert drawn["pipe"] == ""
