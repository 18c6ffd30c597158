"""Staff single sign-on to the admin, run by every service except the identity service itself.

These start the real user_service (the ``identity_service`` fixture) and sign in through the
service's own admin login form.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

__all__ = [
    "pytestmark",
    "test_customer_account_cannot_sign_in_to_the_admin",
    "test_shadow_user_follows_the_identity_account",
    "test_staff_sign_in_to_the_admin_with_their_identity_account",
    "test_wrong_password_is_refused_by_the_admin",
]

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _sign_in(client, email, password):
    # The admin's login form posts `next`; without it Django would redirect to /accounts/profile/.
    form = {"username": email, "password": password, "next": reverse("admin:index")}
    return client.post(reverse("admin:login"), form)


def test_staff_sign_in_to_the_admin_with_their_identity_account(client, verify_with_identity_service):
    identity = verify_with_identity_service

    response = _sign_in(client, identity.staff_email, identity.staff_password)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200
    shadow = get_user_model().objects.get(email=identity.staff_email)
    assert (shadow.is_staff, shadow.is_superuser, shadow.has_usable_password()) == (True, True, False)


def test_shadow_user_follows_the_identity_account(client, verify_with_identity_service):
    identity = verify_with_identity_service
    _sign_in(client, identity.staff_email, identity.staff_password)
    client.logout()

    _sign_in(client, identity.staff_email, identity.staff_password)

    assert get_user_model().objects.filter(email=identity.staff_email).count() == 1


def test_wrong_password_is_refused_by_the_admin(client, verify_with_identity_service):
    identity = verify_with_identity_service

    response = _sign_in(client, identity.staff_email, "not-the-password")

    assert response.status_code == 200
    assert "Please enter the correct email and password" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_customer_account_cannot_sign_in_to_the_admin(client, verify_with_identity_service):
    identity = verify_with_identity_service
    identity.register_and_login("shopper@example.com", "a-Strong-passw0rd")

    response = _sign_in(client, "shopper@example.com", "a-Strong-passw0rd")

    assert response.status_code == 200
    assert not get_user_model().objects.exists()
