"""Who may call each endpoint (ecom_common.testing.access_tests walks the URL conf)."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.conftest import tokens_for
from accounts.tests.factories import AddressFactory, UserFactory
from ecom_common.testing.access_tests import *  # noqa: F403

ACCESS = {
    "schema": "public",
    "swagger-ui": "public",
    "register": "public",
    "token-obtain": "public",
    "token-refresh": "public",
    "logout": "public",
    "user-me": "authenticated",
    "verify-email": "public",
    "verify-email-resend": "authenticated",
    "password-reset": "public",
    "password-reset-confirm": "public",
    "user-me-password": "authenticated",
    "address-list": "authenticated",
    "address-detail": "authenticated-own",
}


@pytest.fixture
def customer_client(db):
    """This service looks its users up, so the customer is a real account with a real token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(client, email=UserFactory().email)['access']}")
    return client


@pytest.fixture
def another_users_objects(db):
    return {"address-detail": {"pk": AddressFactory().pk}}
