"""Deciding tool effects without labels: every signal counts, a declaration decides, all said."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills_runtime.effects import Declared, Effect, infer_effects, load_declared
from skills_runtime.errors import InvalidInput
from skills_runtime.trajectory import ToolCall, ToolSchema, Trajectory

ROOT = Path(__file__).resolve().parents[2]


def _schema(name: str, description: str = "", **extra: Any) -> ToolSchema:
    return ToolSchema(name=name, description=description, **extra)


def _trajectory(*calls: ToolCall, schemas: tuple[ToolSchema, ...] = ()) -> Trajectory:
    return Trajectory(id="t", calls=calls, tool_schemas=schemas)


def _call(name: str, result: Any = "ok", **arguments: Any) -> ToolCall:
    return ToolCall(name=name, arguments=arguments, result=result)


@pytest.mark.parametrize(
    ("tool", "effect"),
    [
        ("get_order", Effect.READ),
        ("getOrderDetails", Effect.READ),
        ("orders.list", Effect.READ),
        ("trading_get_login_status", Effect.READ),
        ("cancel_booking", Effect.WRITE),
        ("activateParkingBrake", Effect.WRITE),
        ("remove_stock_from_watchlist", Effect.WRITE),
        ("gallon_to_liter", Effect.READ),
        ("is_available", Effect.READ),
        ("mkdir", Effect.WRITE),
        ("ls", Effect.READ),
    ],
)
def test_a_tool_name_in_any_convention_says_what_it_does(tool: str, effect: Effect) -> None:
    table = infer_effects([_trajectory(_call(tool))])
    decision = table.get(tool)
    assert decision is not None
    assert decision.effect is effect
    assert decision.decided_by == "name"


def test_a_noun_that_is_also_a_verb_decides_only_as_the_first_word() -> None:
    table = infer_effects([_trajectory(_call("user_order_history"), _call("order_pizza"))])
    assert table.is_write("order_pizza")
    # "order" later in a name is a noun: nothing speaks, so it is taken as a write by default.
    history = table.get("user_order_history")
    assert history is not None
    assert history.decided_by == "default"


def test_the_description_speaks_when_the_name_does_not() -> None:
    schemas = (
        _schema("inventory", "Returns the stock level of a product."),
        _schema("ledger_entry", "Record a payment in the ledger."),
    )
    table = infer_effects([_trajectory(_call("inventory"), _call("ledger_entry"), schemas=schemas)])
    assert not table.is_write("inventory")
    assert table.is_write("ledger_entry")


def test_an_mcp_read_only_annotation_outweighs_a_name_that_sounds_like_a_change() -> None:
    schemas = (_schema("sync_status", "Update the view.", annotations={"readOnlyHint": True}),)
    table = infer_effects([_trajectory(_call("sync_status"), schemas=schemas)])
    decision = table.get("sync_status")
    assert decision is not None
    assert decision.effect is Effect.READ
    assert decision.decided_by == "annotation"


def test_labels_in_the_recordings_are_hints_that_count_strongly() -> None:
    call = ToolCall(name="fetch_report", arguments={}, result="x", mutates=True)
    assert infer_effects([_trajectory(call)]).is_write("fetch_report")


def test_a_re_read_that_answers_differently_names_the_call_between_as_a_write() -> None:
    trajectories = [
        _trajectory(
            _call("get_ticket", {"status": "open"}, ticket_id="T-1001"),
            _call("zork", "ok", ticket_id="T-1001"),
            _call("get_ticket", {"status": "closed"}, ticket_id="T-1001"),
        )
    ]
    decision = infer_effects(trajectories).get("zork")
    assert decision is not None
    assert decision.effect is Effect.WRITE
    assert decision.decided_by == "behaviour"
    assert "re-read" in decision.evidence[0].detail


def test_the_same_call_twice_answering_differently_is_a_write() -> None:
    trajectories = [
        _trajectory(
            _call("blorp", {"id": "N-4411"}, title="x"), _call("blorp", {"id": "N-4412"}, title="x")
        )
    ]
    assert infer_effects(trajectories).is_write("blorp")


def test_a_handoff_changes_who_acts_not_the_data() -> None:
    schemas = (_schema("transfer_to_human_agents", "Transfer the user to a human agent."),)
    table = infer_effects([_trajectory(_call("transfer_to_human_agents"), schemas=schemas)])
    assert not table.is_write("transfer_to_human_agents")


def test_a_tool_nothing_speaks_for_is_taken_as_a_write_and_says_so() -> None:
    decision = infer_effects([_trajectory(_call("frobnicate"))]).get("frobnicate")
    assert decision is not None
    assert decision.effect is Effect.WRITE
    assert decision.decided_by == "default"
    assert decision.confidence == "low"


def test_moving_and_signing_in_are_writes_that_set_context() -> None:
    schemas = (_schema("cd", "Change the current working directory."),)
    table = infer_effects([_trajectory(_call("cd", path="/tmp"), _call("login"), schemas=schemas)])
    for tool in ("cd", "login"):
        decision = table.get(tool)
        assert decision is not None
        assert decision.effect is Effect.WRITE
        assert decision.context


@given(
    name=st.sampled_from(["get_order", "cancel_order", "zork", "transfer_to_human_agents"]),
    label=st.sampled_from([None, True, False]),
    read_only=st.sampled_from([None, True, False]),
    declared_write=st.booleans(),
)
def test_a_declaration_decides_whatever_else_is_said(
    name: str, label: bool | None, read_only: bool | None, declared_write: bool
) -> None:
    annotations = {} if read_only is None else {"readOnlyHint": read_only}
    schema = _schema(name, "Cancel it.", annotations=annotations, mutates=label)
    call = ToolCall(name=name, arguments={}, result="x", mutates=label)
    declared = (
        Declared(writes=frozenset({name})) if declared_write else Declared(reads=frozenset({name}))
    )
    table = infer_effects([_trajectory(call, schemas=(schema,))], declared=declared)
    assert table.is_write(name) is declared_write
    decision = table.get(name)
    assert decision is not None
    assert decision.decided_by == "declared"


def test_a_decision_round_trips_through_json() -> None:
    table = infer_effects([_trajectory(_call("get_order"), _call("cancel_order"))])
    again = type(table).from_json(json.loads(json.dumps(table.to_json())))
    assert again == table


def test_the_effects_file_declares_in_toml_or_json(tmp_path: Path) -> None:
    toml = tmp_path / "effects.toml"
    toml.write_text('[effects]\nwrites = ["ping"]\nreads = ["calculate"]\ncontext = ["cd"]\n')
    declared = load_declared(toml)
    assert declared.writes == {"ping"}
    assert declared.reads == {"calculate"}
    assert declared.context == {"cd"}
    data = tmp_path / "effects.json"
    data.write_text(json.dumps({"writes": ["ping"]}))
    assert load_declared(data).writes == {"ping"}


@pytest.mark.parametrize(
    ("text", "suffix", "message"),
    [
        ('[effects]\nwrite = ["x"]\n', ".toml", "unknown key"),
        ('{"writes": ["x"], "reads": ["x"]}', ".json", "both as reads and as writes"),
        ('{"writes": "x"}', ".json", "must be a list of tool names"),
        ("[effects\n", ".toml", "not valid TOML"),
    ],
)
def test_a_wrong_effects_file_is_refused_naming_the_file_and_the_fix(
    tmp_path: Path, text: str, suffix: str, message: str
) -> None:
    path = tmp_path / f"effects{suffix}"
    path.write_text(text)
    with pytest.raises(InvalidInput, match=message) as raised:
        load_declared(path)
    assert str(path) in str(raised.value)


def test_a_missing_effects_file_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read the effects file"):
        load_declared(tmp_path / "nowhere.toml")


@pytest.mark.parametrize("domain", ["files", "helpdesk"])
def test_the_example_domains_tools_are_decided_as_their_answer_keys_say(domain: str) -> None:
    from skills_runtime.trajectory import load_trajectories

    folder = ROOT / "examples" / domain
    key = json.loads((folder / "answers.json").read_text())
    for path in sorted(folder.glob("trajectories.*.jsonl")):
        table = infer_effects(load_trajectories([path]).trajectories)
        for tool, truth in key["effects"].items():
            assert table.is_write(tool) is (truth != "read"), (path.name, tool)
            decision = table.get(tool)
            assert decision is not None
            assert decision.context is (truth == "session"), (path.name, tool)
