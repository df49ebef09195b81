"""The shop the serving benchmark's agents use: host tools, skills, and the calls agents make.

Read-only tools over a fixed, generated catalogue (so every run sees the same data and a call
means the same thing the 100,000th time). Four skills, stored and promoted through the real
gates (static check, verification in the sandbox): one tool call, several tool calls with a
guard, compute only, and the same multi-tool skill on an order too big for its tool budget.
Serve it as ``--tools bench._serving_shop:toolset`` from the repository root.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from skill_registry import Registry
from skills_runtime.gates import add_edited_version, run_gates
from skills_runtime.replay import RecordedCall, ReplayCase
from skills_runtime.tools import Toolset

__all__ = ["SKILLS", "Call", "mix", "store_skills", "toolset"]

USERS = 200
ITEMS_PER_ORDER = 3
BIG_ORDER = "O-BIG"  # more items than a call's tool budget (Limits.max_tool_calls = 100)

_PRODUCTS = {
    f"P-{n}": {"product_id": f"P-{n}", "price": round(3 + n * 0.25, 2)} for n in range(500)
}
_ORDERS: dict[str, dict[str, Any]] = {}
_USERS: dict[str, dict[str, Any]] = {}
for _u in range(USERS):
    _orders = [f"O-{_u}-{k}" for k in range(3)]
    _USERS[f"U-{_u}"] = {"user_id": f"U-{_u}", "name": f"Customer {_u}", "orders": _orders}
    for _k, _order in enumerate(_orders):
        _ORDERS[_order] = {
            "order_id": _order,
            "user_id": f"U-{_u}",
            "status": ("pending", "shipped", "delivered")[_k],
            "items": [f"P-{(_u * 7 + _k * 3 + i) % 500}" for i in range(ITEMS_PER_ORDER)],
        }
_ORDERS[BIG_ORDER] = {
    "order_id": BIG_ORDER,
    "user_id": "U-0",
    "status": "pending",
    "items": [f"P-{i}" for i in range(150)],
}

toolset = Toolset("benchshop")


@toolset.tool
def get_order(order_id: str) -> dict[str, Any]:
    """An order: its owner, status and product ids.

    Args:
        order_id: The order id, e.g. "O-12-0".
    """
    if order_id not in _ORDERS:
        raise KeyError(f"no order {order_id!r}; order ids look like 'O-12-0'")
    return _ORDERS[order_id]


@toolset.tool
def get_user(user_id: str) -> dict[str, Any]:
    """A customer: name and order ids.

    Args:
        user_id: The user id, e.g. "U-12".
    """
    if user_id not in _USERS:
        raise KeyError(f"no user {user_id!r}; user ids look like 'U-12'")
    return _USERS[user_id]


@toolset.tool
def get_product(product_id: str) -> dict[str, Any]:
    """A product's price.

    Args:
        product_id: The product id, e.g. "P-7".
    """
    if product_id not in _PRODUCTS:
        raise KeyError(f"no product {product_id!r}")
    return _PRODUCTS[product_id]


ORDER_STATUS = '''
def order_status(tools, order_id: str) -> str:
    """Say what state an order is in.

    Args:
        order_id: The order, e.g. "O-12-0".

    Returns:
        The order's status.
    """
    order = tools.get_order(order_id=order_id)
    return order["status"]
'''

ORDER_TOTAL = '''
def order_total(tools, user_id: str, order_id: str) -> float:
    """The price of a customer's order, after checking the order is theirs.

    Args:
        user_id: The customer, e.g. "U-12".
        order_id: One of their orders, e.g. "O-12-0".

    Returns:
        The sum of the order's product prices.
    """
    user = tools.get_user(user_id=user_id)
    order = tools.get_order(order_id=order_id)
    if order["user_id"] != user["user_id"]:
        raise SkillPrecondition("order " + order_id + " does not belong to " + user_id)
    total = 0.0
    for product_id in order["items"]:
        product = tools.get_product(product_id=product_id)
        total = total + product["price"]
    return round(total, 2)
'''

ORDER_CHECKSUM = '''
def order_checksum(tools, order_id: str, rounds: int = 300) -> int:
    """A checksum of an order id, for labels (compute only, no tool).

    Args:
        order_id: The order id.
        rounds: How many mixing rounds (at most 2000).

    Returns:
        The checksum.
    """
    value = 7
    for round_number in range(max(0, min(rounds, 2000))):
        for character in order_id:
            value = (value * 31 + ord(character) + round_number) % 1000003
    return value
'''

SKILLS = {
    "order_status": ORDER_STATUS,
    "order_total": ORDER_TOTAL,
    "order_checksum": ORDER_CHECKSUM,
}


# Calls whose real tool answers the gates replay, as recordings of an agent would give them: the
# verifier's fakes answer from recordings (without any, a fake's answer is only a guess).
_RECORDED = {
    "order_status": ({"order_id": "O-1-0"}, {"order_id": "O-2-2"}),
    "order_total": (
        {"user_id": "U-1", "order_id": "O-1-1"},
        {"user_id": "U-3", "order_id": "O-3-0"},
    ),
    "order_checksum": ({"order_id": "O-1-0", "rounds": 3},),
}


class _Recorder:
    """The shop's real tools, each call kept as a :class:`RecordedCall`."""

    def __init__(self) -> None:
        self.calls: list[RecordedCall] = []

    def __getattr__(self, name: str) -> Any:
        def call(**arguments: Any) -> Any:
            value = toolset.call(name, arguments)
            self.calls.append(RecordedCall(name, dict(arguments), value))
            return value

        return call


def recorded_cases(name: str) -> list[ReplayCase]:
    """The skill ``name`` run as plain (trusted) Python on the real tools, once per recorded
    call of ``_RECORDED``: what it called, what the tools answered, what it returned."""
    namespace: dict[str, Any] = {"SkillPrecondition": ValueError}
    exec(SKILLS[name], namespace)  # the benchmark's own skill source, trusted
    cases = []
    for number, arguments in enumerate(_RECORDED[name]):
        recorder = _Recorder()
        result = namespace[name](recorder, **arguments)
        cases.append(
            ReplayCase(
                trajectory_id=f"bench-{name}-{number}",
                arguments=arguments,
                calls=tuple(recorder.calls),
                expected_result=result,
            )
        )
    return cases


def store_skills(db: Path) -> dict[str, Any]:
    """Store the skills in a new registry at ``db`` and promote them through the real gates."""
    gates: dict[str, Any] = {}
    schemas = {schema.name: dict(schema.parameters) for schema in toolset.schemas()}
    with Registry.open(db, create=True) as registry:
        for name, source in SKILLS.items():
            add_edited_version(registry, name, source, author="human:bench")
            result = run_gates(
                registry, name, actor="bench", tool_schemas=schemas, cases=recorded_cases(name)
            )
            if not result.passed:
                raise SystemExit(f"skill {name} did not pass the gates: {result.reasons}")
            registry.promote(name, actor="bench", reason="passed check and verification")
            gates[name] = result.state
    return gates


Call = tuple[str, dict[str, Any], str]
"""(tool name, arguments, the kind of answer expected)."""

# Shares of the mix, in percent: what agents do, including their mistakes.
MIX = (
    ("one_tool", 35.0),
    ("multi_tool", 25.0),
    ("compute", 15.0),
    ("bad_arguments", 10.0),
    ("failing_guard", 8.0),
    ("unknown_order", 6.5),
    ("limit", 0.5),
)


def _call(kind: str, rng: random.Random) -> Call:
    user = rng.randrange(USERS)
    order = f"O-{user}-{rng.randrange(3)}"
    if kind == "one_tool":
        return "order_status", {"order_id": order}, "ok"
    if kind == "multi_tool":
        return "order_total", {"user_id": f"U-{user}", "order_id": order}, "ok"
    if kind == "compute":
        return "order_checksum", {"order_id": order, "rounds": 200}, "ok"
    if kind == "bad_arguments":
        wrong = rng.choice([{"order_id": 12}, {}, {"order": order}, {"order_id": None}])
        return "order_status", wrong, "invalid_arguments"
    if kind == "failing_guard":
        other = f"U-{(user + 1) % USERS}"
        return "order_total", {"user_id": other, "order_id": order}, "SkillPrecondition"
    if kind == "unknown_order":
        return "order_status", {"order_id": f"O-{user}-9"}, "ToolError"
    if kind == "limit":
        return "order_total", {"user_id": "U-0", "order_id": BIG_ORDER}, "limit"
    raise ValueError(kind)


def mix(count: int, *, seed: int = 7) -> list[Call]:
    """``count`` calls in the benchmark's proportions, shuffled deterministically."""
    rng = random.Random(seed)
    kinds = [kind for kind, _ in MIX]
    weights = [share for _, share in MIX]
    return [_call(kind, rng) for kind in rng.choices(kinds, weights=weights, k=count)]
