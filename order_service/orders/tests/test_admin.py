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


def _confirmed():
    from orders.models import OrderStatus
    from orders.services import order_transition

    return order_transition(order_id=order_placed().id, status=OrderStatus.CONFIRMED)


def test_staff_ship_from_the_order_page_then_mark_it_delivered(admin_client_logged_in):
    order = _confirmed()
    page = admin_client_logged_in.get(f"{ADMIN}/{order.id}/change/").content.decode()

    form = admin_client_logged_in.get(f"{ADMIN}/{order.id}/ship/")
    shipped = admin_client_logged_in.post(
        f"{ADMIN}/{order.id}/ship/", {"carrier": "UPS", "tracking_number": "1Z999"}, follow=True
    )
    delivered = admin_client_logged_in.post(
        f"{ADMIN}/", {"action": "deliver_selected", "_selected_action": [str(order.id)]}, follow=True
    )

    assert "Ship this order" in page
    assert form.status_code == 200 and "Tracking number" in form.content.decode()
    assert f"Order {order.id} shipped with UPS." in shipped.content.decode()
    assert "1 order(s) marked delivered." in delivered.content.decode()
    order.refresh_from_db()
    assert (order.status, order.shipment.tracking_number) == ("delivered", "1Z999")


def test_shipping_a_pending_order_from_the_admin_says_why_not(admin_client_logged_in):
    order = order_placed()

    response = admin_client_logged_in.post(f"{ADMIN}/{order.id}/ship/", {"carrier": "UPS", "tracking_number": "1Z"})

    assert response.status_code == 200
    assert "An order cannot go from pending to shipped." in response.content.decode()


def test_staff_without_the_change_permission_cannot_ship(client):
    staff = get_user_model().objects.create_user(username="clerk", email="clerk@example.com", is_staff=True)
    client.force_login(staff)
    order = _confirmed()

    response = client.post(f"{ADMIN}/{order.id}/ship/", {"carrier": "UPS", "tracking_number": "1Z"})

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == "confirmed"
