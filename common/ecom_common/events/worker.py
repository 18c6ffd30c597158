"""What every service's Celery app needs for the event bus: queues, consumer step, schedules."""

import importlib
import sys
from dataclasses import dataclass
from datetime import timedelta

from celery import Task, bootsteps
from celery.signals import task_postrun, task_prerun
from click import Option
from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import module_has_submodule


def configure_celery_app(app) -> None:
    from ecom_common.events.consumer import EventConsumerStep
    from ecom_common.events.topology import task_queue

    app.conf.task_queues = [task_queue()]
    app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
    app.steps["consumer"].add(EventConsumerStep)
    app.steps["worker"].add(BeatThread)
    app.user_options["worker"].add(
        Option(
            ["--beat-thread"], is_flag=True, default=False, help="Run the beat schedule in a thread of this worker."
        )
    )
    app.autodiscover_tasks(["ecom_common.events"])  # the relay, sweeps and handler tasks
    _reuse_database_connections(app)
    # Once every task is registered: the entries name task objects, never strings.
    app.on_after_finalize.connect(_beat_schedule_set, weak=False)


@dataclass(frozen=True)
class Periodic:
    """An entry of beat's schedule, declared beside its task in an app's ``tasks`` module as
    ``PERIODIC_TASKS = [Periodic("outbox-sweep", outbox_relay_task, seconds=...)]``."""

    name: str
    task: Task
    seconds: float


def periodic_tasks() -> list[Periodic]:
    """Every ``PERIODIC_TASKS`` of the installed apps' ``tasks`` modules (and the event bus's)."""
    from django.apps import apps

    modules = ["ecom_common.events.tasks"]
    modules += [f"{app.name}.tasks" for app in apps.get_app_configs() if module_has_submodule(app.module, "tasks")]
    return [entry for name in modules for entry in getattr(importlib.import_module(name), "PERIODIC_TASKS", [])]


def beat_schedule() -> dict[str, dict]:
    return {
        entry.name: {"task": entry.task.name, "schedule": timedelta(seconds=entry.seconds)}
        for entry in periodic_tasks()
    }


def _beat_schedule_set(sender, **kwargs) -> None:
    sender.conf.beat_schedule = beat_schedule()


def _reuse_database_connections(app) -> None:
    """Keeps a worker's database connection across tasks, as gunicorn keeps it across requests.

    Celery's Django fixup closes every connection before and after each task unless
    ``CELERY_DB_REUSE_MAX`` is set: the saga benchmark's profile put a fifth of a worker's time
    in reconnecting. With the fixup's closing turned off, Django's own rules apply around each
    task: ``DATABASE_CONN_MAX_AGE``, and a health check before a connection is reused, so a
    restarted PostgreSQL costs one failed check, not a failed task.
    """
    app.conf.CELERY_DB_REUSE_MAX = sys.maxsize
    task_prerun.connect(_close_old_connections, weak=False)
    task_postrun.connect(_close_old_connections, weak=False)


def _close_old_connections(task, **kwargs) -> None:
    if not getattr(task.request, "is_eager", False):  # a task run inline shares its caller's connection
        close_old_connections()


class BeatThread(bootsteps.StartStopStep):
    """``--beat-thread``: the beat schedule in a thread of the worker, where ``-B`` forks a process
    for it. `make run` uses it: one Python process (about 90 MB) less per service on a laptop;
    compose and Kubernetes run beat as its own process, as production should (one per service)."""

    label = "Beat (thread)"
    conditional = True

    def __init__(self, worker, beat_thread: bool = False, **kwargs):
        self.enabled = bool(beat_thread)
        super().__init__(worker, **kwargs)

    def create(self, worker):
        from celery.beat import EmbeddedService

        return EmbeddedService(
            worker.app, schedule_filename=worker.schedule_filename, scheduler_cls=worker.scheduler, thread=True
        )
