"""The bookshop's database and the rules its tools enforce.

An in-memory copy of ``data.json``: customers (with payment methods), orders (with items, status
and payment history) and products (books, each with format variants). The tools in ``tools.py``
are thin, documented wrappers around the methods here. Every method returns fresh JSON values and
raises :class:`BookshopError` (a ``ValueError``) with a message an agent can act on.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

__all__ = ["DATA_PATH", "BookshopError", "Store"]

DATA_PATH = Path(__file__).with_name("data.json")

CANCEL_REASONS = ("no longer needed", "ordered by mistake")
_ORDER_ID = re.compile(r"BK-\d{5}")


class BookshopError(ValueError):
    """A tool was asked for something the bookshop cannot do; the message says why."""


class Store:
    """A mutable copy of the bookshop database."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = copy.deepcopy(data)

    @classmethod
    def load(cls, path: Path = DATA_PATH) -> Store:
        """A fresh store from a JSON file (the bundled ``data.json`` by default)."""
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of the whole database."""
        return copy.deepcopy(self._data)

    # -- reads -------------------------------------------------------------------------------

    def find_customer_by_email(self, email: str) -> str:
        wanted = email.strip().lower()
        for customer in self._data["customers"].values():
            if customer["email"].lower() == wanted:
                return str(customer["customer_id"])
        raise BookshopError(f"no customer has the email {email!r}; ask the customer to spell it")

    def get_customer(self, customer_id: str) -> dict[str, Any]:
        return copy.deepcopy(self._customer(customer_id))

    def get_order(self, order_id: str) -> dict[str, Any]:
        return copy.deepcopy(self._order(order_id))

    def get_product(self, product_id: str) -> dict[str, Any]:
        product = self._data["products"].get(product_id)
        if product is None:
            raise BookshopError(f"no product {product_id!r}; product ids are 8 digits")
        return copy.deepcopy(product)

    # -- writes ------------------------------------------------------------------------------

    def cancel_order(self, order_id: str, reason: str) -> dict[str, Any]:
        order = self._order(order_id)
        self._require_status(order, "pending", "cancelled")
        if reason not in CANCEL_REASONS:
            raise BookshopError(f"reason {reason!r} is not one of {list(CANCEL_REASONS)}")
        order["status"] = "cancelled"
        order["cancel_reason"] = reason
        total = round(sum(item["price"] for item in order["items"]), 2)
        order["payment_history"].append(
            {
                "transaction_type": "refund",
                "amount": total,
                "payment_method_id": order["payment_history"][0]["payment_method_id"],
            }
        )
        return copy.deepcopy(order)

    def return_items(
        self, order_id: str, item_ids: list[str], payment_method_id: str
    ) -> dict[str, Any]:
        order = self._order(order_id)
        self._require_status(order, "delivered", "returned")
        self._require_items(order, item_ids)
        self._require_refund_method(order, payment_method_id)
        order["status"] = "return requested"
        order["return_items"] = sorted(item_ids)
        order["return_payment_method_id"] = payment_method_id
        return copy.deepcopy(order)

    def change_shipping_address(self, order_id: str, address: dict[str, str]) -> dict[str, Any]:
        order = self._order(order_id)
        self._require_status(order, "pending", "re-addressed")
        missing = [key for key in ("address1", "city", "zip", "country") if not address.get(key)]
        if missing:
            raise BookshopError(f"the new address lacks {missing}; ask the customer for them")
        order["address"] = dict(address)
        return copy.deepcopy(order)

    def exchange_items(
        self, order_id: str, item_ids: list[str], new_item_ids: list[str], payment_method_id: str
    ) -> dict[str, Any]:
        order = self._order(order_id)
        self._require_status(order, "delivered", "exchanged")
        self._require_items(order, item_ids)
        if len(item_ids) != len(new_item_ids):
            raise BookshopError(
                f"{len(item_ids)} item(s) to exchange but {len(new_item_ids)} new item(s); "
                "give one new item per exchanged item"
            )
        customer = self._customer(order["customer_id"])
        if payment_method_id not in customer["payment_methods"]:
            raise BookshopError(
                f"payment method {payment_method_id!r} is not one of the customer's: "
                f"{sorted(customer['payment_methods'])}"
            )
        items = {item["item_id"]: item for item in order["items"]}
        difference = 0.0
        for old_id, new_id in zip(item_ids, new_item_ids, strict=True):
            product = self._data["products"][items[old_id]["product_id"]]
            variant = product["variants"].get(new_id)
            if variant is None:
                raise BookshopError(
                    f"item {new_id!r} is not a variant of {product['title']!r} "
                    f"(product {product['product_id']}); exchanges keep the same book"
                )
            if not variant["available"]:
                raise BookshopError(f"item {new_id!r} ({variant['format']}) is out of stock")
            difference += variant["price"] - items[old_id]["price"]
        order["status"] = "exchange requested"
        order["exchange_items"] = sorted(item_ids)
        order["exchange_new_items"] = sorted(new_item_ids)
        order["exchange_payment_method_id"] = payment_method_id
        order["exchange_price_difference"] = round(difference, 2)
        return copy.deepcopy(order)

    # -- rules -------------------------------------------------------------------------------

    def _customer(self, customer_id: str) -> dict[str, Any]:
        customer = self._data["customers"].get(customer_id)
        if customer is None:
            raise BookshopError(
                f"no customer {customer_id!r}; find the id with find_customer_by_email"
            )
        return customer  # type: ignore[no-any-return]

    def _order(self, order_id: str) -> dict[str, Any]:
        order = self._data["orders"].get(order_id)
        if order is None:
            if _ORDER_ID.fullmatch(order_id):
                raise BookshopError(
                    f"no order {order_id!r}; the customer's order ids are in get_customer"
                )
            raise BookshopError(
                f"no order {order_id!r}; order ids are 'BK-' and five digits, such as "
                f"{min(self._data['orders'])!r}"
            )
        return order  # type: ignore[no-any-return]

    @staticmethod
    def _require_status(order: dict[str, Any], status: str, verb: str) -> None:
        if order["status"] != status:
            raise BookshopError(
                f"order {order['order_id']} is {order['status']!r}; only {status} orders "
                f"can be {verb}"
            )

    @staticmethod
    def _require_items(order: dict[str, Any], item_ids: list[str]) -> None:
        if not item_ids:
            raise BookshopError("no item ids given; name at least one item of the order")
        present = [item["item_id"] for item in order["items"]]
        unknown = [item_id for item_id in item_ids if item_id not in present]
        if unknown:
            raise BookshopError(
                f"item(s) {unknown} are not in order {order['order_id']}; its items: {present}"
            )

    def _require_refund_method(self, order: dict[str, Any], payment_method_id: str) -> None:
        original = order["payment_history"][0]["payment_method_id"]
        customer = self._customer(order["customer_id"])
        method = customer["payment_methods"].get(payment_method_id)
        if payment_method_id != original and (method is None or method["kind"] != "gift_card"):
            raise BookshopError(
                f"refunds go to the original payment method {original!r} or a gift card of the "
                f"customer; {payment_method_id!r} is neither"
            )
