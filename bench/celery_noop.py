"""A Celery app with one no-op task, on the stack's RabbitMQ vhost: the broker's round-trip ceiling.

bench/run.py starts ``celery -A bench.celery_noop worker`` with the services' worker options
(concurrency 2, no gossip/mingle, prefetch 1, late acks) and results in a Redis database of the stack's Redis.
"""

import os

from celery import Celery

app = Celery("bench_noop", broker=os.environ.get("BENCH_BROKER_URL"), backend=os.environ.get("BENCH_RESULT_URL"))
app.conf.update(
    task_default_queue="bench_noop",
    worker_prefetch_multiplier=1,
    result_expires=300,  # as the services
    task_acks_late=True,
    broker_connection_retry_on_startup=True,
)


@app.task(name="bench.noop")
def noop():
    return None
