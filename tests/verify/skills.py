"""Skills, tools and recordings shared by the verification tests (a small retail world)."""

from __future__ import annotations

from typing import Any

from skills_runtime.replay import RecordedCall, ReplayCase

ORDER_ID = {"type": "string", "description": "The order id, such as '#W0000000'."}
TOOL_SCHEMAS: dict[str, dict[str, Any]] = {
    "get_order_details": {
        "type": "object",
        "properties": {"order_id": ORDER_ID},
        "required": ["order_id"],
    },
    "get_product_details": {
        "type": "object",
        "properties": {"product_id": {"type": "string"}},
        "required": ["product_id"],
    },
    "cancel_pending_order": {
        "type": "object",
        "properties": {
            "order_id": ORDER_ID,
            "reason": {"type": "string", "enum": ["no longer needed", "ordered by mistake"]},
        },
        "required": ["order_id", "reason"],
    },
    "modify_pending_order_address": {
        "type": "object",
        "properties": {
            "order_id": ORDER_ID,
            "address1": {"type": "string"},
            "city": {"type": "string"},
            "zip": {"type": "string"},
        },
        "required": ["order_id", "address1", "city", "zip"],
    },
    "modify_pending_order_payment": {
        "type": "object",
        "properties": {"order_id": ORDER_ID, "payment_method_id": {"type": "string"}},
        "required": ["order_id", "payment_method_id"],
    },
}


def _order(order_id: str, status: str) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "user_id": "yusuf_rossi_9620",
        "status": status,
        "items": [{"item_id": "1008292230", "product_id": "6086499569", "price": 54.04}],
    }


def cancel_case(order_id: str, reason: str) -> ReplayCase:
    """A recording of cancelling a pending order."""
    cancelled = {**_order(order_id, "cancelled"), "cancel_reason": reason}
    return ReplayCase(
        trajectory_id=f"cancel-{order_id}",
        arguments={"order_id": order_id, "reason": reason},
        calls=(
            RecordedCall("get_order_details", {"order_id": order_id}, _order(order_id, "pending")),
            RecordedCall(
                "cancel_pending_order",
                {"order_id": order_id, "reason": reason},
                cancelled,
                mutates=True,
            ),
        ),
        expected_result=cancelled,
    )


CANCEL_CASES = [
    cancel_case("#W2378156", "no longer needed"),
    cancel_case("#W4817420", "ordered by mistake"),
]

CANCEL = '''from typing import Any, Literal


def cancel_pending_order(
    tools, order_id: str, reason: Literal["no longer needed", "ordered by mistake"]
) -> dict[str, Any]:
    """Cancel a pending order of a customer.

    Args:
        order_id: The order to cancel.
        reason: Why it is cancelled.

    Returns:
        The order after the cancellation.
    """
    order = tools.get_order_details(order_id=order_id)
    if order["status"] != "pending":
        raise SkillPrecondition(f"order status is {order['status']!r}, expected 'pending'")
    return tools.cancel_pending_order(order_id=order_id, reason=reason)
'''

CANCEL_WRONG_ARGUMENT = CANCEL.replace("reason=reason)", 'reason="changed my mind")')

ADDRESS_CASES = [
    ReplayCase(
        trajectory_id="address-1",
        arguments={
            "order_id": "#W5918442",
            "address": {"address1": "445 Maple Drive", "city": "Denver", "zip": "80202"},
            "payment_method_id": "credit_card_1",
        },
        calls=(
            RecordedCall(
                "modify_pending_order_address",
                {
                    "order_id": "#W5918442",
                    "address1": "445 Maple Drive",
                    "city": "Denver",
                    "zip": "80202",
                },
                {"order_id": "#W5918442", "status": "pending"},
                mutates=True,
            ),
            RecordedCall(
                "modify_pending_order_payment",
                {"order_id": "#W5918442", "payment_method_id": "credit_card_1"},
                {"order_id": "#W5918442", "status": "pending"},
                mutates=True,
            ),
        ),
        expected_result={"order_id": "#W5918442", "status": "pending"},
    )
]

ADDRESS_AND_PAYMENT = '''from typing import Any


def update_address_and_payment(
    tools, order_id: str, address: dict[str, str], payment_method_id: str
) -> dict[str, Any]:
    """Change the shipping address of a pending order, then its payment method.

    Args:
        order_id: The order.
        address: The new address (address1, city, zip).
        payment_method_id: The new payment method.

    Returns:
        The order after both changes.
    """
    tools.modify_pending_order_address(
        order_id=order_id, address1=address["address1"], city=address["city"], zip=address["zip"]
    )
    return tools.modify_pending_order_payment(
        order_id=order_id, payment_method_id=payment_method_id
    )
'''

ADDRESS_AND_PAYMENT_GUARDED = ADDRESS_AND_PAYMENT.replace(
    "    tools.modify_pending_order_address(\n",
    "    for key in ('address1', 'city', 'zip'):\n"
    "        if key not in address:\n"
    "            raise SkillPrecondition(f'the address has no {key!r}')\n"
    "    tools.modify_pending_order_address(\n",
)

ADDRESS_AND_PAYMENT_SWAPPED = '''from typing import Any


def update_address_and_payment(
    tools, order_id: str, address: dict[str, str], payment_method_id: str
) -> dict[str, Any]:
    """Change the payment method of a pending order, then its address.

    Args:
        order_id: The order.
        address: The new address (address1, city, zip).
        payment_method_id: The new payment method.

    Returns:
        The order after both changes.
    """
    for key in ('address1', 'city', 'zip'):
        if key not in address:
            raise SkillPrecondition(f'the address has no {key!r}')
    tools.modify_pending_order_payment(order_id=order_id, payment_method_id=payment_method_id)
    return tools.modify_pending_order_address(
        order_id=order_id, address1=address["address1"], city=address["city"], zip=address["zip"]
    )
'''

PRODUCT_CASES = [
    ReplayCase(
        trajectory_id="product-1",
        arguments={"product_id": "6086499569"},
        calls=(
            RecordedCall(
                "get_product_details",
                {"product_id": "6086499569"},
                {
                    "product_id": "6086499569",
                    "variants": {
                        "1008292230": {"available": True, "price": 54.04},
                        "4803681337": {"available": False, "price": 58.11},
                    },
                },
            ),
        ),
        expected_result="1008292230",
    )
]

FIRST_VARIANT = '''
def first_variant(tools, product_id: str) -> str:
    """The first variant listed for a product (relies on the order of keys in a JSON object).

    Args:
        product_id: The product.

    Returns:
        An item id.
    """
    product = tools.get_product_details(product_id=product_id)
    for item_id in product["variants"]:
        return item_id
    raise SkillPrecondition("the product has no variants")
'''

CHEAPEST_VARIANT = '''
def cheapest_variant(tools, product_id: str) -> str:
    """The cheapest variant of a product.

    Args:
        product_id: The product.

    Returns:
        An item id.
    """
    product = tools.get_product_details(product_id=product_id)
    variants = product["variants"]
    if not variants:
        raise SkillPrecondition("the product has no variants")
    best = ""
    for item_id in sorted(variants):
        if not best or variants[item_id]["price"] < variants[best]["price"]:
            best = item_id
    return best
'''

RUNAWAY = '''
def spin(tools, product_id: str) -> str:
    """Never returns.

    Args:
        product_id: A product.

    Returns:
        Nothing, ever.
    """
    while True:
        product_id = product_id
'''
