"""The words of generated skills: summaries, what they do, guard sentences and messages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills_runtime.synthesis import SynthesisResult, SynthesizedSkill, synthesize
from skills_runtime.synthesis.plan import Const, Guard, ParamRef, ResultRef
from skills_runtime.synthesis.prose import (
    SUMMARY_WIDTH,
    distinguish,
    guard_message,
    guards_sentence,
    summarize,
    summarize_steps,
)
from skills_runtime.trajectory.model import Trajectory
from tests.synthesis.conftest import load

BOOKSHOP = Path(__file__).resolve().parents[2] / "examples" / "bookshop" / "trajectories.jsonl"

OWNER = Guard(
    ResultRef("order", ("customer_id",)), ResultRef("customer", ()), "owner", "order", "customer"
)
STATUS = Guard(ResultRef("order", ("status",)), Const("pending"), "value", "order")


@pytest.fixture(scope="module")
def bookshop() -> SynthesisResult:
    return synthesize(load(BOOKSHOP))


@pytest.fixture(scope="module")
def every_skill(
    tau2: list[Trajectory], tau: list[Trajectory], bookshop: SynthesisResult
) -> list[SynthesizedSkill]:
    skills = list(bookshop.skills)
    for trajectories in (tau2, tau):
        skills += synthesize([t for t in trajectories if t.split == "train"]).skills
    return skills


def _docstring(skill: SynthesizedSkill) -> str:
    tree = ast.parse(skill.source)
    function = next(node for node in tree.body if isinstance(node, ast.FunctionDef))
    docstring = ast.get_docstring(function, clean=False)
    assert docstring is not None, skill.name
    return docstring


def _skill(result: SynthesisResult, name: str) -> SynthesizedSkill:
    return next(skill for skill in result.skills if skill.name == name)


def test_every_summary_is_one_short_imperative_line(every_skill: list[SynthesizedSkill]) -> None:
    assert len(every_skill) >= 15
    for skill in every_skill:
        first, _, rest = _docstring(skill).partition("\n")
        assert first == skill.summary, skill.name
        assert rest.startswith("\n"), (skill.name, "the summary runs onto a second line")
        assert len(first) <= SUMMARY_WIDTH, (skill.name, first)
        assert first.endswith("."), (skill.name, first)
        assert first[0].isupper(), (skill.name, first)
        assert not first.startswith("Call "), (skill.name, first)
        assert "after looking up" not in first, (skill.name, first)


def test_every_generated_line_fits_in_a_hundred_characters(
    every_skill: list[SynthesizedSkill],
) -> None:
    for skill in every_skill:
        long = [line for line in skill.source.splitlines() if len(line) > 100]
        assert not long, (skill.name, long)


def test_returns_says_in_words_what_comes_back(every_skill: list[SynthesizedSkill]) -> None:
    for skill in every_skill:
        returns = _docstring(skill).split("Returns:\n", 1)[1].split("\n\n", 1)[0].strip()
        assert returns.startswith(("The updated ", "What ")), (skill.name, returns)
        assert skill.write_tools[-1] in returns, (skill.name, returns)


def test_the_bookshop_cancel_skill_reads_like_the_design(bookshop: SynthesisResult) -> None:
    skill = _skill(bookshop, "cancel_order_by_email")
    docstring = " ".join(_docstring(skill).split())
    assert skill.summary == "Cancel a pending order for a customer found by email."
    assert (
        "Cancel a pending order and refund it to the payment method it was paid with. "
        "Looks up find_customer_by_email and get_order, then calls cancel_order. "
        "Before writing, stops with SkillPrecondition if the order does not belong to the "
        "customer found, or its status is not 'pending'."
    ) in docstring
    assert "The updated order, as cancel_order returns it." in docstring
    assert 'raise SkillPrecondition("order does not belong to this customer")' in skill.source
    assert (
        "raise SkillPrecondition(f\"order status is {order['status']!r}, expected 'pending'\")"
        in skill.source
    )


def test_a_write_tool_without_a_usable_description_is_summarized_from_its_name() -> None:
    line, whole = summarize(
        "return_items", "", reads=("find_customer_by_email", "get_order"), object_noun="order"
    )
    assert line == "Return items of an order for a customer found by email."
    assert whole == ""
    assert summarize("cancel_order", "", object_noun="order")[0] == "Cancel an order."


def test_a_long_description_is_cut_at_its_first_clause_and_given_whole_in_the_body() -> None:
    description = (
        "Cancel a pending order and refund it to the payment method it was paid with. "
        "Only pending orders can be cancelled."
    )
    line, whole = summarize("cancel_order", description, reads=("find_user_id_by_name_zip",))
    assert line == "Cancel a pending order for a user found by name and zip."
    assert whole == "Cancel a pending order and refund it to the payment method it was paid with."


def test_a_lookup_qualifies_the_entity_the_description_already_names() -> None:
    line, whole = summarize(
        "modify_user_address",
        "Modify the default address of a user.",
        reads=("find_user_id_by_email",),
    )
    assert line == "Modify the default address of a user found by email."
    assert whole == ""


def test_ownership_and_status_guards_read_as_one_sentence() -> None:
    assert guards_sentence([OWNER, STATUS]) == (
        "Before writing, stops with SkillPrecondition if the order does not belong to the "
        "customer found, or its status is not 'pending'."
    )
    assert guards_sentence([STATUS]) == (
        "Before writing, stops with SkillPrecondition if the order's status is not 'pending'."
    )
    given_owner = Guard(OWNER.subject, ParamRef("user_id"), "owner", "order", "user")
    assert guards_sentence([given_owner]).endswith("the order does not belong to the given user.")


def test_guard_messages_name_the_record_and_show_the_value_found() -> None:
    assert guard_message(OWNER) == ("order does not belong to this customer",)
    assert guard_message(STATUS) == (
        "order status is ",
        STATUS.subject,
        ", expected 'pending'",
    )
    email = Guard(ResultRef("user", ("email",)), ParamRef("email"), "match", "user", "email")
    assert guard_message(email) == ("user email is ", email.subject, ", expected ", email.expected)
    assert guards_sentence([email]).endswith("if the user's email is not the email given.")


@given(
    write=st.from_regex(r"[a-z]{2,9}(_[a-z]{2,9}){0,3}", fullmatch=True),
    description=st.text(alphabet="abcdefg ,.;'", max_size=300),
    lookup=st.sampled_from(["", "find_user_id_by_name_zip", "find_customer_by_email"]),
)
def test_any_summary_is_one_capitalized_sentence_within_the_width(
    write: str, description: str, lookup: str
) -> None:
    line, _ = summarize(write, description, reads=(lookup,) if lookup else (), object_noun="order")
    assert len(line) <= SUMMARY_WIDTH
    assert "\n" not in line
    assert line.endswith(".")


def test_a_procedure_of_several_changes_is_summarised_step_by_step() -> None:
    line, whole = summarize_steps(
        [
            ("mkdir", "Create a directory. Fails if it exists."),
            ("mv", "Move or rename a file or directory, keeping its contents and times."),
        ]
    )
    assert line.startswith("Create a directory, then move or rename a file or directory")
    assert len(line) <= SUMMARY_WIDTH
    assert whole.startswith("Create a directory, then move or rename")


def test_identical_summaries_are_told_apart_within_the_width() -> None:
    long = "Add text to the end of a file (creating it if it does not exist)."
    told = distinguish(long, "without lookups")
    assert told.endswith("(without lookups).")
    assert len(told) <= SUMMARY_WIDTH
    assert told != distinguish(long, "after cd")
