import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from ecom_common.testing.events import published_data
from payments import services
from payments.models import Payment, PaymentOrder, SandboxCharge
from payments.providers import ChargeResult, PaymentProvider, TransientProviderError
from payments.providers.sandbox import SandboxProvider
from payments.tests.factories import PaymentFactory


def processing(**fields) -> Payment:
    return PaymentFactory(status=Payment.Status.PROCESSING, **fields)


# ---------------------------------------------------------------------------
# payment_request
# ---------------------------------------------------------------------------
def test_request_creates_a_processing_payment_and_enqueues_its_charge(django_capture_on_commit_callbacks):
    order_id, user_id = uuid.uuid4(), uuid.uuid4()

    with django_capture_on_commit_callbacks() as callbacks:
        payment = services.payment_request(
            order_id=order_id, user_id=user_id, amount=Decimal("42.5"), currency="EUR", token="tok_visa"
        )

    payment.refresh_from_db()
    assert (payment.order_id, payment.user_id, payment.amount, payment.currency, payment.token, payment.status) == (
        order_id,
        user_id,
        Decimal("42.50"),
        "EUR",
        "tok_visa",
        Payment.Status.PROCESSING,
    )
    assert len(callbacks) == 1


def test_request_twice_keeps_the_one_payment_and_enqueues_nothing_more(django_capture_on_commit_callbacks):
    existing = PaymentFactory(amount=Decimal("10.00"))

    with django_capture_on_commit_callbacks() as callbacks:
        payment = services.payment_request(
            order_id=existing.order_id,
            user_id=existing.user_id,
            amount=Decimal("99.00"),
            currency="USD",
            token="tok_visa",
        )

    assert payment.id == existing.id
    assert Payment.objects.get().amount == Decimal("10.00")
    assert callbacks == []


def test_request_of_an_order_already_cancelled_makes_a_voided_payment(django_capture_on_commit_callbacks):
    order_id = uuid.uuid4()
    PaymentOrder.objects.create(order_id=order_id, cancelled_at=timezone.now())

    with django_capture_on_commit_callbacks() as callbacks:
        payment = services.payment_request(
            order_id=order_id, user_id=uuid.uuid4(), amount=Decimal("5.00"), currency="USD", token="tok_visa"
        )

    assert payment.status == Payment.Status.VOIDED
    assert callbacks == []


# ---------------------------------------------------------------------------
# payment_charge
# ---------------------------------------------------------------------------
def test_tok_visa_succeeds_and_publishes_payment_succeeded():
    payment = processing(token="tok_visa", amount=Decimal("19.99"))

    services.payment_charge(payment_id=payment.id)

    payment.refresh_from_db()
    reference = SandboxCharge.objects.get().reference
    assert (payment.status, payment.provider_reference, payment.attempts) == (Payment.Status.SUCCEEDED, reference, 1)
    assert published_data("payment.succeeded") == [
        {
            "order_id": str(payment.order_id),
            "user_id": str(payment.user_id),
            "payment_id": str(payment.id),
            "amount": "19.99",
            "currency": "USD",
            "provider_reference": reference,
        }
    ]
    assert published_data("payment.failed") == []


def test_tok_charge_declined_fails_and_publishes_payment_failed_declined():
    payment = processing(token="tok_chargeDeclined", amount=Decimal("7.00"))

    services.payment_charge(payment_id=payment.id)

    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == (Payment.Status.FAILED, "card_declined")
    assert published_data("payment.failed") == [
        {
            "order_id": str(payment.order_id),
            "user_id": str(payment.user_id),
            "payment_id": str(payment.id),
            "amount": "7.00",
            "currency": "USD",
            "reason": "declined",
        }
    ]
    assert published_data("payment.succeeded") == []


def test_processing_error_is_counted_and_left_processing_for_a_retry(settings):
    settings.PAYMENT_MAX_ATTEMPTS = 4
    payment = processing(token="tok_processingError")

    services.payment_charge(payment_id=payment.id)

    payment.refresh_from_db()
    assert (payment.status, payment.attempts) == (Payment.Status.PROCESSING, 1)
    assert published_data("payment.failed") == []


def test_processing_error_fails_with_processing_error_after_the_last_attempt(settings):
    settings.PAYMENT_MAX_ATTEMPTS = 4
    payment = processing(token="tok_processingError", amount=Decimal("3.00"))

    for _ in range(4):
        services.payment_charge(payment_id=payment.id)

    payment.refresh_from_db()
    assert (payment.status, payment.attempts, payment.failure_reason) == (
        Payment.Status.FAILED,
        4,
        "processing_error",
    )
    assert published_data("payment.failed") == [
        {
            "order_id": str(payment.order_id),
            "user_id": str(payment.user_id),
            "payment_id": str(payment.id),
            "amount": "3.00",
            "currency": "USD",
            "reason": "processing_error",
        }
    ]


def test_charging_twice_charges_once():
    payment = processing(token="tok_visa")

    services.payment_charge(payment_id=payment.id)
    services.payment_charge(payment_id=payment.id)

    assert SandboxCharge.objects.count() == 1
    assert len(published_data("payment.succeeded")) == 1
    assert Payment.objects.get().attempts == 1


def test_a_charge_rerun_after_a_crash_reuses_the_provider_charge():
    # given: the provider charged, but the crash lost our status update
    payment = processing(token="tok_visa")
    first = SandboxProvider().charge(
        token="tok_visa", amount=payment.amount, currency=payment.currency, idempotency_key=str(payment.id)
    )

    # when
    services.payment_charge(payment_id=payment.id)

    # then
    payment.refresh_from_db()
    assert (payment.status, payment.provider_reference) == (Payment.Status.SUCCEEDED, first.reference)
    assert SandboxCharge.objects.count() == 1
    assert len(published_data("payment.succeeded")) == 1


@pytest.mark.parametrize("status", [Payment.Status.VOIDED, Payment.Status.FAILED, Payment.Status.REFUNDED])
def test_charge_of_a_payment_not_processing_does_nothing(status):
    payment = PaymentFactory(status=status)

    services.payment_charge(payment_id=payment.id)

    assert Payment.objects.get().status == status
    assert SandboxCharge.objects.count() == 0


class RecordingProvider(PaymentProvider):
    """A processor outside the system: approves everything and remembers what it was asked."""

    calls: list[dict] = []

    def charge(self, *, token, amount, currency, idempotency_key):
        self.calls.append({"token": token, "amount": amount, "currency": currency, "key": idempotency_key})
        return ChargeResult(approved=True, reference="ext_ref_1")

    def refund(self, *, reference, amount, currency, idempotency_key):
        return "ext_refund_1"


class AlwaysDownProvider(PaymentProvider):
    def charge(self, *, token, amount, currency, idempotency_key):
        raise TransientProviderError("down")

    def charge_lookup(self, *, idempotency_key):
        return None  # the charges never reached it


def test_the_provider_is_chosen_by_setting(settings):
    settings.PAYMENT_PROVIDER = f"{__name__}.RecordingProvider"
    RecordingProvider.calls = []
    payment = processing(token="tok_anything", amount=Decimal("8.00"), currency="EUR")

    services.payment_charge(payment_id=payment.id)

    payment.refresh_from_db()
    assert RecordingProvider.calls == [
        {"token": "tok_anything", "amount": Decimal("8.00"), "currency": "EUR", "key": str(payment.id)}
    ]
    assert (payment.status, payment.provider_reference) == (Payment.Status.SUCCEEDED, "ext_ref_1")
    assert SandboxCharge.objects.count() == 0


def test_a_transient_error_of_any_provider_is_retried(settings):
    settings.PAYMENT_PROVIDER = f"{__name__}.AlwaysDownProvider"
    settings.PAYMENT_MAX_ATTEMPTS = 2
    payment = processing()

    services.payment_charge(payment_id=payment.id)
    services.payment_charge(payment_id=payment.id)

    payment.refresh_from_db()
    assert (payment.status, payment.attempts, payment.failure_reason) == (Payment.Status.FAILED, 2, "processing_error")


# ---------------------------------------------------------------------------
# payment_cancel
# ---------------------------------------------------------------------------
def test_cancel_after_success_refunds_and_publishes_payment_refunded_not_voided():
    payment = processing(token="tok_visa", amount=Decimal("12.00"))
    services.payment_charge(payment_id=payment.id)

    services.payment_cancel(order_id=payment.order_id)

    payment.refresh_from_db()
    charge = SandboxCharge.objects.get()
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, Decimal("12.00"))
    assert payment.refunded_at is not None
    assert payment.refund_reference == charge.refund_reference
    assert list(payment.refunds.values_list("amount", "return_id")) == [(Decimal("12.00"), None)]
    assert published_data("payment.refunded") == [
        {
            "order_id": str(payment.order_id),
            "user_id": str(payment.user_id),
            "payment_id": str(payment.id),
            "amount": "12.00",
            "currency": "USD",
            "refunded_amount": "12.00",
            "return_id": None,
            "provider_reference": charge.reference,
        }
    ]
    assert published_data("payment.voided") == []


# ---------------------------------------------------------------------------
# payment_refund_return: partial refunds of received returns
# ---------------------------------------------------------------------------
def test_returns_refund_exactly_their_amounts_once_each_until_the_charge_is_given_back():
    payment = processing(token="tok_visa", amount=Decimal("30.00"))
    services.payment_charge(payment_id=payment.id)
    first, second = uuid.uuid4(), uuid.uuid4()

    services.payment_refund_return(order_id=payment.order_id, return_id=first, amount=Decimal("9.99"))
    services.payment_refund_return(order_id=payment.order_id, return_id=first, amount=Decimal("9.99"))  # again
    payment.refresh_from_db()
    partly = (payment.status, payment.refunded_amount)
    services.payment_refund_return(order_id=payment.order_id, return_id=second, amount=Decimal("20.01"))

    payment.refresh_from_db()
    assert partly == (Payment.Status.PARTIALLY_REFUNDED, Decimal("9.99"))
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, Decimal("30.00"))
    assert sorted(payment.refunds.values_list("amount", flat=True)) == [Decimal("9.99"), Decimal("20.01")]
    assert sorted(SandboxCharge.objects.get().refunds.values_list("amount", flat=True)) == [
        Decimal("9.99"),
        Decimal("20.01"),
    ]
    assert [
        (data["amount"], data["refunded_amount"], data["return_id"]) for data in published_data("payment.refunded")
    ] == [
        ("9.99", "9.99", str(first)),
        ("20.01", "30.00", str(second)),
    ]


def test_a_return_refund_beyond_what_is_left_is_refused_and_moves_no_money():
    payment = processing(token="tok_visa", amount=Decimal("10.00"))
    services.payment_charge(payment_id=payment.id)
    services.payment_refund_return(order_id=payment.order_id, return_id=uuid.uuid4(), amount=Decimal("6.00"))

    with pytest.raises(ValueError, match=r"4\.00 is left"):
        services.payment_refund_return(order_id=payment.order_id, return_id=uuid.uuid4(), amount=Decimal("6.00"))

    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("6.00")
    assert SandboxCharge.objects.get().refunds.count() == 1


def test_cancel_before_the_charge_voids_the_payment_and_it_is_never_charged():
    payment = PaymentFactory(status=Payment.Status.PROCESSING)

    services.payment_cancel(order_id=payment.order_id)
    services.payment_charge(payment_id=payment.id)

    assert Payment.objects.get().status == Payment.Status.VOIDED
    assert SandboxCharge.objects.count() == 0
    assert published_data("payment.succeeded") == []
    assert published_data("payment.voided") == [
        {"order_id": str(payment.order_id), "user_id": str(payment.user_id), "payment_id": str(payment.id)}
    ]


@pytest.mark.parametrize("status", [Payment.Status.FAILED, Payment.Status.REFUNDED, Payment.Status.VOIDED])
def test_cancel_of_a_settled_payment_does_nothing(status):
    payment = PaymentFactory(status=status)

    services.payment_cancel(order_id=payment.order_id)

    assert Payment.objects.get().status == status
    assert published_data("payment.refunded") == []
    # Nothing is charged: the cancellation is answered at once, for the order's saga.
    assert published_data("payment.voided") == [
        {"order_id": str(payment.order_id), "user_id": str(payment.user_id), "payment_id": str(payment.id)}
    ]


def test_cancel_without_a_payment_is_remembered():
    order_id, user_id = uuid.uuid4(), uuid.uuid4()

    services.payment_cancel(order_id=order_id, user_id=user_id)

    assert PaymentOrder.objects.get().order_id == order_id
    assert PaymentOrder.objects.get().is_cancelled
    assert Payment.objects.count() == 0
    assert published_data("payment.voided") == [
        {"order_id": str(order_id), "user_id": str(user_id), "payment_id": None}
    ]


# ---------------------------------------------------------------------------
# Ambiguous provider errors: a timeout after the money moved
# ---------------------------------------------------------------------------
def test_a_charge_that_timed_out_after_going_through_is_settled_as_succeeded_not_failed(settings):
    settings.PAYMENT_MAX_ATTEMPTS = 1
    payment = processing(token="tok_timeoutAfterCharge", amount=Decimal("15.00"))

    services.payment_charge(payment_id=payment.id)

    payment.refresh_from_db()
    charge = SandboxCharge.objects.get()
    assert (payment.status, payment.provider_reference) == (Payment.Status.SUCCEEDED, charge.reference)
    assert published_data("payment.failed") == []
    assert len(published_data("payment.succeeded")) == 1


def test_a_cancelled_order_whose_charge_timed_out_after_going_through_is_refunded_not_voided():
    payment = processing(token="tok_timeoutAfterCharge", amount=Decimal("15.00"))
    services.payment_charge(payment_id=payment.id)  # times out: still processing, but charged
    assert Payment.objects.get().status == Payment.Status.PROCESSING

    services.payment_cancel(order_id=payment.order_id)

    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, Decimal("15.00"))
    assert list(SandboxCharge.objects.get().refunds.values_list("amount", flat=True)) == [Decimal("15.00")]
    assert [data["amount"] for data in published_data("payment.refunded")] == ["15.00"]


def test_a_retried_charge_after_the_timeout_finds_the_first_one_and_charges_once():
    payment = processing(token="tok_timeoutAfterCharge", amount=Decimal("15.00"))

    services.payment_charge(payment_id=payment.id)
    services.payment_charge(payment_id=payment.id)

    assert Payment.objects.get().status == Payment.Status.SUCCEEDED
    assert SandboxCharge.objects.count() == 1


def test_the_dashboard_figures_count_the_last_weeks_outcomes():
    from payments.dashboard import figures
    from payments.tests.factories import PaymentFactory

    PaymentFactory(status=Payment.Status.SUCCEEDED)
    PaymentFactory(status=Payment.Status.REFUNDED)
    PaymentFactory(status=Payment.Status.FAILED)
    PaymentFactory(status=Payment.Status.PROCESSING)

    assert figures() == {
        "payments_7d_succeeded": 2,
        "payments_7d_failed": 1,
        "payment_success_rate_7d": 0.667,
        "refunds_owed": 0,
        "refunds_owed_amount": "0.00",
    }
