from celery import shared_task

from notifications import services


@shared_task(name=services.MESSAGE_SEND_TASK, ignore_result=True)
def message_send_task(message_id: str) -> None:
    """The first attempt, right after the message is recorded; later ones are the sweep's."""
    services.message_send(message_id=message_id)


@shared_task(ignore_result=True)
def messages_send_due_task() -> int:
    return services.messages_send_due()
