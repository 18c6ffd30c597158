"""Celery tasks of payments: thin, they call services and selectors (imported in the body:
the services import these tasks to enqueue them)."""

from celery import shared_task
from django.conf import settings

from ecom_common.enqueue import backoff_seconds
from ecom_common.events.tasks import PERIODIC_TASK_OPTIONS
from ecom_common.events.worker import Periodic


@shared_task(bind=True, ignore_result=True, max_retries=None)
def payment_charge_task(self, payment_id: str) -> None:
    """Charges the payment; retried with backoff while the provider fails transiently.

    ``PAYMENT_MAX_ATTEMPTS``, counted on the payment, bounds the retries (not Celery's max_retries).
    """
    from payments import services
    from payments.models import Payment

    payment = services.payment_charge(payment_id=payment_id)
    if payment is not None and payment.status == Payment.Status.PROCESSING:
        raise self.retry(countdown=backoff_seconds(self.request.retries))


@shared_task(**PERIODIC_TASK_OPTIONS)
def payment_charge_resume_stalled_task() -> int:
    """Beat: enqueues again the charge of payments whose task was lost (broker down, purged queue)."""
    from payments import selectors, services

    payment_ids = selectors.payment_stalled_ids()
    for payment_id in payment_ids:
        services.payment_charge_enqueue(payment_id)
    return len(payment_ids)


@shared_task(**PERIODIC_TASK_OPTIONS)
def payment_refunds_owed_retry_task() -> int:
    """Beat: refunds owed that are due are asked of the provider again; charges voided while in
    flight are looked up again (a settled one is refunded)."""
    from payments import services

    return services.payment_refunds_owed_retry() + services.payment_voided_charges_recheck()


PERIODIC_TASKS = [
    Periodic(
        "payment-charge-resume-stalled",
        payment_charge_resume_stalled_task,
        seconds=settings.PAYMENT_STALLED_SWEEP_SECONDS,
    ),
    Periodic(
        "payment-refunds-owed-retry", payment_refunds_owed_retry_task, seconds=settings.PAYMENT_REFUND_SWEEP_SECONDS
    ),
]
