"""Periodic work of the checkout saga (its beat entries: PERIODIC_TASKS, below)."""

from celery import shared_task
from django.conf import settings

from ecom_common.events.tasks import PERIODIC_TASK_OPTIONS
from ecom_common.events.worker import Periodic


@shared_task(name="orders.saga_expire_overdue", **PERIODIC_TASK_OPTIONS)
def saga_expire_overdue_task() -> int:
    from orders import services

    return services.saga_expire_overdue()


PERIODIC_TASKS = [Periodic("saga-expire-overdue", saga_expire_overdue_task, seconds=settings.ORDER_SAGA_SWEEP_SECONDS)]
