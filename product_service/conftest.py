import pytest

from ecom_common.testing.admin import admin_force_login


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's ``admin_client``, signed in as the identity service would leave it."""
    admin_force_login(client, admin_user)
    return client
