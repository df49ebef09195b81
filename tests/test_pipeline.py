"""The learning pipeline: import → synthesize → store → gate, incrementally, on the bundled shop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from skill_registry import Registry, State
from skills_runtime.pipeline import LearnReport, evaluate_stored, learn
from skills_runtime.trajectory import ToolCall, ToolSchema, Trajectory

SHOP = Path(__file__).resolve().parent.parent / "examples" / "bookshop" / "trajectories.jsonl"


@pytest.fixture(scope="module")
def learned_train(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LearnReport]:
    path = tmp_path_factory.mktemp("pipeline") / "skills.db"
    with Registry.open(path, create=True) as registry:
        report = learn([SHOP], registry=registry, split="train")
    return path, report


def _copy(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    return target


def test_learning_stores_one_verified_skill_per_procedure(
    learned_train: tuple[Path, LearnReport],
) -> None:
    path, report = learned_train

    assert {skill.state for skill in report.skills} == {State.VERIFIED.value}
    assert all(skill.gate.passed for skill in report.skills)
    with Registry.open(path, create=True) as registry:
        stored = {summary.name: summary for summary in registry.list_skills()}
        assert set(stored) == {skill.name for skill in report.skills}
        for skill in report.skills:
            cases = registry.regression_cases(skill.name)
            assert len(cases) == len(skill.gate.verification.replays)  # type: ignore[union-attr]
    assert report.to_json()["skills"][0]["check"]["ok"] is True


def test_learning_again_from_the_same_trajectories_adds_no_version(
    learned_train: tuple[Path, LearnReport], tmp_path: Path
) -> None:
    path = _copy(learned_train[0], tmp_path / "again.db")

    with Registry.open(path, create=True) as registry:
        before = {s.name: registry.versions(s.name) for s in registry.list_skills()}
        cases = {name: len(registry.regression_cases(name)) for name in before}
        again = learn([SHOP], registry=registry, split="train")
        after = {s.name: registry.versions(s.name) for s in registry.list_skills()}

        # Every family gained nothing: none is synthesized or gated again.
        assert again.skills == ()
        assert set(again.unchanged) == set(before)
        assert again.stats["families_unchanged"] == len(before)
        assert {name: len(v) for name, v in after.items()} == {n: len(v) for n, v in before.items()}
        assert {name: len(registry.regression_cases(name)) for name in after} == cases


def test_new_traces_of_a_procedure_make_a_new_version_that_keeps_the_old_cases(
    learned_train: tuple[Path, LearnReport], tmp_path: Path
) -> None:
    path = _copy(learned_train[0], tmp_path / "grow.db")

    with Registry.open(path, create=True) as registry:
        old_cases = {s.name: len(registry.regression_cases(s.name)) for s in registry.list_skills()}
        grown = learn([SHOP], registry=registry, split="test")  # incremental: train is kept
        changed = [skill for skill in grown.skills if skill.version > 1]

        assert changed, "the held-out traces should extend at least one family"
        for skill in changed:
            record = registry.get(skill.name, version=skill.version)
            assert record.provenance.parent_version == skill.version - 1
            assert skill.gate.passed
            assert len(registry.regression_cases(skill.name)) > old_cases[skill.name]
            assert any(t.endswith("-4") for t in skill.source_trajectories)


def test_unreadable_input_becomes_problems_never_an_exception(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"task_id": "x", "steps": [}\nnot json at all\n', encoding="utf-8")

    with Registry.open(tmp_path / "skills.db", create=True) as registry:
        report = learn([broken, tmp_path / "missing.jsonl"], registry=registry)

    assert report.skills == ()
    assert {problem.path for problem in report.problems} >= {str(broken)}
    assert all(problem.message for problem in report.problems)
    assert any("missing.jsonl" in problem.path for problem in report.problems)


def test_held_out_trajectories_replay_against_the_stored_skills(
    learned_train: tuple[Path, LearnReport],
) -> None:
    with Registry.open(learned_train[0]) as registry:
        evaluation, imported = evaluate_stored([SHOP], registry=registry, split="test")

    assert not imported.problems
    assert evaluation.trajectories == 4
    assert evaluation.passed == evaluation.covered == 4
    assert evaluation.calls_after < evaluation.calls_before


def test_a_name_the_registry_gives_another_procedure_is_never_reused(tmp_path: Path) -> None:
    from skill_registry import Provenance

    with Registry.open(tmp_path / "skills.db", create=True) as registry:
        registry.add_version(
            "cancel_order_by_email",
            source="def cancel_order_by_email(tools, code: str) -> str:\n    return code\n",
            schema={"type": "object"},
            summary="An unrelated procedure that happens to have the name.",
            provenance=Provenance(synthesizer="human:someone"),
            trajectories=[{"task_id": "elsewhere-1", "instruction": "x", "steps": []}],
        )
        report = learn([SHOP], registry=registry, split="train")
        unrelated = registry.versions("cancel_order_by_email")

    names = {skill.name for skill in report.skills}
    assert "cancel_order_by_email" not in names
    assert any(name.startswith("cancel_order_by_email") for name in names)
    assert [record.version for record in unrelated] == [1]


def test_host_calls_agents_recorded_through_the_server_are_learned_from(tmp_path: Path) -> None:
    from skills_runtime.pipeline import RECORDED_SOURCES
    from skills_runtime.trajectory import load_trajectories

    shop = load_trajectories([SHOP]).trajectories
    with Registry.open(tmp_path / "skills.db", create=True) as registry:
        for trajectory in shop:  # as `serve --record-host-calls` keeps a session's calls
            registry.record_trajectory(
                trajectory.model_dump(mode="json"), source=RECORDED_SOURCES[0]
            )
        ignored = learn(registry=registry)
        report = learn(registry=registry, recorded=True)

    assert ignored.skills == ()
    assert report.trajectories == len(shop)
    assert report.skills
    assert all(skill.gate.passed for skill in report.skills)


def test_a_split_no_trajectory_is_in_is_bad_input_naming_the_splits_present(
    tmp_path: Path,
) -> None:
    from skills_runtime.errors import InvalidInput

    with (
        Registry.open(tmp_path / "skills.db", create=True) as registry,
        pytest.raises(InvalidInput, match=r"split 'nosuch'.*\['test', 'train'\]"),
    ):
        learn([SHOP], registry=registry, split="nosuch")


def test_learning_another_domain_leaves_the_skills_of_the_first_untouched(tmp_path: Path) -> None:
    tau2 = SHOP.parents[1] / "tau2_retail" / "exchange_family.jsonl"

    with Registry.open(tmp_path / "skills.db", create=True) as registry:
        first = learn([tau2], registry=registry)
        learn([SHOP], registry=registry, split="train")
        again = learn([tau2], registry=registry)

        assert first.skills
        # Its families gained nothing: they are not learned again, and stay at version 1.
        assert set(again.unchanged) >= {s.name for s in first.skills}
        assert not {s.name for s in again.skills} & {s.name for s in first.skills}
        assert all(len(registry.versions(s.name)) == 1 for s in first.skills)


def test_domains_are_groups_of_trajectories_that_share_no_tool() -> None:
    from skills_runtime.pipeline import domains
    from skills_runtime.trajectory import ToolCall, Trajectory

    def trace(name: str, *tools: str) -> Trajectory:
        return Trajectory(id=name, calls=tuple(ToolCall(name=tool) for tool in tools))

    grouped = domains([trace("a", "x", "y"), trace("b", "q"), trace("c", "y", "z"), trace("d")])

    assert [[t.id for t in group] for group in grouped] == [["b"], ["a", "c"], ["d"]]


def test_files_with_nothing_readable_change_nothing_in_the_registry(
    learned_train: tuple[Path, LearnReport], tmp_path: Path
) -> None:
    path = _copy(learned_train[0], tmp_path / "same.db")
    broken = tmp_path / "notes.md"
    broken.write_text("# not trajectories\n", encoding="utf-8")

    with Registry.open(path, create=True) as registry:
        before = [(s.name, s.version) for s in registry.list_skills()]
        report = learn([broken], registry=registry)
        after = [(s.name, s.version) for s in registry.list_skills()]

    assert (report.skills, report.trajectories) == ((), 0)
    assert report.problems
    assert after == before


def test_the_report_tells_given_trajectories_from_those_kept_by_earlier_runs(
    learned_train: tuple[Path, LearnReport], tmp_path: Path
) -> None:
    path = _copy(learned_train[0], tmp_path / "kept.db")

    with Registry.open(path, create=True) as registry:
        report = learn([SHOP], registry=registry, split="test")

    document = report.to_json()
    assert document["new_trajectories"] == 4
    assert document["kept_trajectories"] == report.kept > 0
    assert document["trajectories"] == 4 + report.kept


def test_learning_from_traces_whose_tool_changed_sends_the_old_skills_back(
    learned_train: tuple[Path, LearnReport], tmp_path: Path
) -> None:
    from skills_runtime.trajectory import ToolSchema, load_trajectories

    path = _copy(learned_train[0], tmp_path / "drift.db")
    held_out = [t for t in load_trajectories([SHOP]).trajectories if t.split == "test"]
    changed = []
    for trajectory in held_out:
        schemas = tuple(
            ToolSchema(
                name=s.name,
                description=s.description,
                parameters={**s.parameters, "required": [*s.parameters["required"], "channel"]},
                mutates=s.mutates,
            )
            if s.name == "get_order"
            else s
            for s in trajectory.tool_schemas
        )
        changed.append(trajectory.model_copy(update={"tool_schemas": schemas}))

    with Registry.open(path, create=True) as registry:
        report = learn(registry=registry, trajectories=changed)

    assert report.demoted
    assert report.to_json()["demoted"] == list(report.demoted)


class _Generated:
    """Trajectories made anew on every reading (never held together), readings counted."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.readings = 0

    def __iter__(self) -> Iterator[Trajectory]:
        self.readings += 1
        for k in range(self.count):
            order = f"O-{k:05d}"
            yield Trajectory(
                id=f"cancel-{k:04d}",
                calls=(
                    ToolCall(
                        name="get_order",
                        arguments={"order_id": order},
                        result={"id": order, "status": "pending"},
                    ),
                    ToolCall(
                        name="cancel_order",
                        arguments={"order_id": order},
                        result={"id": order, "status": "cancelled"},
                    ),
                ),
                tool_schemas=(ToolSchema(name="cancel_order", description="Cancel an order."),),
            )


def test_learning_streams_its_source_and_keeps_a_family_sample_with_its_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from skills_runtime.synthesis import collect

    monkeypatch.setattr(collect, "SAMPLE_SIZE", 4)
    source = _Generated(30)
    with Registry.open(tmp_path / "skills.db", create=True) as registry:
        report = learn(registry=registry, trajectories=source)
        (skill,) = report.skills
        record = registry.get(skill.name)

        assert source.readings == 2
        assert len(skill.source_trajectories) == 4
        assert len(record.provenance.source_trajectories) == 4
        assert record.provenance.details["family_units"] == 30
        assert record.provenance.details["family_sampled"] == 4
        assert len(registry.trajectories(source="learning")) == 4

        # Kept trajectories alone (the sample) give the same family: nothing to learn again.
        again = learn(registry=registry)
        assert again.skills == ()
        assert again.unchanged == (skill.name,)
        assert again.to_json()["unchanged"] == [skill.name]
