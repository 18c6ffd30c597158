"""The saga's steps as inventory and payment report them: once each, in any order."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from ecom_common.models import InboxEvent
from ecom_common.testing.events import deliver, event_envelope, published, published_data
from ecom_common.testing.metrics import metric_samples
from orders.dashboard import compensation_figures
from orders.models import CheckoutSaga, Order, SagaState
from orders.services import saga_expire_overdue
from orders.tests.factories import items_of, order_placed


@pytest.fixture
def order() -> Order:
    return order_placed(quantity=2)


def saga_event(type: str, order: Order, **data) -> dict:
    saga = CheckoutSaga.objects.get(order=order)
    return event_envelope(type, {"order_id": str(order.id), **data}, correlation_id=saga.correlation_id)


def reserved(order):
    line = order.lines.get()
    items = [{"product_id": str(line.product_id), "quantity": line.quantity}]
    return saga_event("inventory.reserved", order, items=items, expires_at="2026-01-01T00:00:00Z")


def payment(type: str, order, **data):
    return saga_event(type, order, payment_id=str(uuid.uuid4()), amount=str(order.total), currency="USD", **data)


def state(order: Order) -> tuple:
    order.refresh_from_db()
    history = [(change.status, change.reason) for change in order.status_history.all()]
    return order.status, order.cancel_reason, order.saga.state, history


def cancelled_data(order: Order, reason: str, previous_status: str = "pending") -> dict:
    return {
        "order_id": str(order.id),
        "user_id": str(order.user_id),
        "reason": reason,
        "previous_status": previous_status,
        "items": items_of(order),
        "total": str(order.total),
        "currency": order.currency,
    }


def test_stock_reserved_asks_payment_to_charge_once_and_forgets_the_token(order):
    envelope = reserved(order)

    deliver(envelope)
    deliver(envelope)

    assert state(order) == ("pending", None, SagaState.AWAITING_PAYMENT, [("pending", None)])
    assert published_data("order.payment_requested") == [
        {
            "order_id": str(order.id),
            "user_id": str(order.user_id),
            "amount": str(order.total),
            "currency": "USD",
            "payment_token": "tok_visa",
        }
    ]
    assert CheckoutSaga.objects.get(order=order).payment_token == ""
    assert published("order.confirmed") == published("order.cancelled") == []


def test_stock_reserved_for_an_order_cancelled_meanwhile_asks_no_payment(order):
    saga_expire_overdue(now=timezone.now() + timedelta(hours=1))

    deliver(reserved(order))

    assert state(order)[:3] == ("cancelled", "payment_timeout", SagaState.COMPENSATING)
    assert published("order.payment_requested") == []
    assert CheckoutSaga.objects.get(order=order).payment_token == ""


def test_payment_requested_is_the_only_event_with_the_token(order):
    deliver(reserved(order))
    deliver(payment("payment.succeeded", order, provider_reference="ch_1"))

    carrying = [envelope["type"] for envelope in published() if "payment_token" in envelope["data"]]
    assert carrying == ["order.payment_requested"]


def test_reservation_failed_cancels_out_of_stock_once(order):
    envelope = saga_event("inventory.reservation_failed", order, reason="out_of_stock", items=[])

    assert deliver(envelope) == ["orders.handlers.order_cancel_on_reservation_failed"]
    assert deliver(envelope) == []

    assert state(order) == (
        "cancelled",
        "out_of_stock",
        SagaState.COMPENSATING,
        [("pending", None), ("cancelled", "out_of_stock")],
    )
    assert published_data("order.cancelled") == [cancelled_data(order, "out_of_stock")]


def test_payment_succeeded_confirms_once(order):
    deliver(reserved(order))
    envelope = payment("payment.succeeded", order, provider_reference="ch_1")

    deliver(envelope)
    deliver(envelope)

    assert state(order) == ("confirmed", None, SagaState.COMPLETED, [("pending", None), ("confirmed", None)])
    assert published_data("order.confirmed") == [
        {
            "order_id": str(order.id),
            "user_id": str(order.user_id),
            "items": items_of(order),
            # the priced breakdown, as at checkout (a receipt needs it)
            "subtotal": str(order.total),
            "discount_total": "0.00",
            "shipping_total": "0.00",
            "tax_total": "0.00",
            "total": str(order.total),
            "currency": "USD",
            "tax_included": False,
            "discounts": [],
            "shipping_method": None,
            "tax": None,
        }
    ]


def test_payment_failed_cancels_declined_once(order):
    deliver(reserved(order))
    envelope = payment("payment.failed", order, reason="declined")

    deliver(envelope)
    deliver(envelope)

    assert state(order) == (
        "cancelled",
        "payment_declined",
        SagaState.COMPENSATING,
        [("pending", None), ("cancelled", "payment_declined")],
    )
    assert published_data("order.cancelled") == [cancelled_data(order, "payment_declined")]


def test_a_lapsed_reservation_does_not_cancel_the_saga_its_deadline_is_the_one_clock(order):
    deliver(reserved(order))
    envelope = saga_event("inventory.released", order, items=items_of(order), reason="expired")

    deliver(envelope)

    assert state(order) == ("pending", None, SagaState.AWAITING_PAYMENT, [("pending", None)])
    assert published("order.cancelled") == []


def test_commit_failed_cancels_the_paid_order_out_of_stock_once(order):
    deliver(reserved(order))
    deliver(payment("payment.succeeded", order, provider_reference="ch_1"))
    envelope = saga_event("inventory.commit_failed", order, reason="out_of_stock", items=[])

    deliver(envelope)
    deliver(envelope)

    assert state(order) == (
        "cancelled",
        "out_of_stock",
        SagaState.COMPENSATING,
        [("pending", None), ("confirmed", None), ("cancelled", "out_of_stock")],
    )
    assert published_data("order.cancelled") == [cancelled_data(order, "out_of_stock", previous_status="confirmed")]


def test_release_after_our_cancellation_changes_nothing_but_the_saga(order):
    deliver(payment("payment.failed", order, reason="declined"))

    deliver(saga_event("inventory.released", order, items=items_of(order), reason="order_cancelled"))

    assert state(order)[:2] == ("cancelled", "payment_declined")
    assert len(published_data("order.cancelled")) == 1


def test_payment_succeeded_the_saga_never_asked_for_is_not_trusted(order):
    deliver(payment("payment.succeeded", order, provider_reference="ch_1"))

    assert state(order) == ("pending", None, SagaState.AWAITING_STOCK, [("pending", None)])
    assert published("order.confirmed") == []


def test_late_payment_after_the_timeout_leaves_the_order_cancelled(order):
    # given: the deadline passed and the beat task cancelled it
    deliver(reserved(order))
    saga_expire_overdue(now=timezone.now() + timedelta(hours=1))

    # when
    deliver(payment("payment.succeeded", order, provider_reference="ch_1"))

    # then: payment refunds on order.cancelled by itself
    assert state(order)[:2] == ("cancelled", "payment_timeout")
    assert published("order.confirmed") == []
    assert [data["reason"] for data in published_data("order.cancelled")] == ["payment_timeout"]


@pytest.mark.parametrize("type", ["inventory.committed", "inventory.released"])
def test_later_steps_are_recorded_in_the_saga_timeline(order, type):
    envelope = saga_event(type, order, items=items_of(order), payment_id=str(uuid.uuid4()))

    deliver(envelope)
    deliver(envelope)

    saga = CheckoutSaga.objects.get(order=order)
    assert list(
        InboxEvent.objects.filter(correlation_id=saga.correlation_id).values_list("event_type", flat=True)
    ) == [type]
    assert state(order)[0] == "pending"


def test_events_published_by_the_saga_share_its_correlation_id(order):
    saga = CheckoutSaga.objects.get(order=order)

    deliver(reserved(order))
    deliver(payment("payment.succeeded", order, provider_reference="ch_1"))

    assert [envelope["type"] for envelope in published()] == [
        "order.created",
        "order.payment_requested",
        "order.confirmed",
    ]
    assert [envelope["correlation_id"] for envelope in published()] == [saga.correlation_id] * 3


def test_event_for_an_unknown_order_is_ignored():
    envelope = event_envelope("payment.succeeded", {"order_id": str(uuid.uuid4())})

    assert deliver(envelope) == ["orders.handlers.order_confirm_on_payment_succeeded"]
    assert published() == []


# ---------------------------------------------------------------------------
# Compensation, orchestrated: each participant answers order.cancelled, the saga records it
# ---------------------------------------------------------------------------
def compensation(order: Order) -> tuple:
    order.refresh_from_db()
    saga = order.saga
    return (
        saga.state,
        saga.stock_compensated_at is not None,
        saga.payment_compensated_at is not None,
        order.refund_status,
    )


def test_a_declined_order_is_compensated_once_its_units_are_released_and_payment_voided(order):
    deliver(reserved(order))
    deliver(payment("payment.failed", order, reason="declined"))
    assert compensation(order) == (SagaState.COMPENSATING, False, False, "none")

    released = saga_event("inventory.released", order, items=items_of(order), reason="order_cancelled")
    deliver(released)
    deliver(released)
    assert compensation(order) == (SagaState.COMPENSATING, True, False, "none")

    deliver(saga_event("payment.voided", order, user_id=str(order.user_id), payment_id=None))
    assert compensation(order) == (SagaState.COMPENSATED, True, True, "none")


def test_a_paid_order_cancelled_is_refund_pending_until_payment_refunds_it(order):
    deliver(reserved(order))
    deliver(payment("payment.succeeded", order, provider_reference="ch_1"))
    deliver(saga_event("inventory.commit_failed", order, reason="out_of_stock", items=[]))
    assert compensation(order) == (SagaState.COMPENSATING, False, False, "pending")

    deliver(saga_event("inventory.restocked", order, items=items_of(order), reason="order_cancelled"))
    assert compensation(order) == (SagaState.COMPENSATING, True, False, "pending")

    deliver(payment("payment.refunded", order, refunded_amount=str(order.total), return_id=None))
    assert compensation(order) == (SagaState.COMPENSATED, True, True, "refunded")
    assert order.refunded_total == order.total


def test_a_reservation_that_expired_is_no_answer_to_a_cancellation(order):
    deliver(reserved(order))
    deliver(payment("payment.failed", order, reason="declined"))

    deliver(saga_event("inventory.released", order, items=items_of(order), reason="expired"))

    assert compensation(order) == (SagaState.COMPENSATING, False, False, "none")


def test_compensations_past_the_alert_are_counted_on_the_dashboard_and_in_metrics(order, settings, client):
    settings.ORDER_COMPENSATION_ALERT_SECONDS = 60
    deliver(payment("payment.failed", order, reason="declined"))
    other = order_placed(quantity=1)
    deliver(payment("payment.failed", other, reason="declined"))
    CheckoutSaga.objects.filter(order=order).update(compensating_since=timezone.now() - timedelta(seconds=61))

    assert compensation_figures(timezone.now()) == {"sagas_compensating": 2, "compensations_overdue": 1}
    samples = metric_samples(client)
    assert (samples[("ecom_sagas_compensating", ())], samples[("ecom_compensations_overdue", ())]) == (2, 1)
