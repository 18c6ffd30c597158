"""After checkout: ship, deliver, return some units, receive them, refund exactly their price."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cart.tests.factories import CatalogVariantFactory
from ecom_common.testing.events import deliver, event_envelope, published_data
from orders.models import Order, OrderReturn, OrderStatus
from orders.services import order_place, order_transition
from orders.tests.factories import ADDRESS, items_of, order_placed


def url(order: Order, action: str = "") -> str:
    return f"/api/orders/{order.id}/{action}"


@pytest.fixture
def confirmed(customer_id) -> Order:
    """A paid order of the customer's: 3 mugs at 4.25 and 1 kettle at 19.99."""
    mug, kettle = CatalogVariantFactory(price=Decimal("4.25")), CatalogVariantFactory(price=Decimal("19.99"))
    order = order_place(
        user_id=customer_id,
        idempotency_key=uuid.uuid4(),
        shipping_address=ADDRESS,
        payment_token="tok_visa",
        items=[{"product_id": mug.product_id, "quantity": 3}, {"product_id": kettle.product_id, "quantity": 1}],
    )
    order = order_transition(order_id=order.id, status=OrderStatus.CONFIRMED)
    deliver(event_envelope("inventory.committed", {"order_id": str(order.id), "items": []}))
    order.refresh_from_db()
    return order


def mug_line(order: Order) -> str:
    return str(order.lines.order_by("id").first().public_id)


@pytest.fixture
def delivered(confirmed, staff_client) -> Order:
    staff_client.post(url(confirmed, "ship/"), {"carrier": "DHL", "tracking_number": "JD0001"})
    staff_client.post(url(confirmed, "deliver/"))
    confirmed.refresh_from_db()
    return confirmed


def refunded(order: Order, order_return: dict) -> None:
    """payment.refunded for the return, as payment_service announces it."""
    deliver(
        event_envelope(
            "payment.refunded",
            {
                "order_id": str(order.id),
                "payment_id": str(uuid.uuid4()),
                "amount": order_return["refund_amount"],
                "currency": "USD",
                "return_id": order_return["id"],
            },
        )
    )


def test_staff_ship_a_confirmed_order_with_its_tracking_number(confirmed, staff_client):
    response = staff_client.post(url(confirmed, "ship/"), {"carrier": "DHL", "tracking_number": "JD0001"})

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "shipped"
    assert body["shipment"] == {
        "carrier": "DHL",
        "tracking_number": "JD0001",
        "shipped_at": body["shipment"]["shipped_at"],
    }
    assert [change["status"] for change in body["status_history"]] == ["pending", "confirmed", "shipped"]
    assert published_data("order.shipped") == [
        {
            "order_id": str(confirmed.id),
            "user_id": str(confirmed.user_id),
            "carrier": "DHL",
            "tracking_number": "JD0001",
            "shipped_at": confirmed.shipment.shipped_at.isoformat(),
        }
    ]


def test_a_confirmed_order_cannot_ship_before_inventory_committed_its_stock(customer_id, staff_client):
    kettle = CatalogVariantFactory(price=Decimal("19.99"))
    order = order_place(
        user_id=customer_id,
        idempotency_key=uuid.uuid4(),
        shipping_address=ADDRESS,
        payment_token="tok_visa",
        items=[{"product_id": kettle.product_id, "quantity": 1}],
    )
    order = order_transition(order_id=order.id, status=OrderStatus.CONFIRMED)

    early = staff_client.post(url(order, "ship/"), {"carrier": "DHL", "tracking_number": "JD0001"})
    shown = staff_client.get(url(order)).json()["stock_committed_at"]
    deliver(event_envelope("inventory.committed", {"order_id": str(order.id), "items": []}))
    later = staff_client.post(url(order, "ship/"), {"carrier": "DHL", "tracking_number": "JD0001"})

    assert early.status_code == 409
    assert early.json()["errors"] == [
        {
            "code": "stock_not_committed",
            "detail": "Inventory has not committed this order's stock yet; ship it once it has (usually seconds).",
            "attr": None,
        }
    ]
    assert shown is None
    assert (later.status_code, later.json()["status"]) == (200, "shipped")
    assert later.json()["stock_committed_at"] is not None
    assert published_data("order.shipped")[0]["tracking_number"] == "JD0001"


def test_shipping_again_with_the_same_tracking_changes_nothing(confirmed, staff_client):
    staff_client.post(url(confirmed, "ship/"), {"carrier": "DHL", "tracking_number": "JD0001"})

    response = staff_client.post(url(confirmed, "ship/"), {"carrier": "DHL", "tracking_number": "JD0001"})

    assert response.status_code == 200
    assert len(published_data("order.shipped")) == 1


def test_a_pending_order_cannot_be_shipped(customer_id, staff_client):
    order = order_placed(user_id=customer_id)

    response = staff_client.post(url(order, "ship/"), {"carrier": "DHL", "tracking_number": "JD0001"})

    assert response.status_code == 409
    assert response.json()["errors"][0]["detail"] == "An order cannot go from pending to shipped."


def test_cancel_after_shipping_is_a_409_return_it_instead(confirmed, staff_client, customer_client):
    staff_client.post(url(confirmed, "ship/"), {"carrier": "DHL", "tracking_number": "JD0001"})

    response = customer_client.post(url(confirmed, "cancel/"))

    assert response.status_code == 409
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "conflict",
                "detail": "This order is shipped: it cannot be cancelled, return it instead.",
                "attr": None,
            }
        ],
    }
    assert published_data("order.cancelled") == []


def test_staff_mark_a_shipped_order_delivered(confirmed, staff_client):
    staff_client.post(url(confirmed, "ship/"), {"carrier": "DHL", "tracking_number": "JD0001"})

    response = staff_client.post(url(confirmed, "deliver/"))
    staff_client.post(url(confirmed, "deliver/"))

    assert response.status_code == 200
    confirmed.refresh_from_db()
    assert (response.json()["status"], response.json()["delivered_at"]) == (
        "delivered",
        confirmed.delivered_at.isoformat().replace("+00:00", "Z"),
    )
    assert published_data("order.delivered") == [
        {
            "order_id": str(confirmed.id),
            "user_id": str(confirmed.user_id),
            "delivered_at": confirmed.delivered_at.isoformat(),
            "items": items_of(confirmed),
        }
    ]


def test_a_return_of_some_units_refunds_exactly_their_price_once_received(delivered, customer_client, staff_client):
    mug = mug_line(delivered)

    # when: the customer returns 2 of the 3 mugs
    response = customer_client.post(
        url(delivered, "returns/"), {"lines": [{"line_id": mug, "quantity": 2}], "reason": "chipped"}
    )

    # then
    assert response.status_code == 201
    order_return = response.json()
    assert order_return == {
        "id": order_return["id"],
        "order_id": str(delivered.id),
        "status": "requested",
        "lines": [
            {
                "line_id": mug,
                "variant_id": str(delivered.lines.order_by("id").first().variant_id),
                "product_id": str(delivered.lines.order_by("id").first().product_id),
                "quantity": 2,
            }
        ],
        "reason": "chipped",
        "refund_amount": "8.50",
        "created_at": order_return["created_at"],
        "received_at": None,
        "refunded_at": None,
    }

    # when: staff receive it, twice
    received = staff_client.post(url(delivered, f"returns/{order_return['id']}/receive/"))
    staff_client.post(url(delivered, f"returns/{order_return['id']}/receive/"))

    # then: payment is asked for exactly 8.50 and inventory for the 2 units, once
    assert received.json()["status"] == "received"
    assert published_data("order.return_received") == [
        {
            "order_id": str(delivered.id),
            "user_id": str(delivered.user_id),
            "return_id": order_return["id"],
            "amount": "8.50",
            "currency": "USD",
            "items": [
                {
                    "variant_id": order_return["lines"][0]["variant_id"],
                    "product_id": order_return["lines"][0]["product_id"],
                    "quantity": 2,
                }
            ],
            "reason": "chipped",
        }
    ]

    # when: payment refunded it (delivered twice)
    refunded(delivered, order_return)
    refunded(delivered, order_return)

    # then
    delivered.refresh_from_db()
    assert (delivered.status, delivered.refunded_total) == (OrderStatus.DELIVERED, Decimal("8.50"))
    assert OrderReturn.objects.get().status == "refunded"


def test_more_units_than_bought_counting_earlier_returns_is_a_400(delivered, customer_client):
    mug = mug_line(delivered)
    customer_client.post(url(delivered, "returns/"), {"lines": [{"line_id": mug, "quantity": 2}]})

    response = customer_client.post(url(delivered, "returns/"), {"lines": [{"line_id": mug, "quantity": 2}]})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "too_many",
            "detail": "Only 1 unit(s) of this line can still be returned.",
            "attr": "lines.0.quantity",
        }
    ]
    assert OrderReturn.objects.count() == 1


def test_a_line_of_another_order_is_a_400(delivered, customer_client):
    response = customer_client.post(
        url(delivered, "returns/"), {"lines": [{"line_id": str(uuid.uuid4()), "quantity": 1}]}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "lines.0.line_id"


def test_returns_only_within_the_window_after_delivery(delivered, customer_client, settings):
    mug = mug_line(delivered)
    Order.objects.filter(pk=delivered.pk).update(
        delivered_at=timezone.now() - timedelta(days=settings.RETURN_WINDOW_DAYS + 1)
    )

    late = customer_client.post(url(delivered, "returns/"), {"lines": [{"line_id": mug, "quantity": 1}]})

    assert late.status_code == 409
    assert late.json()["errors"][0]["code"] == "return_window_closed"


def test_a_retried_return_with_its_idempotency_key_is_the_same_return(delivered, customer_client):
    mug = mug_line(delivered)
    key = str(uuid.uuid4())
    body = {"lines": [{"line_id": mug, "quantity": 1}]}

    first = customer_client.post(url(delivered, "returns/"), body, headers={"Idempotency-Key": key})
    again = customer_client.post(url(delivered, "returns/"), body, headers={"Idempotency-Key": key})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert OrderReturn.objects.count() == 1
    assert len(published_data("order.return_requested")) == 1


def test_a_return_retried_after_it_was_received_gets_its_first_answer(delivered, customer_client, staff_client):
    key = str(uuid.uuid4())
    body = {"lines": [{"line_id": mug_line(delivered), "quantity": 1}]}
    first = customer_client.post(url(delivered, "returns/"), body, headers={"Idempotency-Key": key})
    staff_client.post(url(delivered, f"returns/{first.json()['id']}/receive/"))

    again = customer_client.post(url(delivered, "returns/"), body, headers={"Idempotency-Key": key})

    assert (again.status_code, again.json()) == (201, first.json())
    assert again.json()["status"] == "requested"


@pytest.mark.parametrize(
    "retry",
    [
        {"lines": [{"line_id": "MUG", "quantity": 2}]},
        {"lines": [{"line_id": "MUG", "quantity": 1}], "reason": "changed my mind"},
    ],
    ids=["other units", "other reason"],
)
def test_a_return_key_reused_for_another_return_is_409_and_returns_nothing_more(delivered, customer_client, retry):
    mug = mug_line(delivered)
    key = str(uuid.uuid4())
    customer_client.post(
        url(delivered, "returns/"), {"lines": [{"line_id": mug, "quantity": 1}]}, headers={"Idempotency-Key": key}
    )
    retry = {**retry, "lines": [{**line, "line_id": mug} for line in retry["lines"]]}

    response = customer_client.post(url(delivered, "returns/"), retry, headers={"Idempotency-Key": key})

    assert response.status_code == 409
    assert response.json()["errors"] == [
        {
            "code": "idempotency_key_reused",
            "detail": "This Idempotency-Key was already used for a different request.",
            "attr": None,
        }
    ]
    assert OrderReturn.objects.count() == 1
    assert len(published_data("order.return_requested")) == 1


def test_an_order_whose_every_unit_came_back_and_was_refunded_is_returned(delivered, customer_client, staff_client):
    body = {"lines": [{"line_id": str(line.public_id), "quantity": line.quantity} for line in delivered.lines.all()]}
    order_return = customer_client.post(url(delivered, "returns/"), body).json()
    staff_client.post(url(delivered, f"returns/{order_return['id']}/receive/"))

    refunded(delivered, order_return)

    delivered.refresh_from_db()
    assert (delivered.status, delivered.refunded_total, order_return["refund_amount"]) == (
        OrderStatus.RETURNED,
        Decimal("32.74"),
        "32.74",
    )
    assert [change.status for change in delivered.status_history.all()][-1] == "returned"


def test_a_received_return_is_refund_pending_until_payment_refunds_it(delivered, customer_client, staff_client):
    mug = mug_line(delivered)
    first = customer_client.post(url(delivered, "returns/"), {"lines": [{"line_id": mug, "quantity": 1}]}).json()
    second = customer_client.post(url(delivered, "returns/"), {"lines": [{"line_id": mug, "quantity": 1}]}).json()
    assert customer_client.get(url(delivered)).json()["refund_status"] == "none"  # requested: nothing owed yet

    for order_return in (first, second):
        staff_client.post(url(delivered, f"returns/{order_return['id']}/receive/"))
    assert customer_client.get(url(delivered)).json()["refund_status"] == "pending"

    refunded(delivered, first)
    assert customer_client.get(url(delivered)).json()["refund_status"] == "pending"  # the second is still owed

    refunded(delivered, second)
    order = customer_client.get(url(delivered)).json()
    assert (order["refund_status"], order["refunded_total"]) == ("refunded", str(2 * Decimal(first["refund_amount"])))


def test_the_customer_lists_the_orders_returns(delivered, customer_client):
    mug = mug_line(delivered)
    customer_client.post(url(delivered, "returns/"), {"lines": [{"line_id": mug, "quantity": 1}]})

    response = customer_client.get(url(delivered, "returns/"))

    assert response.status_code == 200
    assert [r["refund_amount"] for r in response.json()["results"]] == ["4.25"]
