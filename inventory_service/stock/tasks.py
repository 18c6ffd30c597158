"""Periodic work of inventory (scheduled by CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from stock import services


@shared_task(name="stock.reservation_expire_overdue", ignore_result=True)
def reservation_expire_overdue_task() -> int:
    return services.reservation_expire_overdue()
