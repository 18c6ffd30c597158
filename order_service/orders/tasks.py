"""Periodic work of the checkout saga (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from ecom_common.events.tasks import PERIODIC_TASK_OPTIONS
from orders import services


@shared_task(name="orders.saga_expire_overdue", **PERIODIC_TASK_OPTIONS)
def saga_expire_overdue_task() -> int:
    return services.saga_expire_overdue()
