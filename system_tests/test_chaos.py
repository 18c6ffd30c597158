"""Chaos: every worker killed mid-saga, a long broker outage under load, PostgreSQL restarted under
load, an oversell storm across several products, and every event of many sagas delivered twice in
a shuffled order. After each, the cross-service invariants (invariants.py) must hold.

RabbitMQ and PostgreSQL are the machine's own: each fault is undone in a ``finally``.
"""

import json
import random
import subprocess
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from system_tests.bus import republish, wait_for_queues_to_drain
from system_tests.invariants import assert_invariants, unpublished_events
from system_tests.shop import ADDRESS, FINAL
from system_tests.stack import SERVICES, wait_until

pytestmark = pytest.mark.slow

BROKER_OUTAGE_SECONDS = 20
SERVICE_UNAVAILABLE = "service_unavailable"


# -- helpers --------------------------------------------------------------------------------------
def _checkout(shop, customer, items, *, token="tok_visa", key=None):
    """A checkout of several lines: ``items`` is ``[(product_id, quantity), ...]``."""
    body = {
        "items": [{"product_id": p, "quantity": q} for p, q in items],
        "shipping_address": ADDRESS,
        "payment_token": token,
    }
    return requests.post(
        f"{shop.stack.url('order')}/api/orders/",
        json=body,
        headers={**customer, "Idempotency-Key": key or str(uuid.uuid4())},
        timeout=30,
    )


def _checkout_all(shop, requests_to_place):
    """``[(customer, items, token), ...]`` placed concurrently; the responses in the same order."""
    with ThreadPoolExecutor(max_workers=25) as pool:
        return list(pool.map(lambda r: _checkout(shop, r[0], r[1], token=r[2]), requests_to_place))


def _final_statuses(stack, order_ids, *, timeout=180):
    """``{order_id: (status, cancel_reason)}`` once every order is final."""

    def final():
        rows = stack.sql(
            'SELECT id::text, status, cancel_reason FROM "order".orders_order WHERE id = ANY(%s::uuid[])',
            [list(order_ids)],
        )
        return len(rows) == len(order_ids) and all(status in FINAL for _, status, _ in rows) and rows

    return {
        order_id: (status, reason)
        for order_id, status, reason in wait_until(
            final, timeout=timeout, message=f"{len(order_ids)} orders to reach a final status"
        )
    }


def _staff_patch_product(shop, product_id, **changes):
    response = requests.patch(
        f"{shop.stack.url('product')}/api/products/{product_id}/", json=changes, headers=shop.staff, timeout=10
    )
    response.raise_for_status()
    return response.json()


def _staff_new_product(shop, *, price="10.00"):
    response = requests.post(
        f"{shop.stack.url('product')}/api/products/",
        headers=shop.staff,
        timeout=10,
        json={"sku": f"CHAOS-{uuid.uuid4().hex[:10]}", "name": "Chaos widget", "price": price, "currency": "USD"},
    )
    response.raise_for_status()
    return response.json()["id"]


def _register(shop):
    email = f"chaos-{uuid.uuid4().hex[:10]}@example.com"
    response = requests.post(
        f"{shop.stack.url('user')}/api/auth/register/",
        json={"email": email, "password": "a-Strong-passw0rd"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["id"]


# -- workers killed --------------------------------------------------------------------------------
def test_every_services_worker_killed_mid_saga_finishes_every_saga_after_restart(stack, shop):
    product = shop.product(price="7.00", stock=30)
    renamed, customers = shop.product(price="3.00", stock=0), [shop.customer() for _ in range(2)]
    # Given product and user events in flight while their workers die ...
    _staff_patch_product(shop, renamed, name="Renamed while the worker died")
    new_product = _staff_new_product(shop)
    new_user = _register(shop)
    # ... and ten sagas in flight
    responses = _checkout_all(shop, [(customers[i % 2], [(product, 1)], "tok_visa") for i in range(10)])

    # When every service's worker is SIGKILLed at once, then started again
    for service in SERVICES:
        stack.kill_worker(service)
    for service in SERVICES:
        stack.start_worker(service)

    # Then every saga finishes, and every event reached its consumers
    assert [response.status_code for response in responses] == [201] * 10
    finals = _final_statuses(stack, [response.json()["id"] for response in responses])
    assert set(finals.values()) == {("confirmed", None)}
    shop.wait_stock(product, on_hand=20, reserved=0)
    wait_until(
        lambda: (
            stack.sql('SELECT name FROM "order".cart_catalogvariant WHERE product_id = %s', [renamed])
            == [("Renamed while the worker died",)]
        ),
        message="order to learn the new name",
    )
    wait_until(lambda: shop.stock(new_product) is not None, message="inventory to learn the new product")
    wait_until(
        lambda: stack.sql('SELECT 1 FROM "order".cart_catalogvariant WHERE product_id = %s', [new_product]),
        message="order to learn the new product",
    )
    wait_until(
        lambda: stack.sql(
            "SELECT 1 FROM \"user\".ecom_common_outboxevent WHERE type = 'user.registered' "
            "AND envelope->'data'->>'user_id' = %s AND published_at IS NOT NULL",
            [new_user],
        ),
        message="user.registered to be published",
    )
    assert_invariants(stack)


# -- broker outage -------------------------------------------------------------------------------
def test_fifty_checkouts_during_a_long_broker_outage_all_complete_with_no_event_lost(stack, shop):
    first, second = shop.product(price="4.00", stock=40), shop.product(price="6.00", stock=40)
    customers = [shop.customer() for _ in range(5)]
    placing = [
        (
            customers[i % 5],
            [(first, 1), (second, 1)] if i % 3 == 0 else [(first if i % 2 else second, 1)],
            "tok_chargeDeclined" if i % 10 == 9 else "tok_visa",
        )
        for i in range(50)
    ]

    stopped_at = time.monotonic()
    subprocess.run(["rabbitmqctl", "-q", "stop_app"], check=True)
    try:
        responses = _checkout_all(shop, placing)
        waiting = stack.sql('SELECT count(*) FROM "order".ecom_common_outboxevent WHERE published_at IS NULL')[0][0]
        time.sleep(max(0.0, BROKER_OUTAGE_SECONDS - (time.monotonic() - stopped_at)))
    finally:
        subprocess.run(["rabbitmqctl", "-q", "start_app"], check=True)

    assert [response.status_code for response in responses] == [201] * 50
    assert waiting >= 50
    order_ids = [response.json()["id"] for response in responses]
    finals = _final_statuses(stack, order_ids, timeout=240)
    expected = {
        order_id: ("cancelled", "payment_declined") if token == "tok_chargeDeclined" else ("confirmed", None)
        for order_id, (_, _, token) in zip(order_ids, placing, strict=True)
    }
    assert finals == expected
    wait_until(lambda: not unpublished_events(stack), timeout=90, message="every outbox to be published")
    # No event lost or doubled: one order.created per order, one payment per order, a reservation per line.
    created = Counter(
        row[0]
        for row in stack.sql(
            "SELECT envelope->'data'->>'order_id' FROM \"order\".ecom_common_outboxevent "
            "WHERE type = 'order.created' AND envelope->'data'->>'order_id' = ANY(%s)",
            [order_ids],
        )
    )
    payments = Counter(
        row[0]
        for row in stack.sql(
            "SELECT order_id::text FROM payment.payments_payment WHERE order_id = ANY(%s::uuid[])", [order_ids]
        )
    )
    reservations = Counter(
        row[0]
        for row in stack.sql(
            "SELECT order_id::text FROM inventory.stock_reservation WHERE order_id = ANY(%s::uuid[])", [order_ids]
        )
    )
    approved = stack.sql(
        "SELECT count(*) FROM payment.payments_sandboxcharge c JOIN payment.payments_payment p "
        "ON c.idempotency_key = p.id::text WHERE c.is_approved AND p.order_id = ANY(%s::uuid[])",
        [order_ids],
    )[0][0]
    assert created == Counter(dict.fromkeys(order_ids, 1))
    assert payments == Counter(dict.fromkeys(order_ids, 1))
    assert reservations == Counter(
        {order_id: len(items) for order_id, (_, items, _) in zip(order_ids, placing, strict=True)}
    )
    assert approved == 45
    sold = {
        p: sum(q for (_, items, token) in placing if token == "tok_visa" for product, q in items if product == p)
        for p in (first, second)
    }
    shop.wait_stock(first, on_hand=40 - sold[first], reserved=0)
    shop.wait_stock(second, on_hand=40 - sold[second], reserved=0)
    assert_invariants(stack)


# -- database restart --------------------------------------------------------------------------------
def _restart_postgresql(down_seconds: float) -> None:
    version = sorted(Path("/etc/postgresql").iterdir())[-1].name
    ctl = ["pg_ctlcluster", "--skip-systemctl-redirect", "--mode=fast", version, "main"]
    subprocess.run([*ctl, "stop"], check=True, capture_output=True)
    try:
        time.sleep(down_seconds)
    finally:
        subprocess.run([*ctl, "start"], check=True, capture_output=True)


class _Load(threading.Thread):
    """Keeps sending reads and checkouts; records every answer (or transport error)."""

    def __init__(self, shop, customer, product):
        super().__init__(daemon=True)
        self.shop, self.customer, self.product = shop, customer, product
        self.answers, self.checkouts, self.stopping = [], [], threading.Event()

    def _record(self, response, *, key=None):
        self.answers.append(
            (
                response.request.method,
                response.url,
                response.status_code,
                response.headers.get("Content-Type", ""),
                response.text,
            )
        )
        if key:
            self.checkouts.append(
                (key, response.status_code, response.json().get("id") if response.status_code == 201 else None)
            )

    def run(self):
        stack = self.shop.stack
        while not self.stopping.is_set():
            try:
                self._record(requests.get(f"{stack.url('product')}/api/products/", timeout=15))
                self._record(requests.get(f"{stack.url('order')}/api/orders/", headers=self.customer, timeout=15))
                self._record(requests.get(f"{stack.url('inventory')}/api/inventory/{self.product}/", timeout=15))
                key = str(uuid.uuid4())
                self._record(_checkout(self.shop, self.customer, [(self.product, 1)], key=key), key=key)
            except requests.RequestException as exc:
                self.answers.append(("?", "?", None, "", repr(exc)))
            time.sleep(0.05)


def test_postgresql_restarted_under_load_answers_503_then_recovers_without_a_restart(stack, shop, customer):
    product = shop.product(price="2.00", stock=500)
    web_pids = {service: process.pid for service, process in stack.web.items()}
    worker_pids = {service: process.pid for service, process in stack.workers.items()}
    load = _Load(shop, customer, product)
    load.start()
    try:
        wait_until(lambda: len(load.checkouts) >= 2, timeout=30, message="load to be running")
        _restart_postgresql(down_seconds=3)
        # Then the services answer again, on their own
        wait_until(
            lambda: any(a[2] == 201 for a in load.answers[-8:]) and all(a[2] in (200, 201) for a in load.answers[-4:]),
            timeout=60,
            message="requests to succeed again",
        )
    finally:
        load.stopping.set()
        load.join(timeout=60)

    statuses = Counter(answer[2] for answer in load.answers)
    unavailable = [answer for answer in load.answers if answer[2] == 503]
    assert set(statuses) <= {200, 201, 503}, [a for a in load.answers if a[2] not in (200, 201, 503)][:3]
    assert unavailable, "the restart went unnoticed: no request failed"
    for _method, url, _status, content_type, text in unavailable:
        assert content_type == "application/json", (url, text[:300])
        body = json.loads(text)
        assert body["type"] == "server_error" and [e["code"] for e in body["errors"]] == [SERVICE_UNAVAILABLE]
    # No process was restarted
    assert {service: process.pid for service, process in stack.web.items()} == web_pids
    assert {service: process.pid for service, process in stack.workers.items()} == worker_pids
    assert all(process.poll() is None for process in [*stack.web.values(), *stack.workers.values()])
    # A checkout refused with 503 is safe to retry with its key; every placed saga completes.
    retried = [
        _checkout(shop, customer, [(product, 1)], key=key) for key, status, _ in load.checkouts if status == 503
    ]
    assert [response.status_code for response in retried] == [201] * len(retried)
    order_ids = {order_id for _, status, order_id in load.checkouts if status == 201}
    order_ids |= {response.json()["id"] for response in retried}
    after = [shop.place(customer, product, quantity=1)["id"] for _ in range(3)]
    finals = _final_statuses(stack, [*order_ids, *after], timeout=240)
    assert {finals[order_id] for order_id in after} == {("confirmed", None)}
    assert {status for status, _ in finals.values()} <= {"confirmed", "cancelled"}
    assert_invariants(stack, timeout=180)


# -- oversell storm ------------------------------------------------------------------------------
def test_a_hundred_concurrent_checkouts_for_twenty_units_in_two_warehouses_confirm_exactly_twenty(stack, shop):
    # Each product's 5 units: 3 in one warehouse, 2 in another, so reservations split across them.
    first, second = shop.warehouse(priority=0), shop.warehouse(priority=1)
    products = [shop.product(price="9.00", stock=0) for _ in range(4)]
    for product in products:
        shop.put_stock(product, 3, warehouse=first)
        shop.put_stock(product, 2, warehouse=second)
    customers = [shop.customer() for _ in range(5)]
    # Eight single-unit orders per product make each product sell out whatever the interleaving:
    # one of them fails only when nothing is left.
    baskets = [[(p, 1)] for p in products for _ in range(8)]
    baskets += [[(p, 2)] for p in products for _ in range(8)]
    baskets += [[(products[i % 4], 1 + i % 2), (products[(i + 1) % 4], 1 + (i // 2) % 2)] for i in range(36)]
    random.shuffle(baskets)

    responses = _checkout_all(shop, [(customers[i % 5], basket, "tok_visa") for i, basket in enumerate(baskets)])

    assert [response.status_code for response in responses] == [201] * 100
    order_ids = [response.json()["id"] for response in responses]
    finals = _final_statuses(stack, order_ids, timeout=240)
    assert set(finals.values()) <= {("confirmed", None), ("cancelled", "out_of_stock")}
    confirmed_units = Counter()
    for order_id, basket in zip(order_ids, baskets, strict=True):
        if finals[order_id][0] == "confirmed":
            confirmed_units.update(dict(basket))
    assert confirmed_units == Counter(dict.fromkeys(products, 5))
    for product in products:
        assert shop.wait_stock(product, on_hand=0, reserved=0)["available"] == 0
    movements = stack.sql(
        "SELECT variant_id::text, sum(on_hand_delta), sum(reserved_delta), min(on_hand_delta) FROM "
        "inventory.stock_stockmovement WHERE variant_id = ANY(%s::uuid[]) GROUP BY variant_id",
        [products],
    )
    assert sorted((p, on_hand, reserved) for p, on_hand, reserved, _ in movements) == sorted(
        (p, 0, 0) for p in products
    )
    # Both warehouses sold out, each unit from where it was.
    parts = stack.sql(
        "SELECT w.code, sum(s.on_hand), sum(s.reserved), count(*) FROM inventory.stock_warehousestock s "
        "JOIN inventory.stock_warehouse w ON w.id = s.warehouse_id WHERE s.variant_id = ANY(%s::uuid[]) GROUP BY w.code",
        [products],
    )
    assert sorted(parts) == sorted([(first, 0, 0, 4), (second, 0, 0, 4)])
    committed = stack.sql(
        "SELECT w.code, sum(a.quantity) FROM inventory.stock_reservationallocation a "
        "JOIN inventory.stock_reservation r ON r.id = a.reservation_id "
        "JOIN inventory.stock_warehouse w ON w.id = a.warehouse_id "
        "WHERE r.variant_id = ANY(%s::uuid[]) AND r.status = 'committed' GROUP BY w.code",
        [products],
    )
    assert sorted(committed) == sorted([(first, 12), (second, 8)])
    assert_invariants(stack)


# -- every event twice, shuffled -----------------------------------------------------------------------
def _outbox_ids(stack):
    return {row[0] for service in SERVICES for row in stack.sql(f'SELECT id FROM "{service}".ecom_common_outboxevent')}


def _new_envelopes(stack, before):
    envelopes = []
    for service in SERVICES:
        envelopes += [
            envelope
            for event_id, envelope in stack.sql(f'SELECT id, envelope FROM "{service}".ecom_common_outboxevent')
            if event_id not in before
        ]
    return envelopes


SKIPPED_TABLES = {"django_session", "django_migrations"}


def _snapshot(stack):
    """Every row of every table of every service's schema."""
    snapshot = {}
    for schema, table in stack.sql(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
        "AND table_schema = ANY(%s) ORDER BY 1, 2",
        [list(SERVICES)],
    ):
        if table not in SKIPPED_TABLES:
            snapshot[f"{schema}.{table}"] = sorted(map(repr, stack.sql(f'SELECT * FROM "{schema}"."{table}"')))
    return snapshot


def test_every_event_of_many_sagas_delivered_twice_in_shuffled_order_changes_nothing(stack, shop):
    assert_invariants(stack)
    before_ids = _outbox_ids(stack)
    customer = shop.customer()
    _register(shop)
    product, other = shop.product(price="11.00", stock=6), shop.product(price="13.00", stock=1)
    _staff_patch_product(shop, product, name="Renamed widget")
    gone = shop.product(price="1.00", stock=0)
    requests.delete(f"{stack.url('product')}/api/products/{gone}/", headers=shop.staff, timeout=10).raise_for_status()
    placed = [
        shop.place(customer, product, quantity=2)["id"],  # confirmed
        shop.place(customer, product, quantity=1, token="tok_chargeDeclined")["id"],  # payment_declined
        shop.place(customer, other, quantity=2)["id"],  # out_of_stock
        _checkout(shop, customer, [(product, 1), (other, 1)]).json()["id"],  # confirmed, two lines
    ]
    to_cancel = shop.place(customer, product, quantity=1)["id"]
    assert shop.final_order(customer, to_cancel)["status"] == "confirmed"
    assert shop.cancel(customer, to_cancel).status_code == 200  # refunded, restocked
    _final_statuses(stack, [*placed, to_cancel])
    assert_invariants(stack)
    wait_for_queues_to_drain(stack, timeout=60, message="the queues to drain")
    wait_until(
        lambda: not stack.sql("SELECT 1 FROM notification.notifications_message WHERE status = 'queued' LIMIT 1"),
        timeout=60,
        message="every mail of those sagas sent",
    )
    envelopes = _new_envelopes(stack, before_ids)
    before = _snapshot(stack)

    twice = envelopes * 2
    random.shuffle(twice)
    republish(stack, twice)
    wait_for_queues_to_drain(stack, timeout=120, message="the duplicates to be consumed")

    types = {envelope["type"] for envelope in envelopes}
    assert {
        "user.registered",
        "product.created",
        "product.updated",
        "product.deleted",
        "order.created",
        "inventory.reserved",
        "order.payment_requested",
        "inventory.reservation_failed",
        "inventory.committed",
        "inventory.released",
        "payment.succeeded",
        "payment.failed",
        "payment.refunded",
        "order.confirmed",
        "order.cancelled",
    } <= types
    assert _snapshot(stack) == before
    assert_invariants(stack)
