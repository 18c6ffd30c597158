"""Dead letters: what could not be applied, kept in the service's own table for staff to see
and replay (admin, ``manage.py dead_letters``).

Two ways in: a handler that fails past its retries records itself here (on every broker), and
what the broker dead-letters (a message that is not an event, a task redelivered past
``EVENT_DELIVERY_LIMIT``, a task that raised) lands in the service's RabbitMQ dead-letter
queue, which a periodic task drains into the same table. The embedded filesystem broker has
no dead-lettering: there only the first way exists.
"""

import logging
import uuid

from celery import current_app
from django.db import transaction
from django.utils import timezone

from ecom_common.events.envelope import InvalidEnvelopeError, event_from_envelope
from ecom_common.events.registry import handler_get, handler_names_for
from ecom_common.events.relay import envelope_without_secrets
from ecom_common.models import DeadLetter

logger = logging.getLogger(__name__)

# The name of handling.handler_run_task, by which a dead-lettered attempt is known.
EVENT_HANDLE_TASK = "ecom_common.event_handle"
CONSUMER = "event_consumer"  # the handler name of events the consumer itself refused


def dead_letter_record(*, handler_name: str, envelope, error: str, attempts: int) -> DeadLetter:
    """Keeps what could not be applied; the same open failure recorded twice is one row.

    Without its secrets, as the outbox keeps a published event: a card token or an account
    mail's link token is not left in a table staff browse. A replay then hands the handler the
    scrubbed value (a payment request declines as an invalid token; the customer checks out
    again), which is the price of not keeping it."""
    envelope = envelope_without_secrets(envelope) if isinstance(envelope, dict) else {"body": envelope}
    try:
        event_id = uuid.UUID(str(envelope.get("id")))
    except ValueError:  # not even an id: keep it under a new one
        event_id = uuid.uuid4()
    event_type = str(envelope.get("type", ""))[:100]
    dead_letter, _ = DeadLetter.objects.get_or_create(
        handler=handler_name,
        event_id=event_id,
        replayed_at=None,
        defaults={"event_type": event_type, "envelope": envelope, "error": error, "attempts": attempts},
    )
    logger.error("event dead-lettered", extra={"event_id": str(event_id), "handler": handler_name, "error": error})
    return dead_letter


class DeadLetterNotReplayableError(Exception):
    """What the dead letter holds cannot be handed back; the message says why."""


def _replay_sender(dead_letter: DeadLetter):
    """How to hand the dead letter back: to its handler, to every handler of its event's type
    (an event the broker dead-lettered from an event queue), or as the task it was."""
    envelope = dead_letter.envelope

    def handle(handler_name: str):
        # Imported here: handling imports this module to record what its handlers fail.
        from ecom_common.events.handling import handler_run_task

        return handler_run_task.delay(handler_name, envelope)

    if handler_get(dead_letter.handler) is not None:
        return lambda: handle(dead_letter.handler)
    if dead_letter.handler == CONSUMER:
        try:
            event = event_from_envelope(envelope)
        except InvalidEnvelopeError as error:
            raise DeadLetterNotReplayableError(
                f"dead letter {dead_letter.id} cannot be replayed: it is not an event ({error})"
            ) from error
        handler_names = handler_names_for(event.type)
        if not handler_names:
            raise DeadLetterNotReplayableError(
                f"dead letter {dead_letter.id} cannot be replayed: no handler here takes {event.type}"
            )
        return lambda: [handle(name) for name in handler_names]
    if isinstance(envelope, dict) and envelope.get("task") in current_app.tasks:
        # The one task sent by name: the name is the dead letter's, recorded by the broker.
        task = current_app.tasks[envelope["task"]]
        return lambda: task.apply_async(args=envelope["args"], kwargs=envelope["kwargs"])
    raise DeadLetterNotReplayableError(
        f"dead letter {dead_letter.id} cannot be replayed: no handler or task named {dead_letter.handler!r} here"
    )


def dead_letter_replay(dead_letter: DeadLetter) -> None:
    """Hands a dead letter back (the inbox still guards its handlers) and marks it replayed;
    ``DeadLetterNotReplayableError`` says why one cannot be."""
    send = _replay_sender(dead_letter)
    with transaction.atomic():
        dead_letter.replayed_at = timezone.now()
        dead_letter.save(update_fields=["replayed_at"])
        transaction.on_commit(send)


def dead_letter_queue_drain(*, limit: int = 500) -> int:
    """Moves what the broker dead-lettered into the table; returns how many it moved."""
    from ecom_common.events.topology import dead_letter_queue

    if current_app.conf.broker_url.startswith("filesystem://"):
        return 0
    moved = 0
    with current_app.connection_for_read() as connection:
        queue = dead_letter_queue()(connection.default_channel)
        queue.declare()
        while moved < limit and (message := queue.get(accept=["json"])) is not None:
            _record_broker_dead_letter(message)
            message.ack()  # only once the row is committed
            moved += 1
    return moved


def _record_broker_dead_letter(message) -> None:
    headers = message.headers or {}
    try:
        body = message.decode()
    except Exception:  # noqa: BLE001 - not JSON: keep the raw text for whoever looks into it
        body = message.body.decode(errors="replace") if isinstance(message.body, bytes) else message.body
    task = headers.get("task")
    if task == EVENT_HANDLE_TASK:
        (handler_name, envelope), _, _ = body
    elif task:
        args, kwargs, _ = body
        handler_name, envelope = task, {"task": task, "args": args, "kwargs": kwargs, "id": headers.get("id")}
    else:
        handler_name, envelope = CONSUMER, body
    dead_letter_record(
        handler_name=handler_name, envelope=envelope, error=_death_reason(headers), attempts=_delivery_count(headers)
    )


def _death_reason(headers: dict) -> str:
    deaths = headers.get("x-death") or []
    if not deaths:
        return "dead-lettered by the broker"
    death = deaths[0]
    return f"dead-lettered by the broker: {death.get('reason')} from queue {death.get('queue')}"


def _delivery_count(headers: dict) -> int:
    return int(headers.get("x-delivery-count") or 0) + 1
