"""Pricing through the gateway, as a storefront and the staff see it: a cart with a promotion, a
voucher, express shipping and tax is charged exactly what it showed, and a partial return refunds
what those units cost after their discounts, with their tax."""

import uuid

import pytest
import requests

from system_tests.invariants import assert_invariants
from system_tests.stack import wait_until
from system_tests.test_gateway import Client

pytestmark = pytest.mark.slow

# A country no other test ships to, so its shipping method and tax rate change no other total.
NEW_ZEALAND = {
    "full_name": "Kate Sheppard",
    "line1": "1 Queen Street",
    "city": "Auckland",
    "postal_code": "1010",
    "country": "NZ",
}


@pytest.fixture(scope="module")
def client(stack):
    return Client(stack.start_gateway("pricing-gateway").url)


def _staff_post(client, staff, path, body):
    response = client.post(path, body, staff)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_priced_cart_is_charged_what_it_showed_and_a_partial_return_refunds_the_prorated_amount(stack, shop, client):
    # given: a hoodie at 40.00 with 10% off, a book at 12.50, a 5.00 voucher, express shipping
    # 9.90 and 15% GST to New Zealand
    staff = shop.staff
    hoodie, book = client.product(staff, price="40.00"), client.product(staff, price="12.50")
    code = f"SYS{uuid.uuid4().hex[:8]}".upper()
    _staff_post(
        client,
        staff,
        "/api/promotions/",
        {"name": "Hoodie week", "kind": "percentage", "value": "10", "product_ids": [hoodie["id"]]},
    )
    _staff_post(client, staff, "/api/vouchers/", {"code": code, "name": "5 off", "kind": "fixed", "value": "5.00"})
    express = _staff_post(
        client,
        staff,
        "/api/shipping-methods/",
        {"name": "Express NZ", "price": "9.90", "min_days": 1, "max_days": 2, "countries": ["NZ"]},
    )
    _staff_post(client, staff, "/api/tax-rates/", {"name": "GST", "country": "NZ", "rate": "15.00"})
    customer = client.customer()

    # when: the storefront fills the cart, applies the voucher, picks express, and checks out
    assert client.get("/api/shipping-methods/?country=NZ").json()["results"][0]["name"] == "Express NZ"
    for product, quantity in ((hoodie, 2), (book, 1)):
        added = client.post("/api/cart/items/", {"product_id": product["id"], "quantity": quantity}, customer)
        assert added.status_code == 201, added.text
    chosen = requests.patch(
        f"{client.url}/api/cart/",
        json={"voucher_code": code.lower(), "country": "NZ", "shipping_method_id": express["id"]},
        headers=customer,
        timeout=10,
    )
    cart = client.get("/api/cart/", customer).json()
    placed = client.post(
        "/api/orders/",
        {"shipping_address": NEW_ZEALAND, "payment_token": "tok_visa"},
        {**customer, "Idempotency-Key": str(uuid.uuid4())},
    )

    # then: 92.50 - (8.00 + 5.00) + 9.90 + GST (10.16 + 1.76 + 1.49) = 102.81, charged exactly
    assert chosen.status_code == 200, chosen.text
    shown = {key: cart[key] for key in ("subtotal", "discount_total", "shipping_total", "tax_total", "total")}
    assert shown == {
        "subtotal": "92.50",
        "discount_total": "13.00",
        "shipping_total": "9.90",
        "tax_total": "13.41",
        "total": "102.81",
    }
    assert [(d["name"], d["amount"]) for d in cart["discounts"]] == [("Hoodie week", "8.00"), ("5 off", "5.00")]
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert {key: order[key] for key in shown} == shown
    final = client.final_order(customer, order["id"])  # confirmed with its stock committed: it may ship
    assert final["status"] == "confirmed"
    [payment] = client.get(f"/api/payments/?order_id={order['id']}", customer).json()["results"]
    assert (payment["amount"], payment["status"]) == ("102.81", "succeeded")
    voucher = client.get("/api/vouchers/?page_size=100", staff).json()["results"]
    assert [v["used_count"] for v in voucher if v["code"] == code] == [1]

    # and: one of the two hoodies comes back: half of what the line cost (77.90)
    for step, body in (("ship/", {"carrier": "NZ Post", "tracking_number": "NZ1"}), ("deliver/", None)):
        response = client.post(f"/api/orders/{order['id']}/{step}", body, staff)
        assert response.status_code == 200, response.text
    hoodie_line = next(line for line in final["items"] if line["product_id"] == hoodie["id"])
    assert (hoodie_line["discount_total"], hoodie_line["tax_total"], hoodie_line["paid_total"]) == (
        "12.26",
        "10.16",
        "77.90",
    )
    requested = client.post(
        f"/api/orders/{order['id']}/returns/", {"lines": [{"line_id": hoodie_line["id"], "quantity": 1}]}, customer
    )
    assert (requested.status_code, requested.json()["refund_amount"]) == (201, "38.95")
    received = client.post(f"/api/orders/{order['id']}/returns/{requested.json()['id']}/receive/", None, staff)
    assert received.status_code == 200, received.text
    refunded = wait_until(
        lambda: (
            (p := client.get(f"/api/payments/{payment['id']}/", customer).json())["status"] == "partially_refunded"
            and p
        ),
        timeout=60,
        message="the refund",
    )
    assert refunded["refunded_amount"] == "38.95"
    assert_invariants(stack)


def test_a_line_bought_free_with_a_voucher_comes_back_and_the_order_is_returned(stack, client):
    """A 100% voucher makes a 0.00 order: its return refunds 0.00, which payment records and
    announces without the provider (it dead-lettered forever, and the order stayed delivered)."""
    staff = client.login("admin@example.com", "admin-password")
    product = client.product(staff, price="15.00", stock=2)
    code = f"FREE-{uuid.uuid4().hex[:8]}".upper()
    _staff_post(
        client, staff, "/api/vouchers/", {"code": code, "name": "On the house", "kind": "percentage", "value": "100"}
    )
    customer = client.customer()
    assert client.post("/api/cart/items/", {"product_id": product["id"], "quantity": 1}, customer).status_code == 201
    applied = requests.patch(f"{client.url}/api/cart/", json={"voucher_code": code}, headers=customer, timeout=10)
    assert (applied.status_code, applied.json()["total"]) == (200, "0.00"), applied.text
    placed = client.post(
        "/api/orders/", {"shipping_address": NEW_ZEALAND | {"country": "GB"}, "payment_token": "tok_visa"},
        {**customer, "Idempotency-Key": str(uuid.uuid4())},
    )  # fmt: skip
    assert placed.status_code == 201, placed.text
    order = client.final_order(customer, placed.json()["id"])
    assert (order["status"], order["total"]) == ("confirmed", "0.00")
    for step, body in (("ship/", {"carrier": "Royal Mail", "tracking_number": "RM1"}), ("deliver/", None)):
        assert client.post(f"/api/orders/{order['id']}/{step}", body, staff).status_code == 200

    requested = client.post(
        f"/api/orders/{order['id']}/returns/",
        {"lines": [{"line_id": order["items"][0]["id"], "quantity": 1}]},
        customer,
    )
    assert (requested.status_code, requested.json()["refund_amount"]) == (201, "0.00"), requested.text
    received = client.post(f"/api/orders/{order['id']}/returns/{requested.json()['id']}/receive/", None, staff)
    assert received.status_code == 200, received.text

    returned = wait_until(
        lambda: (o := client.get(f"/api/orders/{order['id']}/", customer).json())["status"] == "returned" and o,
        timeout=60,
        message="the order to be returned",
    )
    [payment] = client.get(f"/api/payments/?order_id={order['id']}", customer).json()["results"]
    assert (returned["refunded_total"], payment["amount"], payment["refunded_amount"]) == ("0.00", "0.00", "0.00")
    assert stack.sql("SELECT count(*) FROM payment.payments_refund WHERE amount = 0 AND status = 'succeeded'") != [
        (0,)
    ]
    assert_invariants(stack)
