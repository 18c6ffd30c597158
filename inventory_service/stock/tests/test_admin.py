import uuid

import pytest
from django.contrib.auth import get_user_model

from stock import services
from stock.tests.factories import ReservationFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin/inventory/stock"


@pytest.fixture
def admin_client_logged_in(client):
    admin = get_user_model().objects.create_superuser(username="admin", email="admin@example.com", password=None)
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("stock/", {}),
        ("stock/", {"low_stock": "yes"}),
        ("stock/", {"q": "0"}),
        ("reservation/", {"status__exact": "held"}),
        ("stockmovement/", {"kind__exact": "adjustment"}),
        ("inventoryorder/", {}),
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
