"""The raw-trajectory baseline: the nearest training run, replayed with rebound arguments."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from skills_runtime.effects import infer_by_domain
from skills_runtime.evaluate import replay_nearest
from skills_runtime.evaluate.nearest import RequestIndex
from skills_runtime.evaluate.rebind import Rebinder, same_shape
from skills_runtime.trajectory import Outcome, ToolCall, Trajectory, load_trajectories

BOOKSHOP = Path(__file__).resolve().parents[2] / "examples" / "bookshop" / "trajectories.jsonl"


def _cancel(run: str, email: str, customer: str, order: str, *, detour: str = "") -> Trajectory:
    """A customer found by email cancels an order (with, optionally, a look at another one)."""
    calls = [
        ToolCall(name="find_customer", arguments={"email": email}, result=customer),
        ToolCall(
            name="get_order",
            arguments={"order_id": order},
            result={"order_id": order, "customer_id": customer, "status": "pending"},
        ),
    ]
    if detour:
        calls.append(
            ToolCall(
                name="get_order",
                arguments={"order_id": detour},
                result={"order_id": detour, "customer_id": customer, "status": "delivered"},
            )
        )
    calls.append(
        ToolCall(
            name="cancel_order",
            arguments={"order_id": order, "reason": "no longer needed"},
            result={"order_id": order, "status": "cancelled"},
            mutates=True,
        )
    )
    return Trajectory(
        id=run,
        task=f"I am {email} and want to cancel order {order}: no longer needed.",
        calls=tuple(calls),
        outcome=Outcome.SUCCESS,
    )


def _replay(held_out: list[Trajectory], training: list[Trajectory]) -> dict[str, Any]:
    effects = infer_by_domain([*held_out, *training])
    return replay_nearest(held_out, training, effects=effects).to_json()


def test_a_held_out_run_identical_to_a_training_run_is_passed_by_the_baseline() -> None:
    run = _cancel("t-1", "ann.lee@example.com", "ann_lee_1001", "#O1001")
    other = _cancel("t-2", "bo.chan@example.com", "bo_chan_2002", "#O2002", detour="#O2003")

    report = _replay([run], [other, run])

    (task,) = report["per_trajectory"]
    assert task["passed"]
    assert task["nearest"] == "t-1"
    assert task["calls"] == len(run.calls)


def test_the_baseline_rebinds_the_held_out_values_into_a_training_run() -> None:
    training = _cancel("t-1", "ann.lee@example.com", "ann_lee_1001", "#O1001")
    held_out = _cancel("h-1", "bo.chan@example.com", "bo_chan_2002", "#O2002")

    report = _replay([held_out], [training])

    (task,) = report["per_trajectory"]
    assert task["passed"], task["reason"]
    assert task["rebound"]["held-out call"] == 4


def test_a_training_run_with_a_detour_fails_where_the_held_out_run_never_made_that_read() -> None:
    training = _cancel("t-1", "ann.lee@example.com", "ann_lee_1001", "#O1001", detour="#O1009")
    held_out = _cancel("h-1", "bo.chan@example.com", "bo_chan_2002", "#O2002")

    (task,) = _replay([held_out], [training])["per_trajectory"]

    assert not task["passed"]
    assert "get_order" in task["reason"]
    assert "never made it" in task["reason"]
    assert "1 recorded write(s) never made" in task["reason"]
    assert task["failure"] == "unanswered read"


def test_a_failed_training_run_is_never_retrieved() -> None:
    held_out = _cancel("h-1", "bo.chan@example.com", "bo_chan_2002", "#O2002")
    failed = held_out.model_copy(update={"id": "t-0", "outcome": Outcome.FAILURE})
    good = _cancel("t-1", "ann.lee@example.com", "ann_lee_1001", "#O1001")

    report = _replay([held_out], [failed, good])

    assert report["training_trajectories"] == 1
    assert report["per_trajectory"][0]["nearest"] == "t-1"


def test_the_nearest_run_is_chosen_among_runs_that_wrote_the_same_way() -> None:
    held_out = _cancel("h-1", "bo.chan@example.com", "bo_chan_2002", "#O2002")
    # Same words, but a run that only looked: it is not the same procedure.
    looked = held_out.model_copy(update={"id": "t-0", "calls": held_out.calls[:2]})
    wrote = _cancel("t-1", "ann.lee@example.com", "ann_lee_1001", "#O1001")

    (task,) = _replay([held_out], [looked, wrote])["per_trajectory"]

    assert task["nearest"] == "t-1"
    assert task["same_writes"]
    assert task["passed"]


def test_a_value_found_in_an_answer_is_read_from_the_answer_the_replay_got() -> None:
    training = Trajectory(
        id="t-1",
        task="look me up",
        calls=(
            ToolCall(name="lookup", arguments={"name": "Ann"}, result={"id": "user_1001"}),
            ToolCall(name="fetch", arguments={"user": "user_1001"}, result={"ok": True}),
        ),
    )
    held_out = Trajectory(id="h-1", task="look me up", calls=(training.calls[0],))
    rebinder = Rebinder(training, held_out)

    rebinder.arguments(training.calls[0])
    rebinder.answered({"id": "user_2002"})

    assert rebinder.arguments(training.calls[1]) == {"user": "user_2002"}
    assert rebinder.rules["flow"] == 1


def test_a_value_written_in_the_request_becomes_the_one_written_alike_in_the_new_request() -> None:
    assert (
        same_shape("#W1234567", "Cancel #W1234567 please", "Please cancel #W7654321 today")
        == "#W7654321"
    )
    assert same_shape("Ann Lee", "I am Ann Lee.", "I am Bo Chan.") == "Bo Chan"
    assert same_shape("ann@x.io", "Mail ann@x.io", "No address here") is None


_WORD = st.text(alphabet="abcdefghij", min_size=2, max_size=8)


@given(old=_WORD, new=_WORD, number=st.integers(1000, 999_999))
def test_an_id_in_the_request_is_rebound_to_the_id_at_the_same_place(
    old: str, new: str, number: int
) -> None:
    training_id, held_out_id = f"{old}_{number}", f"{new}_{number + 1}"
    training = f"order {training_id} for me and nothing else"
    held_out = f"order {held_out_id} for me and nothing else"

    assert same_shape(training_id, training, held_out) == held_out_id


@cache
def _bookshop() -> list[Trajectory]:
    report = load_trajectories([BOOKSHOP])
    return [t for t in report.trajectories if t.outcome is not Outcome.FAILURE]


@given(st.data())
def test_every_bookshop_run_is_passed_when_it_is_among_the_training_runs(
    data: st.DataObject,
) -> None:
    runs = _bookshop()
    training = data.draw(st.lists(st.sampled_from(runs), min_size=1, unique_by=lambda t: t.id))
    held_out = data.draw(st.sampled_from(training))

    (task,) = _replay([held_out], training)["per_trajectory"]

    assert task["passed"], task["reason"]
    assert task["nearest"] == held_out.id


def test_the_index_prefers_the_verbatim_request_and_breaks_ties_by_id() -> None:
    runs = [
        Trajectory(id="b", task="cancel my order"),
        Trajectory(id="a", task="cancel my order"),
        Trajectory(id="c", task="cancel order"),
    ]
    index = RequestIndex(runs)

    found = index.nearest("cancel my order")
    assert found is not None
    assert found.trajectory.id == "a"
    shorter = index.nearest("cancel order")
    assert shorter is not None
    assert shorter.trajectory.id == "c"
