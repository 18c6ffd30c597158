"""Celery tasks of the event bus; every service's worker runs them on its private queue."""

import logging
import random

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections
from django.db.utils import InterfaceError, OperationalError

from ecom_common.events import relay
from ecom_common.events.dead_letters import dead_letter_record
from ecom_common.events.dispatch import UnknownHandlerError, event_apply
from ecom_common.events.envelope import InvalidEnvelopeError

logger = logging.getLogger(__name__)


def backoff_seconds(retries: int) -> int:
    """Exponential backoff with jitter: whole seconds in [1, min(cap, base * 2**retries)].

    Whole and at least one: on RabbitMQ, Celery delays retries with native delayed delivery,
    which routes by whole seconds and refuses a countdown of zero.
    """
    ceiling = min(settings.EVENT_RETRY_BACKOFF_MAX_SECONDS, settings.EVENT_RETRY_BACKOFF_SECONDS * 2**retries)
    return max(1, round(random.uniform(0, ceiling)))  # noqa: S311 - jitter, not a secret


# Options of every periodic sweep (here and in the services): it runs again in seconds, so a
# failed run (the database or broker away) is dropped, not dead-lettered, and an outage leaves
# no noise among the real dead letters.
PERIODIC_TASK_OPTIONS = {"ignore_result": True, "acks_on_failure_or_timeout": True}


@shared_task(name="ecom_common.outbox_relay", **PERIODIC_TASK_OPTIONS)
def outbox_relay_task() -> int:
    """Publishes what the outbox holds: right after each commit, and every few seconds by beat."""
    return relay.outbox_publish_pending()


@shared_task(name="ecom_common.outbox_prune", **PERIODIC_TASK_OPTIONS)
def outbox_prune_task() -> int:
    return relay.outbox_prune()


@shared_task(name="ecom_common.dead_letter_queue_drain", **PERIODIC_TASK_OPTIONS)
def dead_letter_queue_drain_task() -> int:
    from ecom_common.events.dead_letters import dead_letter_queue_drain

    return dead_letter_queue_drain()


def event_handle(handler_name: str, envelope: dict, *, retries: int, retry) -> None:
    """Applies one event to one handler; on a failure calls ``retry(exc, countdown)`` or
    dead-letters. ``retries``: how many attempts came before this one.

    While the database is unreachable (a restart, a failover) the handler is not at fault and no
    dead letter could be written: it is retried, with backoff, until the database is back.
    """
    try:
        event_apply(handler_name=handler_name, envelope=envelope)
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
# (which would fail the task, unrecorded, before a higher setting is reached).
@shared_task(bind=True, name="ecom_common.event_handle", ignore_result=True, max_retries=None)
def event_handle_task(self, handler_name: str, envelope: dict) -> None:
    """A later attempt at one handler (the first runs in ``event_deliver``), or a replay."""

    def retry(exc, countdown):
        # Task.retry republishes to this task's own (private) queue, never to the event exchange.
        raise self.retry(exc=exc, countdown=countdown) from exc

    event_handle(handler_name, envelope, retries=self.request.retries, retry=retry)


def event_deliver(handler_names: list[str], envelope: dict) -> bool:
    """Runs in the worker's pool for each event the consumer takes off the service's queues:
    every handler once, each in its own transaction; a failed one is handed to
    ``event_handle_task``, which retries it with backoff. ``False``: the event should come back.

    The database connection is looked after as around a task: reused, checked, replaced when old.
    """
    close_old_connections()
    try:
        for handler_name in handler_names:

            def retry_later(exc, countdown, handler_name=handler_name):
                event_handle_task.apply_async(
                    (handler_name, envelope),
                    countdown=countdown,
                    retries=1,
                    headers={"correlation_id": envelope.get("correlation_id")},
                )

            event_handle(handler_name, envelope, retries=0, retry=retry_later)
    except Exception:
        # Neither applied nor handed over (the broker or the database is away): redelivered.
        logger.exception("event not delivered; it will be redelivered", extra={"event_id": envelope.get("id")})
        return False
    finally:
        close_old_connections()
    return True
