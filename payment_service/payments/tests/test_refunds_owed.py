"""Refunds owed: what a cancelled paid order or a received return must give back is a state the
payment service keeps and sweeps until the provider answers, never an event that dead-letters
after a short outage; a zero refund is recorded and announced without asking the provider."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ecom_common.testing.events import published_data
from payments import dashboard, services
from payments.models import Payment, Refund, SandboxCharge
from payments.providers import TransientProviderError
from payments.providers.sandbox import SandboxProvider
from payments.tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db


class OutageProvider(SandboxProvider):
    """The sandbox, with refunds and charge lookups that can be taken down, and a count of the
    refund calls that reached it."""

    refunds_down = False
    lookups_down = False
    lookups_blind = False  # answers "no such charge" (the charge is still in flight)
    refund_calls = 0

    def refund(self, **kwargs) -> str:
        type(self).refund_calls += 1
        if self.refunds_down:
            raise TransientProviderError("provider outage")
        return super().refund(**kwargs)

    def charge_lookup(self, *, idempotency_key):
        if self.lookups_down:
            raise TransientProviderError("provider outage")
        return None if self.lookups_blind else super().charge_lookup(idempotency_key=idempotency_key)


@pytest.fixture
def provider(settings):
    settings.PAYMENT_PROVIDER = f"{__name__}.OutageProvider"
    OutageProvider.refunds_down = OutageProvider.lookups_down = OutageProvider.lookups_blind = False
    OutageProvider.refund_calls = 0
    return OutageProvider


def charged(amount: str) -> Payment:
    payment = PaymentFactory(token="tok_visa", amount=Decimal(amount))
    services.payment_charge(payment_id=payment.id)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    return payment


def time_passes(seconds: float) -> None:
    """Moves every owed refund's next attempt ``seconds`` earlier, as if that much time passed."""
    for refund in Refund.objects.filter(status=Refund.Status.OWED):
        refund.next_attempt_at -= timedelta(seconds=seconds)
        refund.save(update_fields=["next_attempt_at"])


def recheck_due() -> None:
    """Makes every voided payment's next look at the provider due now."""
    Payment.objects.filter(void_recheck_at__isnull=False).update(void_recheck_at=timezone.now() - timedelta(seconds=1))


def test_a_cancellation_refund_the_provider_cannot_make_is_owed_and_the_sweep_makes_it_later(provider):
    payment = charged("12.00")
    provider.refunds_down = True

    services.payment_cancel(order_id=payment.order_id)  # does not raise: nothing dead-letters

    refund = Refund.objects.get()
    payment.refresh_from_db()
    assert (refund.status, refund.amount, refund.attempts) == (Refund.Status.OWED, Decimal("12.00"), 1)
    assert (payment.status, payment.refunded_amount) == (Payment.Status.SUCCEEDED, Decimal("0.00"))
    assert published_data("payment.refunded") == []
    assert dashboard.figures()["refunds_owed"] == 1
    assert dashboard.figures()["refunds_owed_amount"] == "12.00"

    assert services.payment_refunds_owed_retry() == 0  # not due yet: nothing is asked
    assert provider.refund_calls == 1
    for _ in range(20):  # an outage of any length: every due attempt fails, none gives up
        time_passes(10**6)
        services.payment_refunds_owed_retry()
    provider.refunds_down = False
    time_passes(10**6)
    assert services.payment_refunds_owed_retry() == 1

    refund.refresh_from_db()
    payment.refresh_from_db()
    assert (refund.status, refund.attempts) == (Refund.Status.SUCCEEDED, 22)
    assert refund.provider_reference == SandboxCharge.objects.get().refund_reference
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, Decimal("12.00"))
    assert [data["amount"] for data in published_data("payment.refunded")] == ["12.00"]
    assert dashboard.figures()["refunds_owed"] == 0


def test_an_owed_refund_waits_longer_after_each_failure_up_to_the_ceiling(provider, settings):
    settings.PAYMENT_REFUND_RETRY_SECONDS = 10
    settings.PAYMENT_REFUND_RETRY_MAX_SECONDS = 3600
    payment = charged("5.00")
    provider.refunds_down = True
    services.payment_cancel(order_id=payment.order_id)

    waits = []
    for _ in range(12):
        refund = Refund.objects.get()
        waits.append(round((refund.next_attempt_at - refund.updated_at).total_seconds()))
        time_passes(10**6)
        services.payment_refunds_owed_retry()

    assert waits == [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600, 3600]


def test_a_return_refund_the_provider_cannot_make_is_owed_until_it_can(provider):
    payment = charged("30.00")
    return_id = uuid.uuid4()
    provider.refunds_down = True

    services.payment_refund_return(order_id=payment.order_id, return_id=return_id, amount=Decimal("9.99"))
    services.payment_refund_return(order_id=payment.order_id, return_id=return_id, amount=Decimal("9.99"))  # again
    provider.refunds_down = False
    time_passes(10**6)
    services.payment_refunds_owed_retry()

    payment.refresh_from_db()
    assert list(Refund.objects.values_list("amount", "return_id", "status")) == [
        (Decimal("9.99"), return_id, Refund.Status.SUCCEEDED)
    ]
    assert (payment.status, payment.refunded_amount) == (Payment.Status.PARTIALLY_REFUNDED, Decimal("9.99"))
    assert [(data["amount"], data["return_id"]) for data in published_data("payment.refunded")] == [
        ("9.99", str(return_id))
    ]


def test_a_zero_return_refund_is_recorded_and_announced_without_the_provider(provider):
    """A line bought with a 100% voucher comes back: nothing to give, but the order must hear it."""
    payment = charged("20.00")
    return_id = uuid.uuid4()

    services.payment_refund_return(order_id=payment.order_id, return_id=return_id, amount=Decimal("0.00"))

    payment.refresh_from_db()
    assert provider.refund_calls == 0
    assert list(Refund.objects.values_list("amount", "status", "provider_reference")) == [
        (Decimal("0.00"), Refund.Status.SUCCEEDED, "")
    ]
    assert (payment.status, payment.refunded_amount) == (Payment.Status.SUCCEEDED, Decimal("0.00"))
    assert [(data["amount"], data["return_id"]) for data in published_data("payment.refunded")] == [
        ("0.00", str(return_id))
    ]


def test_cancelling_a_zero_payment_records_and_announces_a_zero_refund(provider):
    payment = charged("0.00")

    services.payment_cancel(order_id=payment.order_id)

    payment.refresh_from_db()
    assert provider.refund_calls == 0
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, Decimal("0.00"))
    assert [data["amount"] for data in published_data("payment.refunded")] == ["0.00"]


def test_a_charge_voided_on_lookup_that_settles_later_is_refunded_by_the_sweep(provider, settings):
    """Cancelled while its charge was in flight: the provider did not know it yet, so it was voided;
    the charge then went through. The sweep looks again and gives the money back."""
    payment = PaymentFactory(token="tok_visa", amount=Decimal("15.00"))
    provider.lookups_blind = True
    services.payment_cancel(order_id=payment.order_id)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.VOIDED
    SandboxProvider().charge(token="tok_visa", amount=payment.amount, currency="USD", idempotency_key=str(payment.id))
    provider.lookups_blind = False
    assert services.payment_voided_charges_recheck() == 0  # not due yet
    recheck_due()

    services.payment_voided_charges_recheck()

    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, Decimal("15.00"))
    assert payment.provider_reference == SandboxCharge.objects.get().reference
    assert [data["amount"] for data in published_data("payment.refunded")] == ["15.00"]
    assert published_data("payment.succeeded") == []  # the order is cancelled: no success to announce


def test_a_cancellation_whose_lookup_fails_voids_and_is_rechecked_not_dead_lettered(provider):
    payment = PaymentFactory(token="tok_timeoutAfterCharge", amount=Decimal("7.00"))
    services.payment_charge(payment_id=payment.id)  # charged, but timed out: still processing
    provider.lookups_down = True

    services.payment_cancel(order_id=payment.order_id)  # does not raise
    payment.refresh_from_db()
    assert payment.status == Payment.Status.VOIDED
    provider.lookups_down = False
    recheck_due()
    services.payment_voided_charges_recheck()

    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, Decimal("7.00"))


def test_the_recheck_leaves_a_payment_voided_before_any_charge_alone(provider):
    payment = PaymentFactory(token="tok_visa", status=Payment.Status.PROCESSING)
    services.payment_cancel(order_id=payment.order_id)  # never charged: the lookup finds nothing

    for _ in range(2):
        recheck_due()
        services.payment_voided_charges_recheck()

    payment.refresh_from_db()
    assert payment.status == Payment.Status.VOIDED
    assert payment.void_recheck_at is not None  # it keeps looking, less and less often, within the window
    assert SandboxCharge.objects.count() == 0
    assert published_data("payment.refunded") == []


def test_the_recheck_stops_after_its_window(provider, settings):
    settings.PAYMENT_VOID_RECHECK_SECONDS = 3600
    payment = PaymentFactory(token="tok_visa", amount=Decimal("15.00"))
    provider.lookups_blind = True
    services.payment_cancel(order_id=payment.order_id)
    Payment.objects.filter(id=payment.id).update(voided_at=timezone.now() - timedelta(seconds=3601))
    recheck_due()
    services.payment_voided_charges_recheck()  # nothing yet, and the window has closed
    payment.refresh_from_db()
    assert payment.void_recheck_at is None

    SandboxProvider().charge(token="tok_visa", amount=payment.amount, currency="USD", idempotency_key=str(payment.id))
    provider.lookups_blind = False
    services.payment_voided_charges_recheck()

    payment.refresh_from_db()
    assert payment.status == Payment.Status.VOIDED  # no longer looked at
