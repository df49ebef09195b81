"""A small real host toolset used by the export tests (importable as ``tests.export.hosttools``)."""

from __future__ import annotations

from typing import Any, Literal

from skills_runtime.tools import Toolset

ORDERS: dict[str, dict[str, Any]] = {
    "#W1": {"order_id": "#W1", "user_id": "ada_1", "status": "pending", "items": ["i1", "i2"]},
    "#W2": {"order_id": "#W2", "user_id": "bob_2", "status": "delivered", "items": ["i3"]},
}

toolset = Toolset("shop")


@toolset.tool
def find_user_id(first_name: str, last_name: str) -> str:
    """Find a customer's user id by name.

    Args:
        first_name: The customer's first name.
        last_name: The customer's last name.
    """
    return f"{first_name.lower()}_{len(last_name)}"


@toolset.tool
def get_order_details(order_id: str) -> dict[str, Any]:
    """The order's owner, status and items.

    Args:
        order_id: The order id, e.g. "#W1".
    """
    if order_id not in ORDERS:
        raise KeyError(f"no order {order_id}")
    return dict(ORDERS[order_id])


@toolset.tool(mutates=True)
async def cancel_order(order_id: str, reason: Literal["no longer needed", "mistake"]) -> str:
    """Cancel a pending order.

    Args:
        order_id: The order id.
        reason: Why the customer cancels.
    """
    return f"cancelled {order_id} ({reason})"


def plain_lookup(key: str, limit: int = 3) -> list[str]:
    """Look a key up.

    Args:
        key: What to look up.
        limit: How many results at most.
    """
    return [key] * limit


as_list = [plain_lookup]
as_mapping = {"lookup": plain_lookup}
not_tools = 42
