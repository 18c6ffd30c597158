"""Periodic work of inventory (scheduled by CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from ecom_common.events.tasks import PERIODIC_TASK_OPTIONS
from stock import services


@shared_task(name="stock.reservation_expire_overdue", **PERIODIC_TASK_OPTIONS)
def reservation_expire_overdue_task() -> int:
    return services.reservation_expire_overdue()
