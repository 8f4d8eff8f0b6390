"""Task functions for the example workflows in statemachine/, run in-process by `segue dev`.

Each is a plain Lambda handler `(event, context)`; `make dev` registers them under the
names the workflows call (reserve-stock, charge-card, ...).
"""

from __future__ import annotations

import hashlib
from typing import Any


class OutOfStock(Exception):  # the class name is the ASL error name the workflow catches
    """Raised for an item called "unobtainium"."""


class CardDeclined(Exception):  # likewise
    """Raised for an order whose total is over 1000."""


def reserve_stock(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "unobtainium" in event.get("items", []):
        raise OutOfStock("unobtainium is out of stock")
    return {"reservationId": "r-" + _digest(event["orderId"])}


def charge_card(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event["amount"] > 1000:
        raise CardDeclined(f"{event['amount']} is over the card limit")
    return {"chargeId": "c-" + _digest(event["orderId"])}


def release_stock(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"released": event}


def get_profile(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"customerId": event["customerId"], "name": f"Customer {event['customerId']}"}


def list_orders(event: dict[str, Any], context: Any) -> list[str]:
    return [f"o-{event['customerId']}-{n}" for n in range(2)]


def credit_score(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"score": 600 + event["customerId"] % 200}


def resize_image(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"key": event["key"], "bytes": event["width"] * 10}


FUNCTIONS = {
    "reserve-stock": "examples.tasks:reserve_stock",
    "charge-card": "examples.tasks:charge_card",
    "release-stock": "examples.tasks:release_stock",
    "get-profile": "examples.tasks:get_profile",
    "list-orders": "examples.tasks:list_orders",
    "credit-score": "examples.tasks:credit_score",
    "resize-image": "examples.tasks:resize_image",
}
"""Name to handler, as `segue dev --functions` takes them."""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]
