"""The file-system example: a shell-like API with a working directory, and noisy recorded runs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from examples.files import ANSWERS as ANSWERS_PATH
from examples.files import DIRECTORY, TRAJECTORIES, record, seed, tools
from examples.files.fs import DATA_PATH, Tree
from examples.files.shell import FSError, Session
from examples.recording import noise_table
from skills_runtime.trajectory import load_trajectories
from tests.examples.logs import (
    anthropic_calls,
    check_anthropic,
    check_openai,
    final_text,
    jsonl,
    openai_calls,
    repeated,
    retried,
)

DATA = json.loads(DATA_PATH.read_text(encoding="utf-8"))
OPENAI = jsonl(TRAJECTORIES["openai-chat"])
ANTHROPIC = jsonl(TRAJECTORIES["anthropic"])
ANSWERS = json.loads(ANSWERS_PATH.read_text(encoding="utf-8"))
RUNS = {run["id"]: run for run in ANSWERS["runs"]}
FILES = sorted(DATA["files"])


def _session(user: str = "maya") -> Session:
    return Session(Tree(DATA), user)


def _home_files(user: str) -> list[str]:
    return [path for path in FILES if path.startswith(f"/home/{user}/")]


# -- the tools --------------------------------------------------------------------------------


def test_the_tree_is_generated_from_its_seed() -> None:
    assert seed.build_tree() == DATA


def test_cd_changes_where_later_relative_paths_resolve() -> None:
    shell = _session()
    assert shell.cd("notes") == "/home/maya/notes"
    assert shell.pwd() == "/home/maya/notes"
    assert shell.read_file("todo.txt") == DATA["files"]["/home/maya/notes/todo.txt"]["content"]
    assert shell.cd("..") == "/home/maya"
    assert shell.stat("~/notes/todo.txt")["path"] == "/home/maya/notes/todo.txt"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.read_file("notes/nope.txt"), "No such file or directory: 'notes/nope.txt'"),
        (lambda s: s.cd("notes/todo.txt"), "Not a directory: 'notes/todo.txt'"),
        (lambda s: s.read_file("notes"), "Is a directory: 'notes'"),
        (lambda s: s.rm("notes"), "Is a directory: 'notes'"),
        (lambda s: s.rmdir("notes"), "Directory not empty: 'notes'"),
        (lambda s: s.mkdir("notes"), "File exists: 'notes'"),
        (lambda s: s.mkdir("a/b"), "No such file or directory: 'a/b'"),
        (lambda s: s.mv("notes/todo.txt", "archive/"), "No such file or directory: 'archive/'"),
        (lambda s: s.mv("notes/todo.txt", "new/todo.txt"), "No such file or directory"),
        (lambda s: s.write_file("/home/tomas/x.txt", "x"), "Permission denied"),
        (lambda s: s.cp("notes", "notes2"), r"Is a directory: 'notes' \(pass recursive=true"),
        (lambda s: s.stat("notes/todo.txt/x"), "Not a directory: 'notes/todo.txt/x'"),
        (lambda s: s.grep("(", "notes"), "Invalid regular expression"),
        (lambda s: s.mv("notes", "notes/inner"), "Invalid argument"),
    ],
)
def test_failures_say_what_a_posix_system_says(
    call: Callable[[Session], Any], message: str
) -> None:
    with pytest.raises(FSError, match=message):
        call(_session())


def test_mkdir_with_parents_creates_the_missing_ones() -> None:
    shell = _session()
    assert shell.mkdir("archive/2024/q2", parents=True) == "/home/maya/archive/2024/q2"
    assert shell.ls("archive") == ["2024/"]
    assert shell.mkdir("archive", parents=True) == "/home/maya/archive"  # exists: accepted


def test_mv_into_an_existing_directory_keeps_the_name() -> None:
    shell = _session()
    shell.mkdir("archive")
    moved = shell.mv("notes/todo.txt", "archive")
    assert moved == {
        "source": "/home/maya/notes/todo.txt",
        "destination": "/home/maya/archive/todo.txt",
    }
    assert "todo.txt" not in shell.ls("notes")


def test_moving_the_working_directory_follows_it() -> None:
    shell = _session()
    shell.cd("notes")
    shell.mv("/home/maya/notes", "/home/maya/papers")
    assert shell.pwd() == "/home/maya/papers"
    assert "todo.txt" in shell.ls()


def test_a_directory_is_removed_only_when_empty_and_not_in_use() -> None:
    shell = _session()
    shell.mkdir("empty")
    shell.cd("empty")
    with pytest.raises(FSError, match="Device or resource busy"):
        shell.rmdir("/home/maya/empty")
    shell.cd("~")
    assert shell.rmdir("empty") == {"removed": "/home/maya/empty"}


def test_ls_hides_dot_files_unless_asked_and_marks_directories() -> None:
    shell = _session()
    assert ".bashrc" not in shell.ls()
    assert ".bashrc" in shell.ls(all=True)
    assert "notes/" in shell.ls("~")


def test_find_and_grep_name_paths_from_where_they_started() -> None:
    shell = _session()
    assert all(p.startswith("~/logs/") for p in shell.find("*.log", "~/logs"))
    matches = shell.grep("ERROR", "~/logs")
    assert matches
    assert all(m["file"].startswith("~/logs/") and "ERROR" in m["text"] for m in matches)


@given(st.sampled_from(FILES))
def test_wc_and_stat_count_what_read_file_returns(path: str) -> None:
    shell = _session(path.split("/")[2]) if path.startswith("/home/") else _session()
    content = shell.read_file(path)
    counted = shell.wc(path)
    assert counted["lines"] == content.count("\n")
    assert counted["bytes"] == shell.stat(path)["size"] == len(content.encode())


@given(st.sampled_from([p for p in FILES if p.startswith("/home/")]))
def test_a_copy_is_identical_and_the_original_stays(path: str) -> None:
    shell = _session(path.split("/")[2])
    copied = shell.cp(path, path + ".bak")
    assert shell.read_file(copied["destination"]) == shell.read_file(path)


@given(st.sampled_from([p for p in FILES if p.startswith("/home/")]))
def test_a_move_keeps_the_content_under_the_new_name_only(path: str) -> None:
    shell = _session(path.split("/")[2])
    content = shell.read_file(path)
    shell.mv(path, path + ".moved")
    assert shell.read_file(path + ".moved") == content
    with pytest.raises(FSError, match="No such file or directory"):
        shell.stat(path)


@given(st.sampled_from([p for p in FILES if p.startswith("/home/")]))
def test_relative_paths_after_cd_reach_the_same_file_as_absolute_ones(path: str) -> None:
    shell = _session(path.split("/")[2])
    directory, name = path.rsplit("/", 1)
    shell.cd(directory)
    assert shell.read_file(name) == shell.read_file(path)
    assert shell.stat("./" + name) == shell.stat(path)


SAMPLE_CALLS: dict[str, dict[str, Any]] = {
    "pwd": {},
    "cd": {"path": "notes"},
    "ls": {"path": "notes"},
    "stat": {"path": "notes/todo.txt"},
    "read_file": {"path": "notes/todo.txt"},
    "wc": {"path": "notes/todo.txt"},
    "find": {"name": "*.md"},
    "grep": {"pattern": "a", "path": "notes"},
    "write_file": {"path": "notes/new.txt", "content": "x\n"},
    "append_file": {"path": "notes/todo.txt", "content": "- more\n"},
    "mkdir": {"path": "new"},
    "mv": {"source": "notes/todo.txt", "destination": "todo.txt"},
    "cp": {"source": "notes/todo.txt", "destination": "todo.txt"},
    "rm": {"path": "notes/todo.txt"},
    "rmdir": {"path": "empty"},
}


@pytest.mark.parametrize("name", sorted(SAMPLE_CALLS))
def test_the_answer_key_says_what_each_tool_does(name: str) -> None:
    session = tools.reset(DATA)
    session.mkdir("empty")
    before, cwd = session.tree.snapshot(), session.pwd()
    tools.toolset.call(name, SAMPLE_CALLS[name])
    changed_tree = session.tree.snapshot() != before
    changed_cwd = session.pwd() != cwd
    effect = record.EFFECTS[name]
    assert (changed_tree, changed_cwd) == {
        "read": (False, False),
        "session": (False, True),
        "write": (True, False),
    }[effect]


def test_the_answer_key_covers_every_tool() -> None:
    assert set(record.EFFECTS) == set(tools.toolset.names) == set(SAMPLE_CALLS)
    assert ANSWERS["effects"] == record.EFFECTS


# -- the recorded runs ------------------------------------------------------------------------


def test_the_committed_files_are_what_the_recorder_writes(tmp_path: Path) -> None:
    record.main(tmp_path)
    for name in ("trajectories.openai.jsonl", "trajectories.anthropic.jsonl", "answers.json"):
        assert (tmp_path / name).read_bytes() == (DIRECTORY / name).read_bytes(), (
            f"{name} differs from a fresh recording; run python -m examples.files.record"
        )


def test_every_record_is_valid_for_its_sdk() -> None:
    for line in OPENAI:
        check_openai(line)
    for line in ANTHROPIC:
        check_anthropic(line)


def test_no_record_carries_an_effect_label_or_an_openai_error_flag() -> None:
    for name in ("trajectories.openai.jsonl", "trajectories.anthropic.jsonl"):
        text = (DIRECTORY / name).read_text(encoding="utf-8")
        assert "mutates" not in text
    assert '"is_error"' not in (DIRECTORY / "trajectories.openai.jsonl").read_text()


def test_the_importer_reads_both_formats_to_the_same_calls() -> None:
    reports = [
        load_trajectories([DIRECTORY / name])
        for name in ("trajectories.openai.jsonl", "trajectories.anthropic.jsonl")
    ]
    assert [sorted(r.formats) for r in reports] == [["openai-chat"], ["anthropic"]]
    assert all(not r.problems for r in reports)
    shapes = [
        [
            (t.id, t.task, t.outcome, [(c.name, c.arguments) for c in t.calls])
            for t in r.trajectories
        ]
        for r in reports
    ]
    assert shapes[0] == shapes[1]
    assert len(shapes[0]) == len(RUNS)


def test_the_two_formats_hold_the_same_runs() -> None:
    for chat, messages in zip(OPENAI, ANTHROPIC, strict=True):
        assert chat["id"] == messages["id"]
        assert chat.get("reward") == messages.get("reward")
        assert openai_calls(chat, failed_prefix="Error: ") == anthropic_calls(messages)
        assert final_text(chat) == final_text(messages)


def _replayed(tool: str, arguments: dict[str, Any]) -> str:
    """What the tool answers now, as the recorder wrote it down."""
    try:
        value = tools.toolset.call(tool, arguments)
    except ValueError as error:
        return f"Error: {error}"
    return value if isinstance(value, str) else json.dumps(value)


def test_replaying_the_calls_on_the_real_tools_gives_the_recorded_results() -> None:
    for line in OPENAI:
        tools.reset(DATA, user=RUNS[line["id"]]["user"])
        for call in openai_calls(line, failed_prefix="Error: "):
            assert _replayed(call.tool, call.arguments) == call.text


def test_splits_hold_the_same_procedures_with_other_values_and_a_few_one_offs() -> None:
    train = {run["procedure"] for run in RUNS.values() if run["split"] == "train"}
    test = {run["procedure"] for run in RUNS.values() if run["split"] == "test"}
    # the user (in the system prompt) is a value too: the same words in another home differ
    asked = {
        line["id"]: (line["messages"][0]["content"], line["messages"][1]["content"])
        for line in OPENAI
    }
    train_asks = {asked[i] for i, run in RUNS.items() if run["split"] == "train"}
    assert all(asked[i] not in train_asks for i, run in RUNS.items() if run["split"] == "test")
    assert len(test - train) == 2  # asked once, held out
    assert len(train - test) == 1  # asked once, in training
    assert 30 <= len(RUNS) <= 60


def test_the_noise_the_answer_key_names_is_in_the_transcripts() -> None:
    erring = {"retry_after_error", "fix_up", "wrong_tool_first", "gave_up"}
    for line in ANTHROPIC:
        run, calls = RUNS[line["id"]], anthropic_calls(line)
        kinds = set(run["noise"])
        if kinds & {"retry_after_error", "fix_up"}:
            assert retried(calls) >= 1, run
        if "duplicate_read" in kinds:
            assert repeated(calls) >= 1, run
        if not kinds & erring:
            assert not any(call.failed for call in calls), run
        assert ("reward" in line) == run["outcome_known"]
        if run["outcome_known"]:
            assert line["reward"] == int(run["succeeded"])


def test_the_readme_gives_the_counts_the_data_holds() -> None:
    summary = ANSWERS["summary"]
    calls = [anthropic_calls(line) for line in ANTHROPIC]
    assert summary["calls"] == sum(map(len, calls))
    assert summary["failed_calls"] == sum(c.failed for run in calls for c in run)
    assert summary["outcome_unknown"] == sum("reward" not in line for line in ANTHROPIC)
    parallel = sum(
        len([b for b in m["content"] if b["type"] == "tool_use"]) > 1
        for line in ANTHROPIC
        for m in line["messages"]
        if m["role"] == "assistant"
    )
    assert summary["parallel_turns"] == parallel
    assert noise_table(summary) in (DIRECTORY / "README.md").read_text(encoding="utf-8")
    # the phenomena are there in earnest, not once for show
    assert sum(map(retried, calls)) >= 10
    assert sum(map(repeated, calls)) >= 5
    assert summary["runs"] - summary["succeeded"] >= 5
    assert summary["failed_with_outcome_unknown"] >= 2


def _answer_runs(procedure: str) -> list[tuple[dict[str, Any], str, str]]:
    """(run, the user's request, the last message) of every run of one answer-only procedure."""
    return [
        (RUNS[line["id"]], line["messages"][1]["content"], final_text(line))
        for line in OPENAI
        if RUNS[line["id"]]["procedure"] == procedure
    ]


def test_answers_state_the_true_values_exactly_when_the_run_succeeded() -> None:
    for run, asked, said in _answer_runs("count_lines"):
        path = re.search(r"~/logs/\S+\.log", asked)
        assert path is not None
        shell = _session(run["user"])
        truth = shell.wc(path.group())["lines"]
        assert (f"has {truth} lines" in said) == run["succeeded"], (run, said)
    for run, asked, said in _answer_runs("largest_file"):
        folder = re.search(r"~/\S+?(?=[ ,?])", asked)
        assert folder is not None
        shell = _session(run["user"])
        sizes = {
            name: shell.stat(f"{folder.group()}/{name}")["size"]
            for name in shell.ls(folder.group())
            if not name.endswith("/")
        }
        biggest = max(sizes, key=lambda name: (sizes[name], name))
        assert (f" is {biggest} " in said) == run["succeeded"], (run, said)
