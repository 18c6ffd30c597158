"""What every service's Celery app needs for the event bus: queues, consumer step, schedules."""

from datetime import timedelta

from django.conf import settings


def configure_celery_app(app) -> None:
    from ecom_common.events.consumer import EventConsumerStep
    from ecom_common.events.topology import task_queue

    app.conf.task_queues = [task_queue()]
    app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
    app.steps["consumer"].add(EventConsumerStep)
    app.autodiscover_tasks(["ecom_common.events"])  # the relay, sweeps and handler tasks
    app.conf.beat_schedule = {
        **getattr(settings, "CELERY_BEAT_SCHEDULE", {}),
        "outbox-sweep": {"task": "ecom_common.outbox_relay", "schedule": timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS)},
        "outbox-prune": {"task": "ecom_common.outbox_prune", "schedule": timedelta(hours=1)},
        "dead-letter-queue-drain": {"task": "ecom_common.dead_letter_queue_drain", "schedule": timedelta(seconds=settings.DEAD_LETTER_DRAIN_SECONDS)},
    }
