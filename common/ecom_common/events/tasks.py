"""Celery tasks of the event bus; every service's worker runs them on its private queue."""

from celery import shared_task
from django.conf import settings

from ecom_common.events import relay
from ecom_common.events.handling import handler_run_task  # noqa: F401 - autodiscovery registers it here
from ecom_common.events.worker import Periodic

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


@shared_task(name="ecom_common.idempotent_replies_prune", **PERIODIC_TASK_OPTIONS)
def idempotent_replies_prune_task() -> int:
    from ecom_common.idempotency import idempotent_replies_prune

    return idempotent_replies_prune()


@shared_task(name="ecom_common.dead_letter_queue_drain", **PERIODIC_TASK_OPTIONS)
def dead_letter_queue_drain_task() -> int:
    from ecom_common.events.dead_letters import dead_letter_queue_drain

    return dead_letter_queue_drain()


PERIODIC_TASKS = [
    Periodic("outbox-sweep", outbox_relay_task, seconds=settings.OUTBOX_SWEEP_SECONDS),
    Periodic("outbox-prune", outbox_prune_task, seconds=3600),
    Periodic("idempotent-replies-prune", idempotent_replies_prune_task, seconds=3600),
    Periodic("dead-letter-queue-drain", dead_letter_queue_drain_task, seconds=settings.DEAD_LETTER_DRAIN_SECONDS),
]
