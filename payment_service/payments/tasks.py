"""Celery tasks of payments: thin, they call services and selectors."""

from celery import shared_task

from ecom_common.enqueue import backoff_seconds
from ecom_common.events.tasks import PERIODIC_TASK_OPTIONS
from payments import selectors, services
from payments.models import Payment


@shared_task(bind=True, name=services.PAYMENT_CHARGE_TASK, ignore_result=True, max_retries=None)
def payment_charge_task(self, payment_id: str) -> None:
    """Charges the payment; retried with backoff while the provider fails transiently.

    ``PAYMENT_MAX_ATTEMPTS``, counted on the payment, bounds the retries (not Celery's max_retries).
    """
    payment = services.payment_charge(payment_id=payment_id)
    if payment is not None and payment.status == Payment.Status.PROCESSING:
        raise self.retry(countdown=backoff_seconds(self.request.retries))


@shared_task(**PERIODIC_TASK_OPTIONS)
def payment_charge_resume_stalled_task() -> int:
    """Beat: enqueues again the charge of payments whose task was lost (broker down, purged queue)."""
    payment_ids = selectors.payment_stalled_ids()
    for payment_id in payment_ids:
        services.payment_charge_enqueue(payment_id)
    return len(payment_ids)


@shared_task(**PERIODIC_TASK_OPTIONS)
def payment_refunds_owed_retry_task() -> int:
    """Beat: refunds owed that are due are asked of the provider again; charges voided while in
    flight are looked up again (a settled one is refunded)."""
    return services.payment_refunds_owed_retry() + services.payment_voided_charges_recheck()
