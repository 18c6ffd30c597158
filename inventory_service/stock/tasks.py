"""Periodic work of inventory (its beat entries: PERIODIC_TASKS, below)."""

from celery import shared_task
from django.conf import settings

from ecom_common.events.tasks import PERIODIC_TASK_OPTIONS
from ecom_common.events.worker import Periodic


@shared_task(name="stock.reservation_expire_overdue", **PERIODIC_TASK_OPTIONS)
def reservation_expire_overdue_task() -> int:
    from stock import services

    return services.reservation_expire_overdue()


PERIODIC_TASKS = [
    Periodic(
        "reservation-expire-overdue", reservation_expire_overdue_task, seconds=settings.INVENTORY_EXPIRY_SWEEP_SECONDS
    )
]
