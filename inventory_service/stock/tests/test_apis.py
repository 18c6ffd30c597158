import uuid

import pytest

from stock.models import StockMovement
from stock.tests.factories import StockFactory

pytestmark = pytest.mark.django_db


def url(variant_id, suffix="") -> str:
    return f"/api/inventory/{variant_id}/{suffix}"


def test_anyone_reads_a_variants_stock(api_client):
    stock = StockFactory(on_hand=10, reserved=3, low_stock_threshold=4)

    response = api_client.get(url(stock.variant_id))

    assert response.status_code == 200
    assert response.json() == {
        "variant_id": str(stock.variant_id),
        "product_id": None,
        "on_hand": 10,
        "reserved": 3,
        "available": 7,
        "low_stock_threshold": 4,
    }


def test_unknown_product_is_404(api_client):
    response = api_client.get(url(uuid.uuid4()))

    assert response.status_code == 404
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }


def test_staff_adjusts_and_creates_the_stock_record(staff_client, settings):
    settings.INVENTORY_LOW_STOCK_THRESHOLD = 5
    variant_id = uuid.uuid4()

    response = staff_client.post(url(variant_id, "adjust/"), {"delta": 12, "reason": "delivery"})

    assert response.status_code == 200
    assert response.json() == {
        "variant_id": str(variant_id),
        "product_id": None,  # until the catalog's event says which product it belongs to
        "on_hand": 12,
        "reserved": 0,
        "available": 12,
        "low_stock_threshold": 5,
    }
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.on_hand_delta, movement.reason) == ("adjustment", 12, "delivery")
    uuid.UUID(movement.actor)  # the staff user's id


def test_anonymous_adjust_is_401(api_client):
    response = api_client.post(url(uuid.uuid4(), "adjust/"), {"delta": 1, "reason": ""})

    assert response.status_code == 401
    assert StockMovement.objects.count() == 0


def test_customer_adjust_is_403(customer_client):
    response = customer_client.post(url(uuid.uuid4(), "adjust/"), {"delta": 1, "reason": ""})

    assert response.status_code == 403
    assert StockMovement.objects.count() == 0


def test_adjust_below_available_is_400_in_the_error_format(staff_client):
    stock = StockFactory(on_hand=5, reserved=2)

    response = staff_client.post(url(stock.variant_id, "adjust/"), {"delta": -4, "reason": "broken"})

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {"code": "insufficient_stock", "detail": "Not enough stock: 3 available, 5 on hand.", "attr": "delta"}
        ],
    }
    stock.refresh_from_db()
    assert (stock.on_hand, stock.reserved) == (5, 2)


@pytest.mark.parametrize("body", [{"delta": "many"}, {"delta": 0}, {}])
def test_bad_adjust_body_is_400(staff_client, body):
    response = staff_client.post(url(uuid.uuid4(), "adjust/"), body)

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert response.json()["errors"][0]["attr"] == "delta"


def test_adjust_replayed_with_the_same_idempotency_key_applies_once(staff_client):
    stock = StockFactory(on_hand=5)
    key = str(uuid.uuid4())

    first = staff_client.post(url(stock.variant_id, "adjust/"), {"delta": 3, "reason": ""}, HTTP_IDEMPOTENCY_KEY=key)
    second = staff_client.post(url(stock.variant_id, "adjust/"), {"delta": 3, "reason": ""}, HTTP_IDEMPOTENCY_KEY=key)

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    assert second.json()["on_hand"] == 8
    assert StockMovement.objects.count() == 1


def test_idempotency_key_reused_with_another_delta_is_409(staff_client):
    stock = StockFactory(on_hand=5)
    key = str(uuid.uuid4())
    staff_client.post(url(stock.variant_id, "adjust/"), {"delta": 3}, HTTP_IDEMPOTENCY_KEY=key)

    response = staff_client.post(url(stock.variant_id, "adjust/"), {"delta": 4}, HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "conflict"


def test_an_idempotency_key_that_is_not_a_uuid_is_400_and_adjusts_nothing(staff_client):
    stock = StockFactory(on_hand=5)

    response = staff_client.post(url(stock.variant_id, "adjust/"), {"delta": 3}, HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 400
    assert response.json()["errors"] == [{"code": "invalid", "detail": "Must be a UUID.", "attr": "Idempotency-Key"}]
    stock.refresh_from_db()
    assert stock.on_hand == 5
    assert StockMovement.objects.count() == 0


def test_staff_lists_movements_newest_first(staff_client):
    stock = StockFactory()
    staff_client.post(url(stock.variant_id, "adjust/"), {"delta": 5, "reason": "first"})
    staff_client.post(url(stock.variant_id, "adjust/"), {"delta": -2, "reason": "second"})

    response = staff_client.get(url(stock.variant_id, "movements/"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(m["kind"], m["on_hand_delta"], m["reserved_delta"], m["reason"]) for m in body["results"]] == [
        ("adjustment", -2, 0, "second"),
        ("adjustment", 5, 0, "first"),
    ]


def test_customer_cannot_list_movements(customer_client):
    stock = StockFactory()

    response = customer_client.get(url(stock.variant_id, "movements/"))

    assert response.status_code == 403


def test_movements_of_an_unknown_product_are_404(staff_client):
    response = staff_client.get(url(uuid.uuid4(), "movements/"))

    assert response.status_code == 404
