"""Mutation operators: each makes one plausible mistake in the body, never in the signature."""

from __future__ import annotations

import ast

from skills_runtime.verify.mutations import OPERATORS, mutants

SKILL = '''
def exchange_items(tools, first_name: str, zip: str, order_id: str, item_ids: list[str]) -> dict:
    """Exchange items of a delivered order.

    Args:
        first_name: The customer's first name.
    """
    user_id = tools.find_user_id_by_name_zip(first_name=first_name, zip=zip)
    tools.get_user_details(user_id=user_id)
    order = tools.get_order_details(order_id=order_id)
    if order["user_id"] != user_id:
        raise SkillPrecondition(f"order belongs to {order['user_id']!r}, not this customer")
    if order["items"][0]["price"] > 10:
        raise SkillPrecondition("too expensive")
    return tools.exchange_delivered_order_items(order_id=order_id, item_ids=item_ids, notify=True)
'''


def by_operator() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for mutant in mutants(SKILL, sibling_keys=["status"]):
        found.setdefault(mutant.operator, []).append(mutant.description)
    return found


def test_every_operator_finds_a_site_in_a_realistic_skill() -> None:
    assert set(by_operator()) == set(OPERATORS)


def test_every_mutant_parses_differs_and_keeps_the_signature_and_docstring() -> None:
    original = ast.parse(SKILL).body[0]
    assert isinstance(original, ast.FunctionDef)
    sources = set()
    for mutant in mutants(SKILL):
        tree = ast.parse(mutant.source).body[0]
        assert isinstance(tree, ast.FunctionDef)
        assert ast.dump(tree.args) == ast.dump(original.args)
        assert ast.get_docstring(tree) == ast.get_docstring(original)
        assert mutant.source != SKILL
        sources.add(mutant.source)
    assert len(sources) == len(mutants(SKILL))


def test_error_messages_are_not_mutated() -> None:
    for mutant in mutants(SKILL):
        assert "not this customer" in mutant.source
        assert '"too expensive"' in mutant.source


def test_swapping_arguments_swaps_values_not_keyword_order() -> None:
    swaps = [m for m in mutants(SKILL) if m.operator == "swap_arguments"]
    assert any("first_name=zip, zip=first_name" in m.source for m in swaps)


def test_a_dropped_read_and_a_duplicated_write_are_both_produced() -> None:
    descriptions = by_operator()
    assert "drop the call of get_user_details" in descriptions["drop_call"]
    assert "call exchange_delivered_order_items twice" in descriptions["duplicate_call"]


def test_data_flow_mutants_read_another_key_and_off_by_one_bumps_the_index() -> None:
    sources = {m.description: m.source for m in mutants(SKILL)}
    assert "index [0] becomes [1]" in sources
    assert 'order["items"][1]["price"]' in sources["index [0] becomes [1]"]
    assert any(d.startswith("read ['user_id'] from") for d in sources)


def test_a_guard_is_negated_and_a_comparison_flipped() -> None:
    sources = [m.source for m in mutants(SKILL)]
    assert any('if not (order["user_id"] != user_id):' in s for s in sources)
    assert any('if order["user_id"] == user_id:' in s for s in sources)
