import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from cart.tests.factories import CatalogVariantFactory
from ecom_common.errors import ConflictError
from ecom_common.testing.concurrency import race
from ecom_common.testing.events import published
from orders.models import CancelReason, CheckoutSaga, Order, OrderStatus
from orders.services import order_place, order_transition, saga_expire_overdue
from orders.tests.factories import ADDRESS, order_placed


def test_overdue_pending_orders_are_cancelled_with_payment_timeout():
    # given
    overdue = order_placed()
    CheckoutSaga.objects.filter(order=overdue).update(deadline=timezone.now() - timedelta(seconds=1))
    in_time = order_placed()

    # when
    expired = saga_expire_overdue()

    # then
    assert expired == 1
    overdue.refresh_from_db()
    in_time.refresh_from_db()
    assert (overdue.status, overdue.cancel_reason) == ("cancelled", "payment_timeout")
    assert in_time.status == "pending"
    cancelled = published("order.cancelled")
    assert [(e["data"]["order_id"], e["correlation_id"]) for e in cancelled] == [
        (str(overdue.id), overdue.saga.correlation_id)
    ]


def test_confirmed_orders_never_expire():
    order = order_placed()
    order_transition(order_id=order.id, status=OrderStatus.CONFIRMED)

    assert saga_expire_overdue(now=timezone.now() + timedelta(hours=1)) == 0

    order.refresh_from_db()
    assert order.status == "confirmed"


@pytest.mark.parametrize(
    ("moves", "illegal"),
    [
        ([], (OrderStatus.PENDING, None)),
        ([(OrderStatus.CONFIRMED, None)], (OrderStatus.CONFIRMED, None)),
        ([(OrderStatus.CONFIRMED, None)], (OrderStatus.CANCELLED, CancelReason.PAYMENT_TIMEOUT)),
        ([(OrderStatus.CANCELLED, CancelReason.OUT_OF_STOCK)], (OrderStatus.CONFIRMED, None)),
        ([(OrderStatus.CANCELLED, CancelReason.OUT_OF_STOCK)], (OrderStatus.CANCELLED, CancelReason.CUSTOMER_REQUEST)),
        ([], (OrderStatus.CANCELLED, None)),
        ([], (OrderStatus.CONFIRMED, CancelReason.CUSTOMER_REQUEST)),
    ],
)
def test_illegal_transitions_are_refused(moves, illegal):
    order = order_placed()
    for status, reason in moves:
        order_transition(order_id=order.id, status=status, reason=reason)
    history_before = order.status_history.count()
    events_before = len(published())

    with pytest.raises(ConflictError):
        order_transition(order_id=order.id, status=illegal[0], reason=illegal[1])

    assert order.status_history.count() == history_before
    assert len(published()) == events_before


@pytest.mark.django_db(transaction=True)
def test_concurrent_checkouts_with_one_key_make_one_order():
    # given
    product = CatalogVariantFactory()
    user_id, key = str(uuid.uuid4()), uuid.uuid4()
    results, errors = [], []

    def place():
        try:
            order = order_place(
                user_id=user_id,
                idempotency_key=key,
                shipping_address=ADDRESS,
                payment_token="tok_visa",
                items=[{"product_id": product.product_id, "quantity": 1}],
            )
            results.append(order.id)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    # when
    race(place, [()] * 2)

    # then
    assert errors == []
    assert Order.objects.count() == 1
    assert results == [Order.objects.get().id] * 2
    assert len(published("order.created")) == 1
