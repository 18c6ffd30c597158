"""The money and stock holes the lifecycle issue closed, each tried across real processes: a
charge that timed out after going through, an event RabbitMQ itself dead-lettered, a product
bought the moment staff create it, and two members of staff editing one product at once.
(The lapsed reservation's two cases are in test_reliability, the broker outage's prompt
checkout answer in its outage test, the checkout's limits in test_security and the fuzzer.)"""

import random
import signal
import uuid
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import pytest
import requests
from kombu import Connection

from system_tests.stack import RABBIT, wait_until
from system_tests.staff import admin_open

pytestmark = pytest.mark.slow


def _sandbox_charges(stack, payment_id: str) -> list[tuple]:
    """What the provider charged for the payment: (amount, approved) per charge."""
    return stack.sql(
        'SELECT amount::text, is_approved FROM "payment".payments_sandboxcharge WHERE idempotency_key = %s',
        [payment_id],
    )


# -- 2. a charge in doubt is looked up, never assumed ----------------------------------------------
def test_a_charge_that_timed_out_after_going_through_confirms_the_order_charged_once(stack, shop, customer):
    product = shop.product(price="19.99", stock=3)

    order = shop.place(customer, product, quantity=2, token="tok_timeoutAfterCharge")
    final = shop.final_order(customer, order["id"])

    assert final["status"] == "confirmed"
    [payment] = shop.settled_payments(customer, order["id"], {"succeeded"})
    assert payment["amount"] == "39.98"
    assert _sandbox_charges(stack, payment["id"]) == [("39.98", True)]


def test_cancelling_an_order_whose_charge_timed_out_after_going_through_refunds_it(stack, shop, customer):
    product = shop.product(price="7.25", stock=3)
    order = shop.place(customer, product, quantity=1, token="tok_timeoutAfterCharge")
    assert shop.final_order(customer, order["id"])["status"] == "confirmed"

    assert shop.cancel(customer, order["id"]).status_code == 200

    [payment] = shop.settled_payments(customer, order["id"], {"refunded"})
    assert payment["amount"] == "7.25"
    refunded = stack.sql(
        'SELECT amount::text FROM "payment".payments_sandboxrefund WHERE charge_id = %s', [payment["id"]]
    )
    assert refunded == [("7.25",)]
    shop.wait_stock(product, on_hand=3, reserved=0)


# -- 3. what RabbitMQ dead-letters from an event queue can be replayed -----------------------------
def test_an_event_the_broker_dead_lettered_is_recorded_and_replayed_to_its_handlers(stack, shop):
    product_id = str(uuid.uuid4())
    event_id = str(uuid.uuid4())
    envelope = {  # as product_service publishes it
        "id": event_id,
        "type": "product.created",
        "source": "product_service",
        "occurred_at": "2026-12-01T12:00:00+00:00",
        "correlation_id": event_id,
        "causation_id": None,
        "version": 1,
        "data": {"product_id": product_id, "sku": "DLX-1", "name": "Dead-lettered", "price": "1.00"},
    }
    try:
        stack.kill_worker("inventory", signal.SIGTERM)  # nobody takes it off inventory's queue
        with Connection(f"amqp://guest:guest@{RABBIT}/{stack.vhost}") as connection:
            connection.Producer().publish(
                envelope,
                exchange="product.events",
                routing_key="product.created",
                message_id=envelope["id"],
                serializer="json",
            )
            queue = connection.SimpleQueue("inventory.product.events", no_ack=False, queue_opts={"no_declare": True})
            message = queue.get(timeout=10)
            assert message.payload["id"] == envelope["id"]
            message.reject(requeue=False)  # RabbitMQ dead-letters it, as after too many redeliveries
            queue.close()
    finally:
        stack.start_worker("inventory")

    dead = wait_until(
        lambda: stack.sql(
            "SELECT id, handler FROM inventory.ecom_common_deadletter WHERE event_id = %s", [envelope["id"]]
        ),
        timeout=60,
        message="inventory to record what the broker dead-lettered",
    )
    assert shop.stock(product_id) is None
    dead_letter_id, handler = dead[0]
    assert handler == "event_consumer"

    output = stack.manage("inventory", "dead_letters", "replay", str(dead_letter_id))

    assert str(dead_letter_id) in output
    stock = wait_until(lambda: shop.stock(product_id), timeout=60, message="the replayed event to make the stock")
    assert (stock["on_hand"], stock["reserved"]) == (0, 0)
    replayed = stack.sql(
        "SELECT replayed_at IS NOT NULL FROM inventory.ecom_common_deadletter WHERE id = %s", [dead_letter_id]
    )
    assert replayed == [(True,)]


# -- 6. a product is for sale as soon as staff create it -------------------------------------------
def test_a_product_is_bought_right_after_staff_create_it(stack, shop, customer):
    created = requests.post(
        f"{stack.url('product')}/api/products/",
        headers=shop.staff,
        json={"sku": f"NOW-{uuid.uuid4().hex[:8]}", "name": "Fresh widget", "price": "3.10", "currency": "USD"},
        timeout=10,
    )
    created.raise_for_status()
    product = created.json()["id"]
    # Stock is added straight away (the adjustment creates the record); no waiting for any event.
    requests.post(
        f"{stack.url('inventory')}/api/inventory/{product}/adjust/",
        headers=shop.staff,
        json={"delta": 2, "reason": "first delivery"},
        timeout=10,
    ).raise_for_status()

    order = shop.place(customer, product, quantity=1)

    assert (order["total"], order["items"][0]["name"]) == ("3.10", "Fresh widget")
    assert shop.final_order(customer, order["id"])["status"] == "confirmed"


# -- 7. concurrent staff edits of one product keep every change ------------------------------------
def test_concurrent_api_edits_of_different_fields_of_one_product_keep_them_all(stack, shop):
    product = shop.product(price="10.00", stock=0)
    url = f"{stack.url('product')}/api/products/{product}/"

    def patch(body: dict) -> int:
        return requests.patch(url, json=body, headers=shop.staff, timeout=30).status_code

    finals = []
    for n in range(5):
        # Three edits of different fields, among others that save the row without changing it.
        wanted = {"name": f"Name {n}", "description": f"Text {n}", "price": f"1{n}.00"}
        bodies = [{field: value} for field, value in wanted.items()] + [{"is_active": True}] * 13
        with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
            assert list(pool.map(patch, random.sample(bodies, len(bodies)))) == [200] * len(bodies)
        final = requests.get(url, timeout=10).json()
        finals.append({field: final[field] for field in wanted})

    assert finals == [{"name": f"Name {n}", "description": f"Text {n}", "price": f"1{n}.00"} for n in range(5)]


def test_an_admin_edit_saved_over_a_later_change_is_refused_with_a_message(stack, shop):
    product = shop.product(price="10.00", stock=0)
    admin = f"{stack.url('product')}/admin/products/"
    first, second = admin_open(admin), admin_open(admin)  # two members of staff, two browsers
    change_url = f"{stack.url('product')}/admin/products/catalog/product/{product}/change/"
    first_form, second_form = _change_form(first, change_url), _change_form(second, change_url)

    saved = first.post(
        change_url, data={**first_form, "name": "First editor's name"}, allow_redirects=False, timeout=10
    )
    refused = second.post(change_url, data={**second_form, "price": "99.00"}, allow_redirects=False, timeout=10)

    assert saved.status_code == 302
    assert refused.status_code == 200
    assert "This product was changed by someone else since you opened it" in refused.text
    final = requests.get(f"{stack.url('product')}/api/products/{product}/", timeout=10).json()
    assert (final["name"], final["price"]) == ("First editor's name", "10.00")


class _FormFields(HTMLParser):
    """What a browser submits of a page's form, unchanged: inputs (checked boxes only), the
    selected options of each select, textareas."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "file", "button"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.fields.append((name, attrs.get("value") or ("on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = name
            self.fields.append((name, ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data.strip("\n"))


def _change_form(session: requests.Session, url: str) -> dict:
    """The change form's fields as the browser would submit them unchanged."""
    parser = _FormFields()
    parser.feed(session.get(url, timeout=10).text)
    fields: dict[str, list[str]] = {}
    for name, value in parser.fields:
        fields.setdefault(name, []).append(value)
    fields.pop("_save", None)
    return {**fields, "_save": "Save"}
