import uuid

import pytest

from ecom_common.testing.events import deliver, event_envelope, published_data
from payments.models import Payment, SandboxCharge
from payments.services import payment_charge


def payment_requested(order_id: str, token: str = "tok_visa") -> dict:
    return event_envelope(
        "order.payment_requested",
        {
            "order_id": order_id,
            "user_id": str(uuid.uuid4()),
            "amount": "20.00",
            "currency": "USD",
            "payment_token": token,
        },
    )


def order_cancelled(order_id: str) -> dict:
    return event_envelope(
        "order.cancelled",
        {
            "order_id": order_id,
            "user_id": str(uuid.uuid4()),
            "reason": "customer_request",
            "previous_status": "pending",
            "items": [],
        },
    )


def charge_of(order_id: str) -> Payment:
    payment = Payment.objects.get(order_id=order_id)
    payment_charge(payment_id=payment.id)  # what payment_charge_task does
    payment.refresh_from_db()
    return payment


@pytest.fixture
def order_id() -> str:
    return str(uuid.uuid4())


def test_payment_requested_makes_the_payment_and_enqueues_its_charge_once_even_when_delivered_twice(
    order_id, django_capture_on_commit_callbacks
):
    envelope = payment_requested(order_id)

    with django_capture_on_commit_callbacks() as callbacks:
        deliver(envelope)
        deliver(envelope)

    payment = Payment.objects.get()
    assert (str(payment.order_id), payment.status, str(payment.amount), payment.token) == (
        order_id,
        Payment.Status.PROCESSING,
        "20.00",
        "tok_visa",
    )
    assert len(callbacks) == 1


def test_the_whole_checkout_charges_once_when_every_event_is_delivered_twice(order_id):
    envelope = payment_requested(order_id)
    deliver(envelope)
    deliver(envelope)

    charge_of(order_id)
    payment = charge_of(order_id)

    assert payment.status == Payment.Status.SUCCEEDED
    assert SandboxCharge.objects.count() == 1
    assert len(published_data("payment.succeeded")) == 1


def test_order_cancelled_after_success_refunds_once_even_when_delivered_twice(order_id):
    deliver(payment_requested(order_id))
    charge_of(order_id)
    envelope = order_cancelled(order_id)

    deliver(envelope)
    deliver(envelope)

    payment = Payment.objects.get()
    assert payment.status == Payment.Status.REFUNDED
    assert len(published_data("payment.refunded")) == 1
    assert SandboxCharge.objects.get().refund_reference == payment.refund_reference


def test_order_cancelled_before_the_charge_runs_means_no_charge_ever(order_id):
    deliver(payment_requested(order_id))
    deliver(order_cancelled(order_id))

    payment = charge_of(order_id)

    assert payment.status == Payment.Status.VOIDED
    assert SandboxCharge.objects.count() == 0
    assert published_data("payment.succeeded") == []
    assert published_data("payment.failed") == []


def test_order_cancelled_before_payment_requested_leaves_no_chargeable_payment(order_id):
    deliver(order_cancelled(order_id))

    deliver(payment_requested(order_id))
    payment = charge_of(order_id)

    assert payment.status == Payment.Status.VOIDED
    assert SandboxCharge.objects.count() == 0
    assert published_data("payment.succeeded") == []


def test_declined_card_publishes_payment_failed_once(order_id):
    deliver(payment_requested(order_id, token="tok_chargeDeclined"))

    charge_of(order_id)
    charge_of(order_id)

    assert Payment.objects.get().status == Payment.Status.FAILED
    assert [data["reason"] for data in published_data("payment.failed")] == ["declined"]


@pytest.mark.django_db(transaction=True)
def test_a_charge_made_right_after_the_request_continues_the_sagas_correlation_and_trace(order_id):
    from ecom_common.testing.events import published

    envelope = payment_requested(order_id)
    envelope["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    deliver(envelope)  # committed for real: the charge runs right after, in this worker

    (succeeded,) = published("payment.succeeded")
    assert (succeeded["correlation_id"], succeeded["causation_id"], succeeded["traceparent"]) == (
        envelope["correlation_id"],
        envelope["id"],
        envelope["traceparent"],
    )
