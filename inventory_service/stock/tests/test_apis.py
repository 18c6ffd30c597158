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
        # no warehouse named: the default one (made on first need)
        "warehouses": [{"code": "main", "on_hand": 12, "reserved": 0, "available": 12}],
    }
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.on_hand_delta, movement.reason) == ("adjustment", 12, "delivery")
    assert movement.warehouse.code == "main"
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
            {
                "code": "insufficient_stock",
                "detail": "Not enough stock in main: 3 available, 5 on hand.",
                "attr": "delta",
            }
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


def test_an_adjustment_retried_after_another_one_gets_its_first_answer(staff_client):
    stock = StockFactory(on_hand=5)
    key = str(uuid.uuid4())
    first = staff_client.post(url(stock.variant_id, "adjust/"), {"delta": 3, "reason": ""}, HTTP_IDEMPOTENCY_KEY=key)
    staff_client.post(url(stock.variant_id, "adjust/"), {"delta": 1, "reason": "found one"})

    again = staff_client.post(url(stock.variant_id, "adjust/"), {"delta": 3, "reason": ""}, HTTP_IDEMPOTENCY_KEY=key)

    assert (again.status_code, again.json()) == (200, first.json())
    assert again.json()["on_hand"] == 8
    assert staff_client.get(url(stock.variant_id)).json()["on_hand"] == 9


def test_idempotency_key_reused_with_another_delta_is_409(staff_client):
    stock = StockFactory(on_hand=5)
    key = str(uuid.uuid4())
    staff_client.post(url(stock.variant_id, "adjust/"), {"delta": 3}, HTTP_IDEMPOTENCY_KEY=key)

    response = staff_client.post(url(stock.variant_id, "adjust/"), {"delta": 4}, HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "idempotency_key_reused"


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


# ---------------------------------------------------------------------------
# Warehouses
# ---------------------------------------------------------------------------
@pytest.fixture
def two_warehouses(staff_client):
    for body in (
        {"code": "east", "name": "East", "country": "US", "priority": 10},
        {"code": "west", "name": "West", "country": "CA", "priority": 20},
    ):
        assert staff_client.post("/api/warehouses/", body).status_code == 201


def test_staff_see_each_warehouses_part_and_others_only_the_totals(staff_client, api_client, two_warehouses):
    variant_id = uuid.uuid4()
    staff_client.post(url(variant_id, "adjust/"), {"delta": 4, "warehouse": "west", "reason": ""})
    staff_client.post(url(variant_id, "adjust/"), {"delta": 3, "warehouse": "east", "reason": ""})

    staff_view = staff_client.get(url(variant_id)).json()
    public_view = api_client.get(url(variant_id)).json()

    assert staff_view["warehouses"] == [
        {"code": "east", "on_hand": 3, "reserved": 0, "available": 3},
        {"code": "west", "on_hand": 4, "reserved": 0, "available": 4},
    ]
    assert (staff_view["on_hand"], public_view["on_hand"]) == (7, 7)
    assert "warehouses" not in public_view


def test_staff_transfer_between_warehouses(staff_client, two_warehouses):
    variant_id = uuid.uuid4()
    staff_client.post(url(variant_id, "adjust/"), {"delta": 5, "warehouse": "east", "reason": ""})

    response = staff_client.post(
        url(variant_id, "transfer/"),
        {"from_warehouse": "east", "to_warehouse": "west", "quantity": 2, "reason": "rebalance"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )

    assert response.status_code == 200
    assert response.json()["warehouses"] == [
        {"code": "east", "on_hand": 3, "reserved": 0, "available": 3},
        {"code": "west", "on_hand": 2, "reserved": 0, "available": 2},
    ]
    movements = staff_client.get(url(variant_id, "movements/")).json()["results"]
    assert sorted((m["kind"], m["warehouse"], m["on_hand_delta"]) for m in movements[:2]) == [
        ("transfer", "east", -2),
        ("transfer", "west", 2),
    ]
    assert movements[0]["transfer_id"] == movements[1]["transfer_id"] is not None


def test_a_transfer_beyond_what_is_free_is_400_and_moves_nothing(staff_client, two_warehouses):
    variant_id = uuid.uuid4()
    staff_client.post(url(variant_id, "adjust/"), {"delta": 1, "warehouse": "east", "reason": ""})

    response = staff_client.post(
        url(variant_id, "transfer/"), {"from_warehouse": "east", "to_warehouse": "west", "quantity": 2}
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "insufficient_stock",
            "detail": "Not enough stock in east: 1 available, 1 on hand.",
            "attr": "quantity",
        }
    ]
    assert staff_client.get(url(variant_id)).json()["warehouses"] == [
        {"code": "east", "on_hand": 1, "reserved": 0, "available": 1}
    ]


def test_an_adjustment_to_an_unknown_warehouse_is_400(staff_client):
    response = staff_client.post(url(uuid.uuid4(), "adjust/"), {"delta": 1, "warehouse": "atlantis"})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "does_not_exist", "detail": "There is no warehouse atlantis.", "attr": "warehouse"}
    ]
    assert StockMovement.objects.count() == 0


def test_staff_manage_warehouses(staff_client, two_warehouses):
    listed = staff_client.get("/api/warehouses/").json()["results"]
    changed = staff_client.patch("/api/warehouses/west/", {"priority": 5, "is_active": False})
    deleted = staff_client.delete("/api/warehouses/east/")

    assert [(w["code"], w["country"], w["priority"], w["is_active"]) for w in listed] == [
        ("east", "US", 10, True),
        ("west", "CA", 20, True),
    ]
    assert (changed.status_code, changed.json()["priority"], changed.json()["is_active"]) == (200, 5, False)
    assert deleted.status_code == 204
    assert [w["code"] for w in staff_client.get("/api/warehouses/").json()["results"]] == ["west"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"code": "east", "name": "Again", "country": "US"}, ("unique", "code")),
        ({"code": "north", "name": "North", "country": "us"}, ("invalid", "country")),
        ({"code": "no spaces", "name": "North", "country": "US"}, ("invalid", "code")),
    ],
)
def test_a_bad_warehouse_is_400(staff_client, two_warehouses, body, error):
    response = staff_client.post("/api/warehouses/", body)

    assert response.status_code == 400
    assert [(e["code"], e["attr"]) for e in response.json()["errors"]] == [error]


def test_a_warehouse_that_held_stock_is_deactivated_not_deleted(staff_client, two_warehouses):
    staff_client.post(url(uuid.uuid4(), "adjust/"), {"delta": 1, "warehouse": "east"})

    response = staff_client.delete("/api/warehouses/east/")

    assert response.status_code == 409
    assert response.json()["errors"][0]["detail"] == "This warehouse has held stock; deactivate it instead."


def test_more_units_than_a_stock_column_holds_is_400_not_a_500(staff_client):
    variant_id = uuid.uuid4()
    assert staff_client.post(url(variant_id, "adjust/"), {"delta": 2**31 - 2}).status_code == 200

    response = staff_client.post(url(variant_id, "adjust/"), {"delta": 2})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "max_value", "detail": "A variant holds at most 2147483647 units.", "attr": "delta"}
    ]
    assert staff_client.get(url(variant_id)).json()["on_hand"] == 2**31 - 2
