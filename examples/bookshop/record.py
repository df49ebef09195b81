"""Record the bookshop's trajectories by driving its real tools (deterministic: a fixed seed).

Each trajectory is one customer-service task carried out the way a careful agent would: look the
customer up by email, read their profile and the order, read the books involved, then make the one
write the customer asked for. Every call and its result (or error) is recorded as it happened, on a
fresh copy of the database. Four procedure families (cancel, return, change address, exchange) with
several traces each, varied customers, orders and items, and a few error cases.

Writes three files beside this one, the same trajectories in three formats:
``trajectories.jsonl`` (native, like ``../shared/data``), ``trajectories.openai.jsonl`` (OpenAI chat
messages) and ``trajectories.anthropic.jsonl`` (Anthropic messages). Run from the repository root:
``python -m examples.bookshop.record``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from skills_runtime.tools import Toolset

from . import tools as bookshop
from .formats import to_anthropic, to_openai_chat
from .seed import CITIES, STREETS

__all__ = ["SEED", "main", "record_all"]

SEED = 7
DIRECTORY = Path(__file__).parent
PER_FAMILY = 5

Task = dict[str, Any]


class Recorder:
    """Calls tools through the toolset (so arguments are validated) and writes down every call."""

    def __init__(self, toolset: Toolset) -> None:
        self.toolset = toolset
        self.steps: list[dict[str, Any]] = []
        self.used: list[str] = []

    def __call__(self, tool: str, **arguments: Any) -> Any:
        """Call ``tool``; return its result, or None after recording the error it raised."""
        try:
            result, is_error = self.toolset.call(tool, arguments), False
        except ValueError as error:
            result, is_error = f"Error: {error}", True
        self.steps.append(
            {
                "tool": tool,
                "arguments": arguments,
                "result": result,
                "is_error": is_error,
                "mutates_db": self.toolset.get(tool).mutates,
            }
        )
        if tool not in self.used:
            self.used.append(tool)
        return None if is_error else result


def _customers_with(status: str, store_data: dict[str, Any]) -> list[tuple[dict[str, Any], Any]]:
    """(customer, order) pairs whose order has ``status``, in a stable order."""
    pairs = []
    for order_id in sorted(store_data["orders"]):
        order = store_data["orders"][order_id]
        if order["status"] == status:
            pairs.append((store_data["customers"][order["customer_id"]], order))
    return pairs


def _full_name(customer: dict[str, Any]) -> str:
    return f"{customer['name']['first_name']} {customer['name']['last_name']}"


def cancel_tasks(rng: random.Random, data: dict[str, Any]) -> Iterator[Task]:
    """Cancel a pending order (and one attempt on a delivered order, which the shop refuses)."""
    reasons = {
        "no longer needed": ["I don't need it anymore", "my book club switched titles"],
        "ordered by mistake": ["I ordered it by mistake", "I clicked buy twice by accident"],
    }
    picks = rng.sample(_customers_with("pending", data), k=PER_FAMILY)
    refused = rng.choice(_customers_with("delivered", data))
    for index, (customer, order) in enumerate([*picks, refused]):
        reason = rng.choice(sorted(reasons))
        said = rng.choice(reasons[reason])
        yield {
            "family": "cancel",
            "instruction": (
                f"You are {_full_name(customer)}, email {customer['email']}. You want to cancel "
                f"order {order['order_id']} because {said}."
            ),
            "run": _cancel(customer["email"], order["order_id"], reason),
            "failure": index == PER_FAMILY,
        }


def _cancel(email: str, order_id: str, reason: str) -> Callable[[Recorder], None]:
    def run(call: Recorder) -> None:
        customer_id = call("find_customer_by_email", email=email)
        call("get_customer", customer_id=customer_id)
        call("get_order", order_id=order_id)
        call("cancel_order", order_id=order_id, reason=reason)

    return run


def return_tasks(rng: random.Random, data: dict[str, Any]) -> Iterator[Task]:
    """Return some delivered items, refunded to the original payment method."""
    picks = rng.sample(_customers_with("delivered", data), k=PER_FAMILY)
    for index, (customer, order) in enumerate(picks):
        count = rng.randint(1, len(order["items"]))
        items = [item["item_id"] for item in rng.sample(order["items"], k=count)]
        titles = ", ".join(repr(i["title"]) for i in order["items"] if i["item_id"] in items)
        email = customer["email"]
        # one customer misspells their email first: a recorded error the agent recovers from
        typo = email.replace("@", "@@") if index == 1 else None
        yield {
            "family": "return",
            "instruction": (
                f"You are {_full_name(customer)} ({email}). Order {order['order_id']} arrived and "
                f"you want to return {titles}, refunded to the card or account you paid with."
            ),
            "run": _return(email, order["order_id"], items, typo),
            "failure": False,
        }


def _return(
    email: str, order_id: str, items: list[str], typo: str | None
) -> Callable[[Recorder], None]:
    def run(call: Recorder) -> None:
        if typo is not None:
            call("find_customer_by_email", email=typo)
        customer_id = call("find_customer_by_email", email=email)
        call("get_customer", customer_id=customer_id)
        order = call("get_order", order_id=order_id)
        paid_with = order["payment_history"][0]["payment_method_id"]
        call("return_items", order_id=order_id, item_ids=items, payment_method_id=paid_with)

    return run


def address_tasks(rng: random.Random, data: dict[str, Any]) -> Iterator[Task]:
    """Ship a pending order to a new address."""
    picks = rng.sample(_customers_with("pending", data), k=PER_FAMILY)
    for customer, order in picks:
        city, state, zip_code = rng.choice(CITIES)
        address = {
            "address1": f"{rng.randrange(10, 999)} {rng.choice(STREETS)}",
            "address2": rng.choice(["", f"Suite {rng.randrange(100, 400)}"]),
            "city": city,
            "state": state,
            "zip": zip_code,
            "country": "USA",
        }
        spelled = ", ".join(value for value in address.values() if value)
        yield {
            "family": "change_address",
            "instruction": (
                f"You are {_full_name(customer)}, {customer['email']}. You moved: order "
                f"{order['order_id']} should go to {spelled}."
            ),
            "run": _readdress(customer["email"], order["order_id"], address),
            "failure": False,
        }


def _readdress(email: str, order_id: str, address: dict[str, str]) -> Callable[[Recorder], None]:
    def run(call: Recorder) -> None:
        call("find_customer_by_email", email=email)
        call("get_order", order_id=order_id)
        call("change_shipping_address", order_id=order_id, **address)

    return run


def exchange_tasks(rng: random.Random, data: dict[str, Any]) -> Iterator[Task]:
    """Exchange delivered books for another format (one attempt asks for an unavailable one)."""
    products = data["products"]
    picks = rng.sample(_customers_with("delivered", data), k=PER_FAMILY + 1)
    for index, (customer, order) in enumerate(picks):
        failing = index == PER_FAMILY
        count = rng.randint(1, min(2, len(order["items"])))
        chosen = rng.sample(order["items"], k=count)
        new_items = []
        for item in chosen:
            variants = products[item["product_id"]]["variants"].values()
            others = [v for v in variants if v["item_id"] != item["item_id"]]
            wanted = [v for v in others if v["available"] != failing] or others
            new_items.append(rng.choice(sorted(wanted, key=lambda v: v["item_id"])))
        method = rng.choice(sorted(customer["payment_methods"]))
        wishes = "; ".join(
            f"{item['title']!r} as {new['format']} instead of {item['format']}"
            for item, new in zip(chosen, new_items, strict=True)
        )
        yield {
            "family": "exchange",
            "instruction": (
                f"You are {_full_name(customer)} ({customer['email']}). In order "
                f"{order['order_id']} you want {wishes}; any difference goes on {method}."
            ),
            "run": _exchange(
                customer["email"],
                order["order_id"],
                [item["item_id"] for item in chosen],
                [item["product_id"] for item in chosen],
                [new["item_id"] for new in new_items],
                method,
            ),
            "failure": failing,
        }


def _exchange(
    email: str,
    order_id: str,
    items: list[str],
    product_ids: list[str],
    new_items: list[str],
    method: str,
) -> Callable[[Recorder], None]:
    def run(call: Recorder) -> None:
        customer_id = call("find_customer_by_email", email=email)
        call("get_customer", customer_id=customer_id)
        call("get_order", order_id=order_id)
        for product_id in product_ids:
            call("get_product", product_id=product_id)
        call(
            "exchange_items",
            order_id=order_id,
            item_ids=items,
            new_item_ids=new_items,
            payment_method_id=method,
        )

    return run


def record_all(seed: int = SEED) -> list[dict[str, Any]]:
    """Every trajectory, in the native format, the same for the same seed."""
    rng = random.Random(seed)
    data = bookshop.reset().snapshot()
    schemas = {entry["function"]["name"]: entry for entry in bookshop.toolset.describe()}
    lines: list[dict[str, Any]] = []
    for family in (cancel_tasks, return_tasks, address_tasks, exchange_tasks):
        for number, task in enumerate(family(rng, data)):
            bookshop.reset(data)  # every task starts from the same database
            recorder = Recorder(bookshop.toolset)
            task["run"](recorder)
            failed = task["failure"] or recorder.steps[-1]["is_error"]
            lines.append(
                {
                    "task_id": f"bookshop-{task['family']}-{number}",
                    "domain": "bookshop",
                    "split": "test" if number == PER_FAMILY - 1 else "train",
                    "family": task["family"],
                    "instruction": task["instruction"],
                    "outcome": "failure" if failed else "success",
                    "steps": recorder.steps,
                    "tool_schemas": [schemas[name] for name in recorder.used],
                }
            )
    bookshop.reset()
    return lines


def _write_jsonl(path: Path, documents: list[dict[str, Any]]) -> None:
    text = "".join(json.dumps(document, ensure_ascii=False) + "\n" for document in documents)
    path.write_text(text, encoding="utf-8")


def main(directory: Path = DIRECTORY) -> None:
    """Write the three trajectory files into ``directory``."""
    lines = record_all()
    _write_jsonl(directory / "trajectories.jsonl", lines)
    _write_jsonl(directory / "trajectories.openai.jsonl", [to_openai_chat(x) for x in lines])
    _write_jsonl(directory / "trajectories.anthropic.jsonl", [to_anthropic(x) for x in lines])
    print(f"wrote {len(lines)} trajectories to {directory}")


if __name__ == "__main__":
    main()
