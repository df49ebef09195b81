"""A registry seeded by hand, so the registry commands are tested without the learning pipeline.

The evidence (check and verify reports) is recorded the way the gates record it; the sources are
the kind of skill a person could write for the bookshop example.
"""

from __future__ import annotations

from pathlib import Path

from skill_registry import Provenance, Registry

CANCEL_V1 = '''def cancel_order_for_customer(tools, email: str, order_id: str, reason: str) -> dict:
    """Cancel a customer's pending order.

    Args:
        email: The customer's email.
        order_id: The order id, such as 'BK-10042'.
        reason: Why the customer cancels.
    """
    customer_id = tools.find_customer_by_email(email=email)
    order = tools.get_order(order_id=order_id)
    if order["customer_id"] != customer_id:
        raise SkillPrecondition("order does not belong to this customer")
    return tools.cancel_order(order_id=order_id, reason=reason)
'''

CANCEL_V2 = CANCEL_V1.replace(
    "    return tools.cancel_order(order_id=order_id, reason=reason)\n",
    '    if order["status"] != "pending":\n'
    "        raise SkillPrecondition(f\"order status is {order['status']!r}\")\n"
    "    return tools.cancel_order(order_id=order_id, reason=reason)\n",
)

RETURN_V1 = '''def return_items_for_customer(
    tools, email: str, order_id: str, item_ids: list[str]
) -> dict:
    """Return delivered items <b>to the original payment</b> & close the request.

    Args:
        email: The customer's email.
        order_id: The order id.
        item_ids: The items to return.
    """
    tools.find_customer_by_email(email=email)
    order = tools.get_order(order_id=order_id)
    paid_with = order["payment_history"][0]["payment_method_id"]
    return tools.return_items(order_id=order_id, item_ids=item_ids, payment_method_id=paid_with)
'''

PARAMETERS = {
    "type": "object",
    "properties": {
        "email": {"type": "string", "description": "The customer's email."},
        "order_id": {"type": "string"},
        "reason": {"type": "string"},
    },
    "required": ["email", "order_id", "reason"],
}
SCHEMA = {"parameters": PARAMETERS, "returns": {"type": "object"}}

VERIFY_PASSED = {
    "passed": True,
    "status": "ok",
    "reasons": [],
    "seconds": 0.8,
    "replays": [{"trajectory_id": "bookshop-cancel-0", "passed": True, "reasons": []}],
    "properties": [
        {
            "name": "no_unexpected_exception",
            "passed": True,
            "examples": 40,
            "falsifying_example": None,
            "error": None,
        }
    ],
}

VERIFY_FAILED = {
    **VERIFY_PASSED,
    "passed": False,
    "reasons": ["property deterministic failed"],
    "properties": [
        {
            "name": "deterministic",
            "passed": False,
            "examples": 3,
            "falsifying_example": {"arguments": {"email": "a@b.c", "order_id": "BK-1"}},
            "error": "two runs made different calls",
        }
    ],
}


def _trajectory(task_id: str, task: str) -> dict[str, object]:
    return {"id": task_id, "task": task, "calls": []}


def seed_registry(path: Path) -> Path:
    """Write the seeded registry at ``path`` and return it."""
    with Registry.open(path, create=True) as registry:
        provenance = Provenance(synthesizer="human:test", source_trajectories=())
        v1 = registry.add_version(
            "cancel_order_for_customer",
            source=CANCEL_V1,
            schema=SCHEMA,
            summary="Cancel a customer's pending order.",
            tools=["find_customer_by_email", "get_order", "cancel_order"],
            provenance=provenance,
            trajectories=[_trajectory("bookshop-cancel-0", "Cancel order BK-10042, <please>.")],
        )
        registry.record_report(
            v1.content_hash, kind="check", passed=True, report={"ok": True, "findings": []}
        )
        registry.record_report(v1.content_hash, kind="verify", passed=True, report=VERIFY_PASSED)
        registry.add_regression_case(
            "cancel_order_for_customer", {"arguments": {"email": "x"}, "calls": []}, version=1
        )
        v2 = registry.add_version(
            "cancel_order_for_customer",
            source=CANCEL_V2,
            schema=SCHEMA,
            summary="Cancel a customer's pending order, checking its status first.",
            tools=["find_customer_by_email", "get_order", "cancel_order"],
            provenance=Provenance(synthesizer="human:test", parent_version=1),
        )
        registry.record_report(
            v2.content_hash,
            kind="check",
            passed=True,
            report={
                "ok": True,
                "findings": [
                    {"code": "SK301", "message": "unused variable", "line": 3, "column": 4}
                ],
            },
        )
        registry.record_report(v2.content_hash, kind="verify", passed=False, report=VERIFY_FAILED)
        registry.add_version(
            "return_items_for_customer",
            source=RETURN_V1,
            schema={"type": "object", "properties": {}, "required": []},
            summary="Return delivered items <b>to the original payment</b> & close the request.",
            tools=["find_customer_by_email", "get_order", "return_items"],
            provenance=provenance,
        )
        # v1 goes through its gates (its reports passed); v2 and the return skill stay behind
        registry.transition(
            "cancel_order_for_customer", version=1, to="candidate", actor="t", reason="checked"
        )
        registry.transition(
            "cancel_order_for_customer", version=2, to="candidate", actor="t", reason="checked"
        )
    return path
