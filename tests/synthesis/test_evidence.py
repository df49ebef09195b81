"""The coincidence guard: identifiers link on two traces, other values need three."""

from __future__ import annotations

from skills_runtime.synthesis import synthesize
from skills_runtime.synthesis.antiunify import LINK_EVIDENCE, is_identifier
from skills_runtime.trajectory.model import ToolCall, Trajectory

# (first name, zip) per customer; each moves to a new street in the same zip code.
_CUSTOMERS = [("Ada", "10001"), ("Bob", "20002"), ("Cy", "30003"), ("Di", "40004")]


def _move(k: int) -> Trajectory:
    name, zip_code = _CUSTOMERS[k]
    user_id = f"{name.lower()}_{k:04d}"
    calls = (
        ToolCall(
            name="find_user_id_by_name_zip",
            arguments={"first_name": name, "zip": zip_code},
            result=user_id,
        ),
        ToolCall(
            name="modify_user_address",
            arguments={"user_id": user_id, "address1": f"{k} New Street", "zip": zip_code},
            result={"user_id": user_id, "address1": f"{k} New Street"},
            mutates=True,
        ),
    )
    return Trajectory(id=f"move-{k}", calls=calls)


def test_identifier_names_are_id_or_end_in_id() -> None:
    assert is_identifier("id")
    assert is_identifier("order_id")
    assert not is_identifier("zip")
    assert not is_identifier("idea")


def test_with_two_traces_a_shared_zip_stays_two_parameters() -> None:
    (skill,) = synthesize([_move(0), _move(1)]).skills
    assert "zip: str" in skill.source
    assert "zip_2: str" in skill.source
    assert "zip=zip_2" in skill.source


def test_with_two_traces_the_user_id_still_flows_from_the_lookup() -> None:
    (skill,) = synthesize([_move(0), _move(1)]).skills
    assert "user_id = tools.find_user_id_by_name_zip(" in skill.source
    assert "user_id=user_id" in skill.source


def test_with_enough_traces_the_shared_zip_becomes_one_parameter() -> None:
    (skill,) = synthesize([_move(k) for k in range(LINK_EVIDENCE)]).skills
    assert "zip_2" not in skill.source
    assert "zip=zip" in skill.source


def test_units_of_one_trajectory_count_as_one_piece_of_evidence() -> None:
    calls = _move(0).calls + _move(1).calls + _move(2).calls
    one = Trajectory(id="three-moves-in-one", calls=calls)
    (skill,) = synthesize([one]).skills
    assert "zip_2: str" in skill.source
