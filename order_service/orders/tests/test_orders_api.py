"""Reading and cancelling orders: the owner's, or any for staff."""

import uuid

import pytest

from ecom_common.testing.events import published_data
from orders.models import OrderStatus
from orders.services import order_transition
from orders.tests.factories import items_of, order_placed

ORDERS_URL = "/api/orders/"


def ids(response) -> list[str]:
    return [order["id"] for order in response.json()["results"]]


def test_list_shows_the_callers_orders_newest_first(customer_client, customer_id):
    older = order_placed(user_id=customer_id)
    newer = order_placed(user_id=customer_id)
    order_placed()  # someone else's

    response = customer_client.get(ORDERS_URL)

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert ids(response) == [str(newer.id), str(older.id)]


def test_staff_list_everyones_orders(staff_client, customer_id):
    mine = order_placed(user_id=customer_id)
    theirs = order_placed()

    response = staff_client.get(ORDERS_URL)

    assert ids(response) == [str(theirs.id), str(mine.id)]


def test_list_filters_by_status(customer_client, customer_id):
    order_placed(user_id=customer_id)
    confirmed = order_placed(user_id=customer_id)
    order_transition(order_id=confirmed.id, status=OrderStatus.CONFIRMED)

    response = customer_client.get(ORDERS_URL, {"status": "confirmed"})

    assert ids(response) == [str(confirmed.id)]


def test_list_with_an_unknown_status_is_400(customer_client):
    response = customer_client.get(ORDERS_URL, {"status": "lost"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "status"


def test_detail_of_own_order(customer_client, customer_id):
    order = order_placed(user_id=customer_id)

    response = customer_client.get(f"{ORDERS_URL}{order.id}/")

    assert response.status_code == 200
    assert response.json()["id"] == str(order.id)
    assert response.json()["status_history"][0]["status"] == "pending"


@pytest.mark.parametrize("path", ["", "cancel/"])
def test_another_users_order_is_404(customer_client, path):
    order = order_placed()

    response = (customer_client.post if path else customer_client.get)(f"{ORDERS_URL}{order.id}/{path}")

    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_staff_read_any_order(staff_client):
    order = order_placed()

    assert staff_client.get(f"{ORDERS_URL}{order.id}/").status_code == 200


def test_unknown_order_is_404(customer_client):
    assert customer_client.get(f"{ORDERS_URL}{uuid.uuid4()}/").status_code == 404
    assert customer_client.get(f"{ORDERS_URL}not-a-uuid/").status_code == 404


def test_anonymous_is_401(api_client):
    order = order_placed()

    assert api_client.get(ORDERS_URL).status_code == 401
    assert api_client.post(f"{ORDERS_URL}{order.id}/cancel/").status_code == 401


def test_owner_cancels_a_pending_order(customer_client, customer_id):
    # given
    order = order_placed(user_id=customer_id, quantity=3)

    # when
    response = customer_client.post(f"{ORDERS_URL}{order.id}/cancel/")

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["cancel_reason"]) == ("cancelled", "customer_request")
    assert [(change["status"], change["reason"]) for change in body["status_history"]] == [
        ("pending", None),
        ("cancelled", "customer_request"),
    ]
    assert published_data("order.cancelled") == [
        {
            "order_id": str(order.id),
            "user_id": customer_id,
            "reason": "customer_request",
            "previous_status": "pending",
            "items": items_of(order),
            "total": str(order.total),
            "currency": order.currency,
        }
    ]


def test_staff_cancel_any_order(staff_client):
    order = order_placed()

    response = staff_client.post(f"{ORDERS_URL}{order.id}/cancel/")

    assert response.status_code == 200
    assert response.json()["cancel_reason"] == "customer_request"


def test_cancelling_a_confirmed_order_announces_its_previous_status(customer_client, customer_id):
    order = order_placed(user_id=customer_id)
    order_transition(order_id=order.id, status=OrderStatus.CONFIRMED)

    response = customer_client.post(f"{ORDERS_URL}{order.id}/cancel/")

    assert response.json()["status"] == "cancelled"
    assert [data["previous_status"] for data in published_data("order.cancelled")] == ["confirmed"]


def test_cancelling_a_cancelled_order_is_409(customer_client, customer_id):
    order = order_placed(user_id=customer_id)
    customer_client.post(f"{ORDERS_URL}{order.id}/cancel/")

    response = customer_client.post(f"{ORDERS_URL}{order.id}/cancel/")

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "conflict"
    assert len(published_data("order.cancelled")) == 1
    assert order.status_history.count() == 2
