from datetime import timedelta

from django.utils import timezone

from ecom_common.testing.events import published_data
from payments.models import Payment, SandboxCharge
from payments.selectors import payment_stalled_ids
from payments.tasks import payment_charge_task
from payments.tests.factories import PaymentFactory


def test_the_charge_task_retries_transient_errors_until_the_last_attempt(settings):
    # apply() runs the task (and its retries) in this process: no worker, no broker.
    settings.PAYMENT_MAX_ATTEMPTS = 3
    payment = PaymentFactory(status=Payment.Status.PROCESSING, token="tok_processingError")

    payment_charge_task.apply(args=(str(payment.id),))

    payment.refresh_from_db()
    assert (payment.status, payment.attempts) == (Payment.Status.FAILED, 3)
    assert [data["reason"] for data in published_data("payment.failed")] == ["processing_error"]


def test_the_charge_task_charges_once():
    payment = PaymentFactory(status=Payment.Status.PROCESSING, token="tok_visa")

    payment_charge_task.apply(args=(str(payment.id),))
    payment_charge_task.apply(args=(str(payment.id),))

    assert Payment.objects.get().status == Payment.Status.SUCCEEDED
    assert SandboxCharge.objects.count() == 1


def test_only_payments_processing_for_too_long_are_stalled(settings):
    settings.PAYMENT_STALLED_SECONDS = 60
    stalled = PaymentFactory(status=Payment.Status.PROCESSING)
    PaymentFactory(status=Payment.Status.PROCESSING)  # recent
    old_success = PaymentFactory(status=Payment.Status.SUCCEEDED)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Payment.objects.filter(id__in=[stalled.id, old_success.id]).update(updated_at=an_hour_ago)

    assert payment_stalled_ids() == [stalled.id]
