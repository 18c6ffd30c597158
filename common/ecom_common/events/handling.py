"""Running event handlers: the one module, and the one verb (``run``), for applying an event.

- ``handler_run``: one handler, exactly once (the inbox row and its effects commit together);
- ``handler_run_or_retry``: the same, with the failure policy (retry with backoff, then a dead
  letter; retried without limit while the database itself is away);
- ``handlers_run``: what the worker's pool runs for each event the consumer takes off a queue;
- ``handler_run_task``: a later attempt at one handler, or a dead letter's replay;
- ``handlers_run_all``: every handler of the event's type, as the service suites deliver events.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.utils import InterfaceError, OperationalError

from ecom_common.enqueue import backoff_seconds
from ecom_common.events.context import handling
from ecom_common.events.dead_letters import EVENT_HANDLE_TASK, dead_letter_record
from ecom_common.events.envelope import InvalidEnvelopeError, event_from_envelope
from ecom_common.events.registry import handler_get, handler_names_for
from ecom_common.models import InboxEvent
from ecom_common.tracing import event_handling_span

logger = logging.getLogger(__name__)


class UnknownHandlerError(LookupError):
    pass


def handler_run(*, handler_name: str, envelope: dict) -> bool:
    """Runs ``handler_name`` on the event unless it already has; ``True`` when it ran now.

    The inbox row and the handler's effects commit together. A concurrent duplicate blocks
    on the unique (handler, event id) index until the first commits, then finds it taken.
    """
    handler = handler_get(handler_name)
    if handler is None:
        raise UnknownHandlerError(handler_name)
    event = event_from_envelope(envelope)
    # handling() and the span around the transaction, not inside it: what runs right after the
    # commit (on_commit: a charge made in place, its events) is still this event's work, with
    # its correlation id, as its cause, in its trace.
    with handling(event), event_handling_span(event, handler_name), transaction.atomic():
        try:
            with transaction.atomic():
                InboxEvent.objects.create(
                    handler=handler_name,
                    event_id=event.id,
                    event_type=event.type,
                    correlation_id=event.correlation_id or "",
                )
        except IntegrityError:
            logger.info("duplicate event skipped", extra={"event_id": event.id, "handler": handler_name})
            return False
        handler(event)
        # Inside handling(): the line carries the saga's correlation id as its request id.
        logger.info("event applied", extra={"event_id": event.id, "event_type": event.type, "handler": handler_name})
    return True


def handlers_run_all(envelope: dict) -> list[str]:
    """Every handler of the event's type, each exactly once; returns those that ran now."""
    event = event_from_envelope(envelope)
    return [name for name in handler_names_for(event.type) if handler_run(handler_name=name, envelope=envelope)]


def handler_run_or_retry(handler_name: str, envelope: dict, *, retries: int, retry) -> None:
    """``handler_run``; on a failure calls ``retry(exc, countdown)`` or dead-letters.
    ``retries``: how many attempts came before this one.

    While the database is unreachable (a restart, a failover) the handler is not at fault and no
    dead letter could be written: it is retried, with backoff, until the database is back.
    """
    try:
        handler_run(handler_name=handler_name, envelope=envelope)
    except (UnknownHandlerError, InvalidEnvelopeError) as exc:
        # Retrying cannot help: straight to the dead letters.
        dead_letter_record(handler_name=handler_name, envelope=envelope, error=repr(exc), attempts=1)
    except (OperationalError, InterfaceError) as exc:
        logger.warning("database unavailable; retrying", extra={"handler": handler_name, "error": repr(exc)})
        retry(exc, backoff_seconds(retries))
    except Exception as exc:  # noqa: BLE001 - a handler's bug is retried, then dead-lettered
        attempts = retries + 1
        if attempts > settings.EVENT_HANDLER_MAX_RETRIES:
            dead_letter_record(handler_name=handler_name, envelope=envelope, error=repr(exc), attempts=attempts)
            return
        logger.warning("event handler failed; retrying", extra={"handler": handler_name, "error": repr(exc)})
        retry(exc, backoff_seconds(retries))


# max_retries=None: EVENT_HANDLER_MAX_RETRIES is the limit, not Celery's default of 3
# (which would fail the task, unrecorded, before a higher setting is reached). The task's name
# predates this module and is kept: tasks already queued and dead letters refer to it.
@shared_task(bind=True, name=EVENT_HANDLE_TASK, ignore_result=True, max_retries=None)
def handler_run_task(self, handler_name: str, envelope: dict) -> None:
    """A later attempt at one handler (the first runs in ``handlers_run``), or a replay."""

    def retry(exc, countdown):
        # Task.retry republishes to this task's own (private) queue, never to the event exchange.
        raise self.retry(exc=exc, countdown=countdown) from exc

    handler_run_or_retry(handler_name, envelope, retries=self.request.retries, retry=retry)


def handlers_run(handler_names: list[str], envelope: dict) -> bool:
    """Runs in the worker's pool for each event the consumer takes off the service's queues:
    every handler once, each in its own transaction; a failed one is handed to
    ``handler_run_task``, which retries it with backoff. ``False``: the event should come back.

    The database connection is looked after as around a task: reused, checked, replaced when old.
    """
    close_old_connections()
    try:
        for handler_name in handler_names:

            def retry_later(exc, countdown, handler_name=handler_name):
                handler_run_task.apply_async(
                    (handler_name, envelope),
                    countdown=countdown,
                    retries=1,
                    headers={"correlation_id": envelope.get("correlation_id")},
                )

            handler_run_or_retry(handler_name, envelope, retries=0, retry=retry_later)
    except Exception:
        # Neither applied nor handed over (the broker or the database is away): redelivered.
        logger.exception("event not delivered; it will be redelivered", extra={"event_id": envelope.get("id")})
        return False
    finally:
        close_old_connections()
    return True
