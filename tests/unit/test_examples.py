"""The example workflows in statemachine/ validate and run as their comments say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from segue.asl import Failed, diagnose
from tests.unit.helpers import output_of, run

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "statemachine").glob("*.asl.json"))
LAMBDA = "arn:aws:states:::lambda:invoke"


def definition(name: str) -> dict:
    return json.loads((EXAMPLES[0].parent / name).read_text())


def test_there_are_at_least_three_examples():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_validate_cleanly(path):
    assert diagnose(path.read_bytes())[1] == []


def orders(declined: bool = False):
    def invoke(parameters):
        name, payload = parameters["FunctionName"], parameters["Payload"]
        if name == "charge-card" and declined:
            return Failed("CardDeclined", "insufficient funds")
        results = {"reserve-stock": {"reservationId": "r-1"}, "charge-card": {"chargeId": "c-1"}}
        return {"Payload": results.get(name, payload), "StatusCode": 200}

    return {LAMBDA: invoke}


def test_order_flow_confirms_a_good_order():
    order = {"orderId": "o-1", "items": ["book"], "total": 12}
    assert output_of(definition("order.asl.json"), order, tasks=orders()) == {
        "orderId": "o-1",
        "status": "CONFIRMED",
        "chargeId": "c-1",
        "message": "Order o-1 confirmed",
    }


def test_order_flow_releases_stock_when_the_card_is_declined():
    order = {"orderId": "o-2", "items": ["book"], "total": 12}
    execution = run(definition("order.asl.json"), order, tasks=orders(declined=True))
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED",
        "OrderRejected",
        "Order o-2 could not be placed",
    )


def test_fanout_merges_three_lookups_and_survives_a_missing_score():
    def invoke(parameters):
        if parameters["FunctionName"] == "credit-score":
            return Failed("Unavailable")
        return {"Payload": {"from": parameters["FunctionName"]}}

    assert output_of(definition("fanout.asl.json"), {"customerId": 7}, tasks={LAMBDA: invoke}) == {
        "profile": {"from": "get-profile"},
        "orders": {"from": "list-orders"},
        "score": None,
    }


def test_batch_resizes_every_item_within_the_failure_tolerance():
    def invoke(parameters):
        item = parameters["Payload"]
        return {"Payload": {"key": item["key"], "bytes": item["width"] * 10}}

    keys = [f"img-{n}.png" for n in range(5)]
    output = output_of(
        definition("batch.asl.json"),
        {"bucket": "b", "width": 64, "keys": keys},
        tasks={LAMBDA: invoke},
    )
    assert output["count"] == 5 and output["resized"][0] == {"key": "img-0.png", "bytes": 640}


CART = {
    "orderId": "o-3",
    "lines": [{"sku": "book", "qty": 2, "price": 9.5}, {"sku": "pen", "qty": 3, "price": 1.2}],
}


def test_checkout_in_jsonata_prices_reserves_and_charges():
    assert output_of(definition("checkout.asl.json"), CART, tasks=orders()) == {
        "orderId": "o-3",
        "status": "PAID",
        "total": 22.6,
        "lines": 2,
        "chargeId": "c-1",
        "reservationId": "r-1",
    }


def test_checkout_in_jsonata_releases_the_stock_when_the_card_is_declined():
    execution = run(definition("checkout.asl.json"), CART, tasks=orders(declined=True))
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED",
        "CheckoutDeclined",
        "Order o-3: the card was declined",
    )
