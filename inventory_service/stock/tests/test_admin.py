import uuid

import pytest

from stock import services
from stock.tests.factories import ReservationFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin/inventory/stock"


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("stock/", {}),
        ("stock/", {"low_stock": "yes"}),
        ("stock/", {"q": "0"}),
        ("reservation/", {"status__exact": "held"}),
        ("stockmovement/", {"kind__exact": "adjustment"}),
        ("inventoryorder/", {}),
        ("warehouse/", {}),
        ("stockmovement/", {"warehouse__id__exact": "1"}),
    ],
)
def test_admin_lists_load(admin_client_logged_in, page, query):
    ReservationFactory()
    services.stock_adjust(variant_id=uuid.uuid4(), delta=3, reason="", actor="system")

    response = admin_client_logged_in.get(f"{ADMIN}/{page}", query)

    assert response.status_code == 200


def test_stock_page_links_its_reservations_and_movements(admin_client_logged_in):
    stock = services.stock_adjust(variant_id=uuid.uuid4(), delta=3, reason="", actor="system")

    response = admin_client_logged_in.get(f"{ADMIN}/stock/{stock.variant_id}/change/")

    assert response.status_code == 200
    assert f"{ADMIN}/stockmovement/?variant__variant_id__exact={stock.variant_id}" in response.text
    assert "Movements (1)" in response.text


def test_low_stock_filter_keeps_only_low_stock(admin_client_logged_in):
    low = services.stock_adjust(variant_id=uuid.uuid4(), delta=5, reason="", actor="system")
    plenty = services.stock_adjust(variant_id=uuid.uuid4(), delta=6, reason="", actor="system")

    response = admin_client_logged_in.get(f"{ADMIN}/stock/", {"low_stock": "yes"})

    assert str(low.variant_id) in response.text
    assert str(plenty.variant_id) not in response.text


def test_stock_page_shows_each_warehouses_part(admin_client_logged_in):
    from stock import warehouses

    warehouses.warehouse_create(code="east", name="East coast", country="US", priority=10)
    warehouses.warehouse_create(code="west", name="West coast", country="US", priority=20)
    variant_id = uuid.uuid4()
    services.stock_adjust(variant_id=variant_id, delta=3, warehouse="east", reason="", actor="system")
    services.stock_adjust(variant_id=variant_id, delta=8, warehouse="west", reason="", actor="system")

    response = admin_client_logged_in.get(f"{ADMIN}/stock/{variant_id}/change/")

    assert response.status_code == 200
    rows = [row for row in response.text.split("<tr") if "coast (" in row]
    assert len(rows) == 2
    assert "East coast (east)" in rows[0] and ">3<" in rows[0]
    assert "West coast (west)" in rows[1] and ">8<" in rows[1]


def test_a_warehouse_that_held_stock_cannot_be_deleted_in_the_admin(admin_client_logged_in):
    from stock import warehouses

    used = warehouses.warehouse_create(code="east", name="East", country="US", priority=10)
    unused = warehouses.warehouse_create(code="west", name="West", country="US", priority=20)
    services.stock_adjust(variant_id=uuid.uuid4(), delta=1, warehouse="east", reason="", actor="system")

    refused = admin_client_logged_in.get(f"{ADMIN}/warehouse/{used.pk}/delete/")
    allowed = admin_client_logged_in.post(f"{ADMIN}/warehouse/{unused.pk}/delete/", {"post": "yes"})

    assert refused.status_code == 403
    assert allowed.status_code == 302
    assert list(warehouses.Warehouse.objects.values_list("code", flat=True)) == ["east"]


def test_reservation_page_shows_the_warehouses_it_took_from(admin_client_logged_in):
    from stock import warehouses
    from stock.models import Reservation

    warehouses.warehouse_create(code="east", name="East coast", country="US", priority=10)
    warehouses.warehouse_create(code="west", name="West coast", country="US", priority=20)
    variant_id, order_id = uuid.uuid4(), uuid.uuid4()
    services.stock_adjust(variant_id=variant_id, delta=1, warehouse="east", reason="", actor="system")
    services.stock_adjust(variant_id=variant_id, delta=5, warehouse="west", reason="", actor="system")
    services.stock_reserve_for_order(
        order_id=order_id, items=[{"variant_id": str(variant_id), "quantity": 3}], actor="t"
    )
    reservation = Reservation.objects.get(order_id=order_id)

    response = admin_client_logged_in.get(f"{ADMIN}/reservation/{reservation.pk}/change/")

    assert response.status_code == 200
    rows = [row for row in response.text.split("<tr") if "coast (" in row]
    assert ["East coast (east)" in rows[0], ">1<" in rows[0], "West coast (west)" in rows[1], ">2<" in rows[1]] == [
        True
    ] * 4


# ---------------------------------------------------------------------------
# Adjust and transfer from a stock's page, each with its reason
# ---------------------------------------------------------------------------
def _stock_in_two_warehouses():
    from stock.warehouses import warehouse_create

    warehouse_create(code="main", name="Main", country="US", priority=10)
    warehouse_create(code="eu", name="Europe", country="DE", priority=20)
    stock = services.stock_adjust(variant_id=uuid.uuid4(), delta=10, reason="delivery", actor="system")
    return stock, stock.variant_id


def test_staff_adjust_stock_with_a_reason_and_a_double_submit_counts_once(admin_client_logged_in):
    from stock.models import StockMovement

    stock, variant_id = _stock_in_two_warehouses()
    page = admin_client_logged_in.get(f"{ADMIN}/stock/{variant_id}/change/").content.decode()
    form = admin_client_logged_in.get(f"{ADMIN}/stock/{variant_id}/adjust/")
    body = {
        "warehouse": "eu",
        "delta": 4,
        "reason": "found in the back",
        "key": str(form.context["form"].initial["key"]),
    }

    done = admin_client_logged_in.post(f"{ADMIN}/stock/{variant_id}/adjust/", body, follow=True)
    admin_client_logged_in.post(f"{ADMIN}/stock/{variant_id}/adjust/", body)

    assert "Transfer between warehouses" in page
    assert "+4 unit(s) in eu: found in the back." in done.content.decode()
    stock.refresh_from_db()
    assert stock.on_hand == 14
    movement = StockMovement.objects.get(reason="found in the back")
    assert (movement.warehouse.code, movement.on_hand_delta, movement.actor) == ("eu", 4, "admin")


def test_a_transfer_of_more_than_is_available_is_refused_on_the_form(admin_client_logged_in):
    stock, variant_id = _stock_in_two_warehouses()
    body = {
        "from_warehouse": "main",
        "to_warehouse": "eu",
        "quantity": 11,
        "reason": "rebalance",
        "key": str(uuid.uuid4()),
    }

    refused = admin_client_logged_in.post(f"{ADMIN}/stock/{variant_id}/transfer/", body)
    moved = admin_client_logged_in.post(
        f"{ADMIN}/stock/{variant_id}/transfer/", {**body, "quantity": 6, "key": str(uuid.uuid4())}, follow=True
    )

    assert refused.status_code == 200
    assert "Not enough stock in main" in refused.content.decode()
    assert "6 unit(s) moved from main to eu." in moved.content.decode()
    stock.refresh_from_db()
    assert stock.on_hand == 10
    assert {p.warehouse.code: p.on_hand for p in stock.warehouse_stocks.all()} == {"main": 4, "eu": 6}


def test_the_dashboard_lists_the_variants_at_or_below_their_threshold():
    from stock.dashboard import figures

    low = services.stock_adjust(variant_id=uuid.uuid4(), delta=2, reason="", actor="system")
    services.stock_adjust(variant_id=uuid.uuid4(), delta=50, reason="", actor="system")

    assert figures() == {
        "low_stock_count": 1,
        "low_stock": [{"variant_id": str(low.variant_id), "available": 2, "threshold": low.low_stock_threshold}],
    }
