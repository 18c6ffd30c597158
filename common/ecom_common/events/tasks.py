"""Celery tasks of the event bus; every service's worker runs them on its private queue."""

import logging
import random

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ecom_common.events import relay
from ecom_common.events.dispatch import UnknownHandler, dead_letter_record, event_apply
from ecom_common.events.envelope import InvalidEnvelope
from ecom_common.events.registry import handler_get

logger = logging.getLogger(__name__)


def backoff_seconds(retries: int) -> int:
    """Exponential backoff with jitter: whole seconds in [1, min(cap, base * 2**retries)].

    Whole and at least one: on RabbitMQ, Celery delays retries with native delayed delivery,
    which routes by whole seconds and refuses a countdown of zero.
    """
    ceiling = min(settings.EVENT_RETRY_BACKOFF_MAX_SECONDS, settings.EVENT_RETRY_BACKOFF_SECONDS * 2**retries)
    return max(1, round(random.uniform(0, ceiling)))


@shared_task(name="ecom_common.outbox_relay", ignore_result=True)
def outbox_relay_task() -> int:
    """Publishes what the outbox holds: right after each commit, and every few seconds by beat."""
    return relay.outbox_publish_pending()


@shared_task(name="ecom_common.outbox_prune", ignore_result=True)
def outbox_prune_task() -> int:
    return relay.outbox_prune()


@shared_task(bind=True, name="ecom_common.event_handle", ignore_result=True)
def event_handle_task(self, handler_name: str, envelope: dict) -> None:
    """Applies one event to one handler, retrying transient failures, then dead-lettering."""
    try:
        event_apply(handler_name=handler_name, envelope=envelope)
    except (UnknownHandler, InvalidEnvelope) as exc:
        # Retrying cannot help: straight to the dead letters.
        dead_letter_record(handler_name=handler_name, envelope=envelope, error=repr(exc), attempts=1)
    except Exception as exc:
        attempts = self.request.retries + 1
        if attempts > settings.EVENT_HANDLER_MAX_RETRIES:
            dead_letter_record(handler_name=handler_name, envelope=envelope, error=repr(exc), attempts=attempts)
            return
        logger.warning("event handler failed; retrying", extra={"handler": handler_name, "error": repr(exc)})
        # Task.retry republishes to this task's own (private) queue, never to the event exchange.
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc


def dead_letter_replay(dead_letter) -> None:
    """Hands a dead letter back to its handler (which the inbox still guards) and marks it replayed."""
    if handler_get(dead_letter.handler) is None:
        raise UnknownHandler(dead_letter.handler)
    with transaction.atomic():
        dead_letter.replayed_at = timezone.now()
        dead_letter.save(update_fields=["replayed_at"])
        envelope = dead_letter.envelope
        transaction.on_commit(lambda: event_handle_task.apply_async((dead_letter.handler, envelope)))
