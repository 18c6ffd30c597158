import pytest
from django.contrib.auth import get_user_model

from ecom_common.testing.events import deliver, event_envelope
from orders.tests.factories import order_placed

ADMIN = "/admin/orders/orders/order"


@pytest.fixture
def admin_client_logged_in(client):
    admin = get_user_model().objects.create_superuser(username="admin", email="admin@example.com", password=None)
    client.force_login(admin)
    return client


def test_changelist_filters_and_searches(admin_client_logged_in):
    order = order_placed()

    response = admin_client_logged_in.get(f"{ADMIN}/", {"status": "pending", "q": str(order.user_id)})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [order]


def test_change_page_shows_the_saga_timeline(admin_client_logged_in):
    # given: order.created went out, inventory.reserved came in
    order = order_placed()
    deliver(
        event_envelope(
            "inventory.reserved",
            {"order_id": str(order.id), "items": [], "expires_at": "2026-01-01T00:00:00Z"},
            correlation_id=order.saga.correlation_id,
        )
    )

    # when
    response = admin_client_logged_in.get(f"{ADMIN}/{order.id}/change/")

    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "<td>out</td><td>order.created</td>" in page
    assert "<td>in</td><td>inventory.reserved</td>" in page
    assert page.index("order.created</td>") < page.index("inventory.reserved</td>")
    assert "awaiting_payment" in page or "Awaiting payment" in page
