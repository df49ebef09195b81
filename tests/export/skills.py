"""Hand-written skill sources and a helper that stores and promotes them in a real registry."""

from __future__ import annotations

from typing import Any

from skill_registry import Provenance, Registry, VersionRecord

CANCEL = '''
def cancel_for_customer(
    tools,
    first_name: str,
    last_name: str,
    order_id: str,
    reason: str = "mistake",
) -> str:
    """Cancel a customer's pending order after checking it is theirs.

    Args:
        first_name: The customer's first name.
        last_name: The customer's last name.
        order_id: The order to cancel, e.g. "#W1".
        reason: Why the customer cancels.

    Returns:
        The confirmation.
    """
    user_id = tools.find_user_id(first_name=first_name, last_name=last_name)
    order = tools.get_order_details(order_id=order_id)
    if order["user_id"] != user_id:
        raise SkillPrecondition("order does not belong to this customer")
    return tools.cancel_order(order_id=order_id, reason=reason)
'''

STATUS = '''
def order_status(tools, order_id: str, verbose: bool = False) -> str:
    """Say what state an order is in.

    Args:
        order_id: The order, e.g. "#W1".
        verbose: Also list the items.

    Returns:
        The status (and the items when verbose).
    """
    order = tools.get_order_details(order_id=order_id)
    if verbose:
        return order["status"] + ": " + ", ".join(order["items"])
    return order["status"]
'''

FAILS = '''
def refund_everything(tools, order_id: str) -> str:
    """Refund an order (always fails: refunds are not implemented).

    Args:
        order_id: The order.

    Returns:
        Never returns.
    """
    order = tools.get_order_details(order_id=order_id)
    raise ValueError("refunds are not supported for status " + order["status"])
'''

SPINS = '''
def count_forever(tools, start: int) -> int:
    """Count without end (hits the time limit).

    Args:
        start: Where to start.

    Returns:
        Never returns.
    """
    n = start
    while True:
        n = n + 1
    return n
'''


FOREIGN = '''
def book_flight_for_customer(tools, first_name: str, last_name: str, flight: str) -> str:
    """Book a flight for a customer (learned in another domain: airline tools).

    Args:
        first_name: The customer's first name.
        last_name: The customer's last name.
        flight: The flight number, e.g. "HAT001".

    Returns:
        The reservation id.
    """
    user_id = tools.find_user_id(first_name=first_name, last_name=last_name)
    seat = tools.search_flights(flight=flight)
    return tools.book_reservation(user_id=user_id, seat=seat)
'''


def store(registry: Registry, source: str, *, promote: bool = True) -> VersionRecord:
    """Add ``source`` as a version with passing check and verify reports; promote it."""
    from skills_runtime.checking import signature_of

    signature = signature_of(source)
    schema: dict[str, Any] = dict(signature.parameters_schema)
    record = registry.add_version(
        signature.name,
        source=source,
        schema=schema,
        summary=signature.summary,
        docstring=signature.description,
        tools=list(signature.tools_called),
        provenance=Provenance(synthesizer="human:tests"),
    )
    for kind in ("check", "verify"):
        registry.record_report(record.content_hash, kind=kind, passed=True, report={"ok": True})
    if promote:
        return registry.promote(signature.name, actor="tests", reason="hand-written and tested")
    return record
