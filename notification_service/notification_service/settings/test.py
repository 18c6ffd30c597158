"""Tests: the real PostgreSQL, Redis and RabbitMQ on this machine unless the environment names others."""

from ecom_common.testing.servers import use_local_servers

use_local_servers("notification")

from .base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never outside tests
