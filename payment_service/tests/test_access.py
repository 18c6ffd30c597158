"""Who may call each endpoint (ecom_common.testing.access_tests walks the URL conf)."""

import pytest

from ecom_common.testing.access_tests import *  # noqa: F403
from payments.tests.factories import PaymentFactory

ACCESS = {
    "schema": "public",
    "swagger-ui": "public",
    "payment-list": "authenticated",
    "payment-detail": "authenticated-own",
}


@pytest.fixture
def another_users_objects(db):
    return {"payment-detail": {"pk": PaymentFactory().pk}}
