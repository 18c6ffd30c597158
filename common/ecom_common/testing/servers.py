"""Where the test suites find PostgreSQL, Redis and RabbitMQ.

Tests always run against real servers: by default the ones on 127.0.0.1 that ``make test``
starts and bootstraps (ops/postgres/bootstrap.sql makes the ``ecom_<service>`` roles). The
``TEST_*`` variables point them elsewhere.
"""

import os

from ecom_common.service_registry import NAMES


def postgres_url(service: str, database: str = "ecom") -> str:
    host = os.environ.get("TEST_POSTGRES_HOST", "127.0.0.1:5432")
    role = f"ecom_{service}"
    return f"postgres://{role}:{role}@{host}/{database}"


def use_local_servers(service: str) -> None:
    """Sets the variables the settings read; call before importing the service's base settings."""
    redis_db = NAMES.index(service) + 1  # one Redis database per suite: flushing one spares the rest
    os.environ["DATABASE_URL"] = postgres_url(service)
    os.environ["REDIS_URL"] = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379") + f"/{redis_db}"
    os.environ["CELERY_BROKER_URL"] = os.environ.get("TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
