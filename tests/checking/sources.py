"""Skill sources shared by the checking tests: a valid skill and a builder for variations."""

from __future__ import annotations

DOC = '''    """Fetch an order.

    Args:
        order_id: The order, like "#W1".

    Returns:
        The order.
    """
'''

BODY = "    return tools.get_order_details(order_id=order_id)\n"


def skill(
    body: str = BODY,
    *,
    params: str = "tools, order_id: str",
    returns: str = " -> dict[str, Any]",
    doc: str = DOC,
    header: str = "from typing import Any\n",
    name: str = "fetch_order",
    after: str = "",
) -> str:
    """A skill module; each keyword replaces one part of the valid default."""
    return f"{header}\n\ndef {name}({params}){returns}:\n{doc}{body}{after}"


EXCHANGE = '''from typing import Any, Literal


def exchange_delivered_items(
    tools,
    first_name: str,
    last_name: str,
    zip: str,
    order_id: str,
    item_ids: list[str],
    new_item_ids: list[str],
    payment_method_id: str,
    note: str | None = None,
    mode: Literal["fast", "careful"] = "careful",
) -> dict[str, Any]:
    """Exchange delivered items of a customer's order for other variants.

    Args:
        first_name: The customer's first name.
        last_name: The customer's last name.
        zip: The customer's zip code.
        order_id: The order, like "#W123".
        item_ids: Items to exchange.
        new_item_ids: Replacement items, one per item
            in the same order.
        payment_method_id: Pays or receives the price difference.
        note: A note for the log.
        mode: How carefully to check.

    Returns:
        The order after the exchange.

    Learned from: tau2-retail-0, tau2-retail-3.
    """
    user_id = tools.find_user_id_by_name_zip(first_name=first_name, last_name=last_name, zip=zip)
    order = tools.get_order_details(order_id=order_id)
    if order["user_id"] != user_id:
        raise SkillPrecondition("order does not belong to this customer")
    if order["status"] != "delivered":
        raise SkillPrecondition(f"order status is {order['status']!r}, expected 'delivered'")
    for item_id in item_ids:
        if mode == "careful" and not any(i["item_id"] == item_id for i in order["items"]):
            raise SkillPrecondition(f"item {item_id!r} is not in the order {note or ''}")
    try:
        result = tools.exchange_delivered_order_items(
            order_id=order_id,
            item_ids=item_ids,
            new_item_ids=new_item_ids,
            payment_method_id=payment_method_id,
        )
    except ToolError as error:
        raise SkillPrecondition(str(error))
    return result
'''
