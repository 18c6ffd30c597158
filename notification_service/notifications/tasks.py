"""Tasks of notifications (services import them; they import services in their body)."""

from celery import shared_task
from django.conf import settings

from ecom_common.events.worker import Periodic


@shared_task(ignore_result=True)
def message_send_task(message_id: str) -> None:
    """The first attempt, right after the message is recorded; later ones are the sweep's."""
    from notifications import services

    services.message_send(message_id=message_id)


@shared_task(ignore_result=True)
def messages_send_due_task() -> int:
    from notifications import services

    return services.messages_send_due()


PERIODIC_TASKS = [
    Periodic("notification-send-due", messages_send_due_task, seconds=settings.NOTIFICATION_SWEEP_SECONDS)
]
