"""Racing threads in a test, as concurrent requests race in production."""

import threading
from collections.abc import Callable, Iterable

from django.db import connections


def race(target: Callable, jobs: Iterable[tuple]) -> None:
    """Runs ``target(*job)`` for every job, each in its own thread, all released together (a
    barrier) so they really contend; returns when every one has ended. A thread's database
    connections are closed when it ends, or the test database could not be dropped."""
    jobs = list(jobs)
    start = threading.Barrier(len(jobs))

    def run(job: tuple) -> None:
        try:
            start.wait()
            target(*job)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
