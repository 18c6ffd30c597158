"""The order after checkout, across real processes: shipped, delivered, part of it returned and
refunded to the cent with the units back on the shelf, and every lifecycle event harmless twice."""

import random
from decimal import Decimal

import pytest
import requests

from system_tests.bus import republish, saga_events, saga_state, wait_for_queues_to_drain
from system_tests.invariants import assert_invariants
from system_tests.stack import SERVICES, wait_until

pytestmark = pytest.mark.slow


def _post(shop, path: str, headers: dict, body: dict | None = None) -> requests.Response:
    return requests.post(f"{shop.stack.url('order')}/api/orders/{path}", json=body or {}, headers=headers, timeout=10)


def _delivered_order(shop, customer, product, quantity: int) -> dict:
    order = shop.place(customer, product, quantity=quantity)
    assert shop.final_order(customer, order["id"])["status"] == "confirmed"
    shipped = _post(shop, f"{order['id']}/ship/", shop.staff, {"carrier": "DHL", "tracking_number": "JD014600006"})
    assert shipped.status_code == 200, shipped.text
    delivered = _post(shop, f"{order['id']}/deliver/", shop.staff)
    assert delivered.status_code == 200, delivered.text
    return delivered.json()


def test_an_order_goes_to_delivered_and_cannot_be_cancelled_once_shipped(stack, shop, customer):
    product = shop.product(price="12.50", stock=5)
    order = shop.place(customer, product, quantity=2)
    shop.final_order(customer, order["id"])

    shipped = _post(shop, f"{order['id']}/ship/", shop.staff, {"carrier": "DHL", "tracking_number": "JD014600006"})
    cancel = shop.cancel(customer, order["id"])
    delivered = _post(shop, f"{order['id']}/deliver/", shop.staff)

    assert (shipped.json()["status"], shipped.json()["shipment"]["tracking_number"]) == ("shipped", "JD014600006")
    assert cancel.status_code == 409
    assert cancel.json()["errors"][0]["detail"] == "This order is shipped: it cannot be cancelled, return it instead."
    body = delivered.json()
    assert [step["status"] for step in body["status_history"]] == ["pending", "confirmed", "shipped", "delivered"]
    assert body["delivered_at"] is not None
    shop.wait_stock(product, on_hand=3, reserved=0)
    assert [p["status"] for p in shop.payments(customer, order["id"])] == ["succeeded"]


def test_part_of_an_order_returned_is_refunded_to_the_cent_and_restocked(stack, shop, customer):
    product = shop.product(price="19.99", stock=5)
    order = _delivered_order(shop, customer, product, quantity=3)
    line = order["items"][0]["id"]

    requested = _post(
        shop, f"{order['id']}/returns/", customer, {"lines": [{"line_id": line, "quantity": 2}], "reason": "too big"}
    )
    too_many = _post(shop, f"{order['id']}/returns/", customer, {"lines": [{"line_id": line, "quantity": 2}]})
    received = _post(shop, f"{order['id']}/returns/{requested.json()['id']}/receive/", shop.staff)

    assert (requested.status_code, requested.json()["refund_amount"], requested.json()["status"]) == (
        201,
        "39.98",
        "requested",
    )
    assert too_many.status_code == 400
    assert received.json()["status"] == "received"
    [payment] = shop.settled_payments(customer, order["id"], {"partially_refunded"})
    assert (payment["amount"], payment["refunded_amount"]) == ("59.97", "39.98")
    final = wait_until(
        lambda: (o := shop.order(customer, order["id"]))["refunded_total"] == "39.98" and o,
        timeout=60,
        message="the order to record the refund",
    )
    assert final["status"] == "delivered"
    returns = requests.get(
        f"{stack.url('order')}/api/orders/{order['id']}/returns/", headers=customer, timeout=10
    ).json()
    assert [(r["status"], r["refund_amount"]) for r in returns["results"]] == [("refunded", "39.98")]
    shop.wait_stock(product, on_hand=4, reserved=0)  # 5 - 3 sold + 2 back
    assert stack.sql(
        "SELECT kind, on_hand_delta, reason FROM inventory.stock_stockmovement WHERE order_id = %s AND kind = 'restock'",
        [order["id"]],
    ) == [("restock", 2, "returned: too big")]
    assert_invariants(stack)


def test_an_order_returned_in_full_is_returned_and_refunded_in_full(stack, shop, customer):
    product = shop.product(price="7.35", stock=3)
    order = _delivered_order(shop, customer, product, quantity=3)

    first = _post(
        shop, f"{order['id']}/returns/", customer, {"lines": [{"line_id": order["items"][0]["id"], "quantity": 1}]}
    )
    rest = _post(
        shop, f"{order['id']}/returns/", customer, {"lines": [{"line_id": order["items"][0]["id"], "quantity": 2}]}
    )
    for order_return in (first.json(), rest.json()):
        _post(shop, f"{order['id']}/returns/{order_return['id']}/receive/", shop.staff)

    final = wait_until(
        lambda: (o := shop.order(customer, order["id"]))["status"] == "returned" and o,
        timeout=60,
        message="the order to be returned",
    )
    assert Decimal(final["refunded_total"]) == Decimal(final["total"]) == Decimal("22.05")
    [payment] = shop.settled_payments(customer, order["id"], {"refunded"})
    assert payment["refunded_amount"] == "22.05"
    shop.wait_stock(product, on_hand=3, reserved=0)


def test_every_lifecycle_event_delivered_twice_in_shuffled_order_changes_nothing(stack, shop, customer):
    product = shop.product(price="3.10", stock=6)
    order = _delivered_order(shop, customer, product, quantity=4)
    order_return = _post(
        shop, f"{order['id']}/returns/", customer, {"lines": [{"line_id": order["items"][0]["id"], "quantity": 3}]}
    ).json()
    _post(shop, f"{order['id']}/returns/{order_return['id']}/receive/", shop.staff)
    wait_until(lambda: shop.order(customer, order["id"])["refunded_total"] == "9.30", timeout=60, message="the refund")
    shop.wait_stock(product, on_hand=5, reserved=0)
    before = saga_state(stack, order["id"]), shop.order(customer, order["id"]), shop.stock(product)

    envelopes = saga_events(stack, order["id"]) * 2
    random.Random(7).shuffle(envelopes)
    republish(stack, envelopes)

    types = {envelope["type"] for envelope in envelopes}
    assert {
        "order.shipped",
        "order.delivered",
        "order.return_requested",
        "order.return_received",
        "payment.refunded",
    } <= types
    wait_for_queues_to_drain(stack, timeout=120, message="the duplicates to be consumed")
    assert (saga_state(stack, order["id"]), shop.order(customer, order["id"]), shop.stock(product)) == before
    assert_invariants(stack)


def test_every_worker_killed_while_returns_are_refunded_refunds_each_once_after_restart(stack, shop):
    product = shop.product(price="4.99", stock=13)
    customers = [shop.customer() for _ in range(4)]
    orders = [_delivered_order(shop, customer, product, quantity=3) for customer in customers]
    returns = [
        _post(
            shop, f"{order['id']}/returns/", customer, {"lines": [{"line_id": order["items"][0]["id"], "quantity": 2}]}
        ).json()
        for customer, order in zip(customers, orders, strict=True)
    ]
    # Another order is shipped while the workers die: order.shipped is in flight too.
    shipping_customer = shop.customer()
    in_transit = shop.place(shipping_customer, product, quantity=1)
    assert shop.final_order(shipping_customer, in_transit["id"])["status"] == "confirmed"

    # When staff receive every return and ship the order, and every worker is SIGKILLed at once
    received = [
        _post(shop, f"{o['id']}/returns/{r['id']}/receive/", shop.staff) for o, r in zip(orders, returns, strict=True)
    ]
    shipped = _post(shop, f"{in_transit['id']}/ship/", shop.staff, {"carrier": "UPS", "tracking_number": "1Z999"})
    for service in SERVICES:
        stack.kill_worker(service)
    for service in SERVICES:
        stack.start_worker(service)

    # Then each return is refunded exactly once and its units are back on the shelf
    assert [response.status_code for response in received] == [200] * 4
    assert shipped.json()["status"] == "shipped"
    for customer, order in zip(customers, orders, strict=True):
        wait_until(
            lambda c=customer, o=order: shop.order(c, o["id"])["refunded_total"] == "9.98",
            timeout=120,
            message="the return's refund",
        )
        [payment] = shop.settled_payments(customer, order["id"], {"partially_refunded"})
        assert (payment["amount"], payment["refunded_amount"]) == ("14.97", "9.98")
    shop.wait_stock(product, on_hand=13 - 12 - 1 + 8, reserved=0)
    refunds = stack.sql(
        'SELECT count(*), sum(amount)::text FROM "payment".payments_refund WHERE return_id = ANY(%s::uuid[])',
        [[r["id"] for r in returns]],
    )
    assert refunds == [(4, "39.92")]
    assert_invariants(stack)


def test_a_customer_reviews_a_product_once_it_was_delivered(stack, shop, customer):
    product = shop.product(price="8.00", stock=3)
    reviews = f"{stack.url('product')}/api/products/{product}/reviews/"
    order = shop.place(customer, product, quantity=1)
    assert shop.final_order(customer, order["id"])["status"] == "confirmed"

    too_early = requests.post(reviews, json={"rating": 5, "title": "Love it"}, headers=customer, timeout=10)
    _post(shop, f"{order['id']}/ship/", shop.staff, {"carrier": "DHL", "tracking_number": "JD1"})
    _post(shop, f"{order['id']}/deliver/", shop.staff)
    # order.delivered reaches the catalog through the bus: then the review is accepted.
    review = wait_until(
        lambda: (
            (
                r := requests.post(reviews, json={"rating": 5, "title": "Love it"}, headers=customer, timeout=10)
            ).status_code
            == 201
            and r
        ),
        timeout=60,
        message="the catalog to learn of the delivery",
    )
    again = requests.post(reviews, json={"rating": 1, "title": "Again"}, headers=customer, timeout=10)

    assert (too_early.status_code, too_early.json()["errors"][0]["code"]) == (403, "review_not_allowed")
    assert review.json()["rating"] == 5
    assert again.status_code == 409
    detail = requests.get(f"{stack.url('product')}/api/products/{product}/", timeout=10).json()
    assert detail["rating"] == {"average": "5.00", "count": 1}
