"""The bookshop's tools, as an agent (or a skill) sees them.

A small online bookshop: customers with payment methods, orders with items, books with format
variants (hardcover, paperback, ebook, audiobook). Four reads and four writes over an in-memory copy
of ``data.json``. Use the toolset from the command line as
``--tools examples.bookshop.tools:toolset`` (from the repository root), or in Python::

    from examples.bookshop.tools import reset, toolset

    reset()                                   # a fresh copy of the database
    toolset.call("get_order", {"order_id": "BK-10106"})

Every tool returns fresh JSON and raises ``BookshopError`` (a ``ValueError``) with a message that
says what to do instead.
"""

from __future__ import annotations

from typing import Any, Literal

from skills_runtime.tools import Toolset

from .store import Store

__all__ = ["current", "reset", "toolset"]

toolset = Toolset("bookshop")

_state: dict[str, Store] = {}


def reset(data: dict[str, Any] | None = None) -> Store:
    """Start over from ``data`` (default: the bundled ``data.json``) and return the new store."""
    _state["store"] = Store(data) if data is not None else Store.load()
    return _state["store"]


def current() -> Store:
    """The store the tools operate on (loaded on first use)."""
    if "store" not in _state:
        reset()
    return _state["store"]


@toolset.tool
def find_customer_by_email(email: str) -> str:
    """Find a customer's id from their email address.

    Args:
        email: The email the customer gives, such as 'ada.moreau90@example.com'.

    Returns:
        The customer id, such as 'ada_moreau_5574'.
    """
    return current().find_customer_by_email(email)


@toolset.tool
def get_customer(customer_id: str) -> dict[str, Any]:
    """Get a customer's profile: name, email, address, payment methods and order ids.

    Args:
        customer_id: The customer id, such as 'ada_moreau_5574'.
    """
    return current().get_customer(customer_id)


@toolset.tool
def get_order(order_id: str) -> dict[str, Any]:
    """Get an order: its customer, status, shipping address, items and payment history.

    Args:
        order_id: The order id, such as 'BK-10106'.
    """
    return current().get_order(order_id)


@toolset.tool
def get_product(product_id: str) -> dict[str, Any]:
    """Get a book: title, author, and its variants (formats) with price and availability.

    Args:
        product_id: The product id, 8 digits, such as '72047367'.
    """
    return current().get_product(product_id)


@toolset.tool(mutates=True)
def cancel_order(
    order_id: str, reason: Literal["no longer needed", "ordered by mistake"]
) -> dict[str, Any]:
    """Cancel a pending order and refund it to the payment method it was paid with.

    Only pending orders can be cancelled. Confirm with the customer before calling.

    Args:
        order_id: The order id, such as 'BK-10106'.
        reason: Why the customer cancels.
    """
    return current().cancel_order(order_id, reason)


@toolset.tool(mutates=True)
def return_items(order_id: str, item_ids: list[str], payment_method_id: str) -> dict[str, Any]:
    """Request the return of delivered items; the refund goes to the given payment method.

    Only delivered orders can be returned, once. The refund goes to the order's original payment
    method or to one of the customer's gift cards.

    Args:
        order_id: The order id, such as 'BK-10106'.
        item_ids: The ids of the items to return, each 10 digits.
        payment_method_id: Where the refund goes, such as 'credit_card_1907185'.
    """
    return current().return_items(order_id, item_ids, payment_method_id)


@toolset.tool(mutates=True)
def change_shipping_address(
    order_id: str,
    address1: str,
    address2: str,
    city: str,
    state: str,
    zip: str,
    country: str,
) -> dict[str, Any]:
    """Change where a pending order will be shipped.

    Args:
        order_id: The order id, such as 'BK-10106'.
        address1: Street and number, such as '12 Maple Street'.
        address2: Apartment or suite, or '' when there is none.
        city: The city.
        state: The two-letter state code, such as 'OR'.
        zip: The five-digit zip code.
        country: The country, such as 'USA'.
    """
    address = {
        "address1": address1,
        "address2": address2,
        "city": city,
        "state": state,
        "zip": zip,
        "country": country,
    }
    return current().change_shipping_address(order_id, address)


@toolset.tool(mutates=True)
def exchange_items(
    order_id: str, item_ids: list[str], new_item_ids: list[str], payment_method_id: str
) -> dict[str, Any]:
    """Exchange delivered items for other formats of the same books.

    Each new item must be an available variant of the same product as the item it replaces; the
    price difference is charged to (or refunded to) the given payment method.

    Args:
        order_id: The order id, such as 'BK-10106'.
        item_ids: The ids of the items to exchange, each 10 digits.
        new_item_ids: The ids of the new variants, in the same order as ``item_ids``.
        payment_method_id: One of the customer's payment methods, such as 'gift_card_8536573'.
    """
    return current().exchange_items(order_id, item_ids, new_item_ids, payment_method_id)
