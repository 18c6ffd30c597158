"""The behaviour every service shares (probes, errors, request id, schema, throttling, admin)."""

from ecom_common.testing.service_tests import *  # noqa: F403
