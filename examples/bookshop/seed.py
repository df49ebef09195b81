"""Generate the bookshop database, ``data.json`` (deterministic: a fixed seed).

Run ``python examples/bookshop/seed.py`` to rewrite it; ``record.py`` then re-records the
trajectories against it. Both files are committed, so nobody needs to run this.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

__all__ = ["SEED", "build_database", "main"]

SEED = 20_240_611

BOOKS = [
    ("The Lighthouse Keeper's Daughter", "Mara Ellison"),
    ("A Short History of Rivers", "Tomas Okafor"),
    ("Practical Sourdough", "Ines Kowalski"),
    ("The Glass Orchard", "Ruth Abernathy"),
    ("Learning Python the Slow Way", "Dev Raman"),
    ("Northern Birds in Winter", "Astrid Lund"),
    ("The Cartographer's Error", "Felix Marchetti"),
    ("Small Gardens, Big Harvests", "June Okonkwo"),
    ("Letters from the Salt Road", "Samir Haddad"),
    ("An Atlas of Forgotten Stars", "Clara Vance"),
    ("The Quiet Engine", "Hugo Brandt"),
    ("Mushrooms of the Pacific Coast", "Lena Park"),
]

FORMATS = {"hardcover": 1.0, "paperback": 0.6, "ebook": 0.45, "audiobook": 0.8}

FIRST = ["Ada", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas"]
FIRST += ["Keira", "Luis", "Mei", "Nadia"]
LAST = ["Moreau", "Silva", "Rossi", "Ivanov", "Garcia", "Nasser", "Okafor", "Tanaka", "Kowalski"]
LAST += ["Berg", "Walsh", "Ortiz", "Chen", "Haddad"]

CITIES = [
    ("Portland", "OR", "97205"),
    ("Austin", "TX", "78701"),
    ("Madison", "WI", "53703"),
    ("Denver", "CO", "80202"),
    ("Raleigh", "NC", "27601"),
    ("Tucson", "AZ", "85701"),
    ("Burlington", "VT", "05401"),
]
STREETS = ["Maple Street", "Harbor Road", "Elm Avenue", "Cedar Lane", "Lakeview Drive", "Oak Court"]

STATUSES = ["pending", "pending", "delivered", "delivered", "delivered", "shipped", "cancelled"]


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(10 ** (n - 1), 10**n))


def address(rng: random.Random) -> dict[str, str]:
    """A plausible US street address."""
    city, state, zip_code = rng.choice(CITIES)
    return {
        "address1": f"{rng.randrange(10, 999)} {rng.choice(STREETS)}",
        "address2": rng.choice(["", f"Apt {rng.randrange(1, 40)}"]),
        "city": city,
        "state": state,
        "zip": zip_code,
        "country": "USA",
    }


def _products(rng: random.Random) -> dict[str, Any]:
    products: dict[str, Any] = {}
    for title, author in BOOKS:
        product_id = _digits(rng, 8)
        base = rng.randrange(1800, 4200) / 100
        formats = rng.sample(sorted(FORMATS), k=rng.choice([3, 4]))
        variants = {}
        for index, name in enumerate(sorted(formats)):
            item_id = _digits(rng, 10)
            variants[item_id] = {
                "item_id": item_id,
                "format": name,
                "price": round(base * FORMATS[name], 2),
                # every book keeps at least two formats in stock so exchanges are possible
                "available": index < 2 or rng.random() < 0.6,
            }
        products[product_id] = {
            "product_id": product_id,
            "title": title,
            "author": author,
            "variants": variants,
        }
    return products


def _payment_methods(rng: random.Random) -> dict[str, Any]:
    methods: dict[str, Any] = {}
    card = f"credit_card_{_digits(rng, 7)}"
    methods[card] = {
        "id": card,
        "kind": "credit_card",
        "brand": rng.choice(["visa", "mastercard"]),
        "last_four": _digits(rng, 4),
    }
    for kind in rng.sample(["gift_card", "paypal"], k=rng.choice([1, 2])):
        method_id = f"{kind}_{_digits(rng, 7)}"
        methods[method_id] = {"id": method_id, "kind": kind}
        if kind == "gift_card":
            methods[method_id]["balance"] = float(rng.randrange(10, 120))
    return methods


def build_database(seed: int = SEED) -> dict[str, Any]:
    """The whole database as JSON values, the same for the same seed."""
    rng = random.Random(seed)
    products = _products(rng)
    customers: dict[str, Any] = {}
    orders: dict[str, Any] = {}
    order_number = 10_000
    for first, last in zip(FIRST, LAST, strict=True):
        customer_id = f"{first.lower()}_{last.lower()}_{_digits(rng, 4)}"
        methods = _payment_methods(rng)
        home = address(rng)
        customer: dict[str, Any] = {
            "customer_id": customer_id,
            "name": {"first_name": first, "last_name": last},
            "email": f"{first.lower()}.{last.lower()}{rng.randrange(10, 99)}@example.com",
            "address": home,
            "payment_methods": methods,
            "orders": [],
        }
        for _ in range(rng.choice([2, 3, 3])):
            order_number += rng.randrange(7, 90)
            order_id = f"BK-{order_number}"
            items = []
            for product_id in rng.sample(sorted(products), k=rng.choice([1, 2, 2, 3])):
                variant = products[product_id]["variants"][
                    rng.choice(sorted(products[product_id]["variants"]))
                ]
                items.append(
                    {
                        "item_id": variant["item_id"],
                        "product_id": product_id,
                        "title": products[product_id]["title"],
                        "format": variant["format"],
                        "price": variant["price"],
                    }
                )
            paid_with = rng.choice(sorted(methods))
            orders[order_id] = {
                "order_id": order_id,
                "customer_id": customer_id,
                "status": rng.choice(STATUSES),
                "address": dict(home),
                "items": items,
                "payment_history": [
                    {
                        "transaction_type": "payment",
                        "amount": round(sum(item["price"] for item in items), 2),
                        "payment_method_id": paid_with,
                    }
                ],
            }
            customer["orders"].append(order_id)
        customers[customer_id] = customer
    return {"customers": customers, "orders": orders, "products": products}


def main() -> None:
    """Rewrite ``data.json`` beside this file."""
    path = Path(__file__).with_name("data.json")
    path.write_text(json.dumps(build_database(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
