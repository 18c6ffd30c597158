"""What the saga survives: redelivered events, killed workers, a stopped broker, a stampede on
the last units, and a handler that keeps failing."""

import os
import random
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests
from kombu import Connection

from system_tests.bus import republish, saga_events, saga_state, wait_for_queues_to_drain
from system_tests.stack import RABBIT, wait_until

pytestmark = pytest.mark.slow


def test_every_event_delivered_again_in_shuffled_order_changes_nothing(stack, shop, customer):
    product = shop.product(stock=5)
    order = shop.place(customer, product, quantity=2)
    assert shop.final_order(customer, order["id"])["status"] == "confirmed"
    shop.wait_stock(product, on_hand=3, reserved=0)
    events = saga_events(stack, order["id"])
    before = saga_state(stack, order["id"])

    republish(stack, random.sample(events, len(events)))
    # Wait until every service has seen the duplicates: each inbox has skipped them.
    wait_for_queues_to_drain(stack, timeout=60, message="duplicates to be consumed")

    assert len(events) >= 5  # created, reserved, succeeded, confirmed, committed
    assert saga_state(stack, order["id"]) == before
    assert shop.stock(product)["on_hand"] == 3


def test_workers_killed_mid_saga_finish_after_restart(stack, shop):
    product = shop.product(stock=20)
    customers = [shop.customer() for _ in range(5)]
    orders = [shop.place(customer, product, quantity=1) for customer in customers]

    for service in ("inventory", "payment", "order"):
        stack.kill_worker(service, signal.SIGKILL)
    for service in ("inventory", "payment", "order"):
        stack.start_worker(service)

    finals = [shop.final_order(customer, order["id"]) for customer, order in zip(customers, orders, strict=True)]
    assert [final["status"] for final in finals] == ["confirmed"] * 5
    for customer, order in zip(customers, orders, strict=True):
        assert [p["status"] for p in shop.settled_payments(customer, order["id"], {"succeeded"})] == ["succeeded"]
    shop.wait_stock(product, on_hand=15, reserved=0)


def test_checkouts_during_a_broker_outage_complete_once_it_is_back(stack, shop):
    product = shop.product(stock=10)
    customers = [shop.customer() for _ in range(5)]
    subprocess.run(["rabbitmqctl", "-q", "stop_app"], check=True)
    try:
        responses = [shop.checkout(customer, product, quantity=1) for customer in customers]
        waiting = stack.sql('SELECT count(*) FROM "order".ecom_common_outboxevent WHERE published_at IS NULL')[0][0]
    finally:
        subprocess.run(["rabbitmqctl", "-q", "start_app"], check=True)

    assert [response.status_code for response in responses] == [201] * 5
    assert waiting >= 5
    finals = [shop.final_order(c, r.json()["id"], timeout=180) for c, r in zip(customers, responses, strict=True)]
    assert [(final["status"], final["cancel_reason"]) for final in finals] == [("confirmed", None)] * 5
    wait_until(
        lambda: (
            stack.sql(
                'SELECT count(*) FROM (SELECT id FROM "order".ecom_common_outboxevent WHERE published_at IS NULL UNION ALL '
                "SELECT id FROM inventory.ecom_common_outboxevent WHERE published_at IS NULL UNION ALL "
                "SELECT id FROM payment.ecom_common_outboxevent WHERE published_at IS NULL) e"
            )[0][0]
            == 0
        ),
        message="every outbox to be empty",
    )
    shop.wait_stock(product, on_hand=5, reserved=0)


def test_fifty_concurrent_checkouts_for_ten_units_confirm_exactly_ten(stack, shop):
    product = shop.product(price="5.00", stock=10)
    customers = [shop.customer() for _ in range(50)]

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(lambda c: shop.checkout(c, product, quantity=1), customers))
    assert [response.status_code for response in responses] == [201] * 50
    finals = [shop.final_order(c, r.json()["id"], timeout=180) for c, r in zip(customers, responses, strict=True)]

    statuses = sorted(final["status"] for final in finals)
    assert statuses.count("confirmed") == 10
    assert statuses.count("cancelled") == 40
    assert {final["cancel_reason"] for final in finals if final["status"] == "cancelled"} == {"out_of_stock"}
    assert shop.wait_stock(product, on_hand=0, reserved=0)["available"] == 0
    charged = stack.sql(
        "SELECT count(*) FROM payment.payments_payment WHERE status = 'succeeded' AND order_id = ANY(%s::uuid[])",
        [[final["id"] for final in finals]],
    )[0][0]
    assert charged == 10


def test_a_handler_that_keeps_failing_is_dead_lettered_and_replayable(stack, shop, customer):
    product = shop.product(stock=3)
    stack.execute('REVOKE INSERT ON "inventory".stock_reservation FROM ecom_inventory')
    try:
        order = shop.place(customer, product, quantity=1)
        dead = wait_until(
            lambda: stack.sql(
                "SELECT id, handler, attempts FROM inventory.ecom_common_deadletter WHERE event_type = 'order.created' "
                "AND envelope->'data'->>'order_id' = %s AND replayed_at IS NULL",
                [order["id"]],
            ),
            timeout=60,
            message="the failing handler's dead letter",
        )
    finally:
        stack.execute('GRANT INSERT ON "inventory".stock_reservation TO ecom_inventory')
    assert shop.order(customer, order["id"])["status"] == "pending"
    assert dead[0][2] == 4  # the first try and EVENT_HANDLER_MAX_RETRIES=3 retries

    listing = stack.manage("inventory", "dead_letters", "list")
    stack.manage("inventory", "dead_letters", "replay", str(dead[0][0]))

    assert str(dead[0][0]) in listing
    assert shop.final_order(customer, order["id"])["status"] == "confirmed"
    shop.wait_stock(product, on_hand=2, reserved=0)


def test_an_order_not_paid_before_its_deadline_is_cancelled_and_nothing_is_kept(stack, shop, customer):
    product = shop.product(stock=3)
    payment_worker = stack.workers["payment"]
    os.killpg(payment_worker.pid, signal.SIGSTOP)  # the payment side stalls
    try:
        order = shop.place(customer, product, quantity=1)
        shop.wait_stock(product, reserved=1)
        stack.execute('UPDATE "order".orders_checkoutsaga SET deadline = now() WHERE order_id = %s', [order["id"]])
        final = shop.final_order(customer, order["id"])
    finally:
        os.killpg(payment_worker.pid, signal.SIGCONT)

    assert (final["status"], final["cancel_reason"]) == ("cancelled", "payment_timeout")
    shop.wait_stock(product, on_hand=3, reserved=0)
    wait_until(
        lambda: (
            (p := shop.payments(customer, order["id"]))
            and all(x["status"] != "succeeded" and x["status"] != "processing" for x in p)
            and p
        ),
        timeout=60,
        message="the payment to be voided or refunded",
    )


def test_a_message_that_is_not_an_event_is_dead_lettered_by_the_broker(stack):
    with Connection(f"amqp://guest:guest@{RABBIT}/{stack.vhost}") as connection:
        connection.Producer().publish(
            {"not": "an event"}, exchange="order.events", routing_key="order.cancelled", serializer="json"
        )

    # Both consumers of order.cancelled refuse it; RabbitMQ dead-letters it; the drain records it.
    for schema in ("inventory", "payment"):
        rows = wait_until(
            lambda s=schema: stack.sql(
                f"SELECT handler, envelope, error FROM {s}.ecom_common_deadletter WHERE envelope->'body' IS NOT NULL "
                "OR envelope->>'not' = 'an event'"
            ),
            timeout=60,
            message=f"{schema} to record the refused message",
        )
        handler, envelope, error = rows[0]
        assert handler == "event_consumer"
        assert envelope["not"] == "an event"
        assert "rejected" in error


@contextmanager
def _payment_stalled(stack):
    """The payment worker stops taking work (SIGSTOP) until the block ends."""
    payment_worker = stack.workers["payment"]
    os.killpg(payment_worker.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(payment_worker.pid, signal.SIGCONT)


def _place_and_let_the_reservation_lapse(stack, shop, customer, product) -> dict:
    """An order whose reservation inventory's safety expiry returns before payment charges it."""
    order = shop.place(customer, product, quantity=1)
    shop.wait_stock(product, reserved=1)
    stack.execute('UPDATE "inventory".stock_reservation SET expires_at = now() WHERE order_id = %s', [order["id"]])
    shop.wait_stock(product, reserved=0)
    return order


def test_a_paid_order_whose_reservation_lapsed_still_commits_its_units(stack, shop, customer):
    product = shop.product(stock=3)
    with _payment_stalled(stack):
        order = _place_and_let_the_reservation_lapse(stack, shop, customer, product)

    final = shop.final_order(customer, order["id"])

    assert final["status"] == "confirmed"
    shop.wait_stock(product, on_hand=2, reserved=0)
    assert stack.sql("SELECT status FROM inventory.stock_reservation WHERE order_id = %s", [order["id"]]) == [
        ("committed",)
    ]


def test_a_paid_order_whose_lapsed_units_are_gone_is_refunded_and_cancelled_out_of_stock(stack, shop, customer):
    product = shop.product(stock=1)
    with _payment_stalled(stack):
        order = _place_and_let_the_reservation_lapse(stack, shop, customer, product)
        # Meanwhile staff take the unit away (a count found it broken, say).
        requests.post(
            f"{stack.url('inventory')}/api/inventory/{product}/adjust/",
            headers=shop.staff,
            json={"delta": -1, "reason": "broken in the warehouse"},
            timeout=10,
        ).raise_for_status()

    final = wait_until(
        lambda: (o := shop.order(customer, order["id"]))["status"] == "cancelled" and o,
        timeout=90,
        message="the paid order to be cancelled for missing stock",
    )

    assert (final["cancel_reason"], [step["status"] for step in final["status_history"]]) == (
        "out_of_stock",
        ["pending", "confirmed", "cancelled"],
    )
    assert [p["status"] for p in shop.settled_payments(customer, order["id"], {"refunded"})] == ["refunded"]
    shop.wait_stock(product, on_hand=0, reserved=0)
