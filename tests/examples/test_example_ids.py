"""Every order, customer, product and payment method the docs and examples name is in the shop.

A new user copies these ids into their first commands and prompts; an id that does not exist
turns the first hour into a search for what went wrong.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from examples.bookshop.store import BookshopError, Store

ROOT = Path(__file__).resolve().parents[2]
DATA = json.loads((ROOT / "examples" / "bookshop" / "data.json").read_text(encoding="utf-8"))

TEXTS = sorted(
    [
        ROOT / "README.md",
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "examples").glob("*.py"),
        *(ROOT / "examples").glob("*.md"),
        *(ROOT / "examples" / "bookshop").glob("*.py"),
        *(ROOT / "examples" / "bookshop").glob("*.md"),
        ROOT / "skills_runtime" / "cli" / "commands_tools.py",
    ]
)

PATTERNS = {
    "order": (re.compile(r"\bBK-\d{5}\b"), set(DATA["orders"])),
    "customer email": (
        re.compile(r"\b[a-z]+\.[a-z]+\d+@example\.com\b"),
        {c["email"] for c in DATA["customers"].values()},
    ),
    "customer id": (re.compile(r"\b[a-z]+_[a-z]+_\d{4}\b"), set(DATA["customers"])),
    "payment method": (
        re.compile(r"\b(?:credit_card|gift_card|paypal)_\d{7}\b"),
        {m for c in DATA["customers"].values() for m in c["payment_methods"]},
    ),
}


@pytest.mark.parametrize("path", TEXTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_bookshop_id_in_docs_and_examples_exists(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    unknown = [
        f"{kind} {found}"
        for kind, (pattern, known) in PATTERNS.items()
        for found in pattern.findall(text)
        if found not in known
    ]
    assert not unknown, f"{path.relative_to(ROOT)} names what the bookshop lacks: {unknown}"


def test_the_agent_examples_name_an_order_of_the_customer_they_name() -> None:
    for name in ("agent_openai.py", "agent_anthropic.py"):
        text = (ROOT / "examples" / name).read_text(encoding="utf-8")
        (order,) = set(PATTERNS["order"][0].findall(text))
        (email,) = set(PATTERNS["customer email"][0].findall(text))
        owner = DATA["customers"][DATA["orders"][order]["customer_id"]]["email"]
        assert owner == email


@pytest.mark.parametrize("order_id", ["BK-99999", "BK-10042", "order 7", "bk-10106"])
def test_a_missing_order_is_never_hinted_with_the_id_that_was_wrong(order_id: str) -> None:
    with pytest.raises(BookshopError) as raised:
        Store.load().get_order(order_id)

    message = str(raised.value)
    assert message.startswith(f"no order {order_id!r}; ")
    assert message.count(order_id) == 1
    hinted = re.findall(r"BK-\d{5}", message.split("; ", 1)[1])
    assert all(hint in DATA["orders"] for hint in hinted)
