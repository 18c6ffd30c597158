"""Who may call each endpoint (ecom_common.testing.access_tests walks the URL conf)."""

import pytest

from ecom_common.testing.access_tests import *  # noqa: F403
from notifications.tests.factories import MessageFactory

ACCESS = {
    "schema": "public",
    "swagger-ui": "public",
    "notification-list": "authenticated",
    "notification-detail": "authenticated-own",
}


@pytest.fixture
def another_users_objects(db):
    return {"notification-detail": {"pk": MessageFactory().pk}}
