import uuid

from django.contrib.auth import get_user_model

from ecom_common.testing.admin import admin_force_login
from ecom_common.testing.events import deliver, event_envelope
from orders.tests.factories import order_placed

ADMIN = "/admin/orders/orders/order"


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


def _confirmed(*, stock_committed: bool = True):
    from django.utils import timezone

    from orders.models import OrderStatus
    from orders.services import order_transition

    order = order_transition(order_id=order_placed().id, status=OrderStatus.CONFIRMED)
    if stock_committed:  # as inventory.committed records it
        order.stock_committed_at = timezone.now()
        order.save(update_fields=["stock_committed_at"])
    return order


def test_the_ship_page_says_when_the_stock_is_not_committed_yet(admin_client_logged_in):
    order = _confirmed(stock_committed=False)

    page = admin_client_logged_in.post(f"{ADMIN}/{order.id}/ship/", {"carrier": "UPS", "tracking_number": "1Z"})

    assert page.status_code == 200
    assert "Inventory has not committed this order&#x27;s stock yet" in page.content.decode()
    order.refresh_from_db()
    assert order.status == "confirmed"


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
    admin_force_login(client, staff)
    order = _confirmed()

    response = client.post(f"{ADMIN}/{order.id}/ship/", {"carrier": "UPS", "tracking_number": "1Z"})

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == "confirmed"


# ---------------------------------------------------------------------------
# People, addresses and money as staff read them; cancel and refund with a confirmation
# ---------------------------------------------------------------------------
def test_an_order_shows_its_customer_by_name_and_email_and_its_address_as_text(admin_client_logged_in):
    order = order_placed()
    deliver(
        event_envelope(
            "user.registered",
            {"user_id": str(order.user_id), "email": "ada@example.com", "name": "Ada Lovelace", "token": "t"},
        )
    )

    listing = admin_client_logged_in.get(f"{ADMIN}/", {"q": "lovelace"})
    page = admin_client_logged_in.get(f"{ADMIN}/{order.id}/change/").content.decode()

    assert list(listing.context["cl"].result_list) == [order]
    assert "Ada Lovelace &lt;ada@example.com&gt;" in listing.content.decode()
    assert f"{order.total:.2f} {order.currency}" in listing.content.decode()
    assert "Ada Lovelace &lt;ada@example.com&gt;" in page
    assert "<address style='white-space:pre-line'>Ada Lovelace\n12 Analytical St\nN1 9GU London\nGB</address>" in page
    assert f'href="/admin/payments/payments/payment/?q={order.id}"' in page
    assert f'href="/admin/inventory/stock/stockmovement/?q={order.id}"' in page


def test_staff_cancel_a_confirmed_order_after_confirming(admin_client_logged_in):
    from ecom_common.testing.events import published_data

    order = _confirmed()

    question = admin_client_logged_in.get(f"{ADMIN}/{order.id}/cancel/").content.decode()
    order.refresh_from_db()
    assert order.status == "confirmed"  # asking changes nothing
    done = admin_client_logged_in.post(f"{ADMIN}/{order.id}/cancel/", follow=True).content.decode()

    assert "will be refunded in full" not in question  # the page says what happens, in its words
    assert f"voids the payment or refunds all of it: {order.total} {order.currency}" in question
    assert f"Order {order.id} cancelled: {order.total:.2f} {order.currency} will be refunded" in done
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "customer_request")
    [cancelled] = published_data("order.cancelled")
    assert (cancelled["previous_status"], cancelled["total"]) == ("confirmed", str(order.total))


def _delivered():
    from orders import fulfilment

    order = _confirmed()
    fulfilment.order_ship(order_id=order.id, carrier="UPS", tracking_number="1Z")
    return fulfilment.order_deliver(order_id=order.id)


def test_staff_refund_chosen_units_of_a_delivered_order_after_seeing_the_amount(admin_client_logged_in):
    from ecom_common.testing.events import published_data
    from orders.models import OrderReturn

    order = _delivered()
    line = order.lines.first()
    form = admin_client_logged_in.get(f"{ADMIN}/{order.id}/refund/")
    key = form.context["form"].initial["key"]
    choice = {f"line_{line.public_id}": 1, "reason": "arrived broken", "key": str(key)}

    review = admin_client_logged_in.post(f"{ADMIN}/{order.id}/refund/", choice)
    assert not OrderReturn.objects.exists()  # the review refunds nothing
    amount = review.context["amount"]
    done = admin_client_logged_in.post(f"{ADMIN}/{order.id}/refund/", {**choice, "confirm": "yes"}, follow=True)
    again = admin_client_logged_in.post(f"{ADMIN}/{order.id}/refund/", {**choice, "confirm": "yes"}, follow=True)

    assert amount == f"{line.paid_total / line.quantity:.2f} {order.currency}"
    assert f"{amount} refunded for return" in done.content.decode()
    [order_return] = OrderReturn.objects.all()  # the second click is the same refund
    assert (order_return.status, order_return.reason) == ("received", "arrived broken")
    assert [r["amount"] for r in published_data("order.return_received")] == [amount.split()[0]]
    assert again.status_code == 200


def test_refunding_more_units_than_returnable_is_refused_on_the_form(admin_client_logged_in):
    order = _delivered()
    line = order.lines.first()

    response = admin_client_logged_in.post(
        f"{ADMIN}/{order.id}/refund/", {f"line_{line.public_id}": line.quantity + 1, "key": str(uuid.uuid4())}
    )

    assert response.status_code == 200
    assert f"Ensure this value is less than or equal to {line.quantity}." in response.content.decode()


# ---------------------------------------------------------------------------
# The dashboard on the index
# ---------------------------------------------------------------------------
def test_the_index_shows_todays_orders_and_revenue_and_says_which_services_did_not_answer(
    admin_client_logged_in, settings
):
    settings.SERVICE_URLS = {
        **settings.SERVICE_URLS,
        "payment": "http://127.0.0.1:9",
        "inventory": "http://127.0.0.1:9",
    }
    paid = [_confirmed(), _confirmed()]
    order_placed()  # still pending

    page = admin_client_logged_in.get("/admin/orders/")
    dashboard = page.context["dashboard"]

    assert page.status_code == 200
    assert (dashboard["orders"]["today"]["placed"], dashboard["orders"]["today"]["paid"]) == (3, 2)
    revenue = sum(order.total for order in paid)
    assert dashboard["orders"]["today"]["revenue"] == {"USD": f"{revenue:.2f}"}
    assert dashboard["orders"]["sagas_in_flight"] == 1
    html = page.content.decode()
    assert f'<td id="revenue-today">{revenue:.2f} USD</td>' in html
    assert '<tr id="service-payment"><th>Payments</th><td colspan="3">unavailable</td></tr>' in html
    assert "Orders" in html and "Select an order to change" not in html  # the app list follows
