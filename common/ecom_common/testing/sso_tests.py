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
    "test_demoted_or_deactivated_staff_are_signed_out_at_the_next_recheck",
    "test_requests_of_one_session_rechecking_together_keep_it_signed_in",
    "test_shadow_user_follows_the_identity_account",
    "test_signing_out_revokes_the_sessions_refresh_token",
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
    # The header greets them by e-mail (their account has no name), not by the shadow's user id.
    assert f"<strong>{identity.staff_email}</strong>" in client.get(reverse("admin:index")).content.decode()
    assert f"<strong>{shadow.username}</strong>" not in client.get(reverse("admin:index")).content.decode()


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


def _identity_sql(identity, statement: str, params=()) -> None:
    """Changes the identity service's own database, as its staff would in its admin."""
    import sqlite3

    with sqlite3.connect(identity.var_dir / "user.sqlite3") as connection:
        connection.execute(statement, params)


def _new_staff(identity) -> str:
    import uuid

    from ecom_common.testing.processes import manage, service_env

    email = f"staff-{uuid.uuid4().hex[:8]}@example.com"
    env = service_env(ECOM_VAR_DIR=str(identity.var_dir), ECOM_ADMIN_EMAIL=email, ECOM_ADMIN_PASSWORD="Staff-passw0rd")
    manage("user", "ensure_admin", env={"DJANGO_SETTINGS_MODULE": "user_service.settings.local", **env})
    return email


@pytest.mark.parametrize("change", ["is_staff = 0", "is_active = 0"])
def test_demoted_or_deactivated_staff_are_signed_out_at_the_next_recheck(
    client, verify_with_identity_service, settings, change
):
    identity = verify_with_identity_service
    email = _new_staff(identity)
    _sign_in(client, email, "Staff-passw0rd")
    assert client.get(reverse("admin:index")).status_code == 200

    _identity_sql(identity, f"UPDATE accounts_user SET {change} WHERE email = ?", (email,))
    trusted = client.get(reverse("admin:index"))  # within the interval: still the signed-in status
    settings.STAFF_RECHECK_SECONDS = 0  # the interval has passed
    refused = client.get(reverse("admin:index"))

    assert trusted.status_code == 200
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("admin:login"))
    assert client.get(reverse("admin:index")).status_code == 302  # signed out for good


def test_signing_out_revokes_the_sessions_refresh_token(client, verify_with_identity_service, settings):
    import requests

    identity = verify_with_identity_service
    _sign_in(client, identity.staff_email, identity.staff_password)
    refresh = client.session["identity_refresh"]

    client.post(reverse("admin:logout"))

    response = requests.post(f"{identity.url}/api/auth/token/refresh/", json={"refresh": refresh}, timeout=10)
    assert response.status_code == 401


@pytest.mark.django_db(transaction=True)
def test_requests_of_one_session_rechecking_together_keep_it_signed_in(client, verify_with_identity_service, settings):
    # Refresh tokens are single use: two requests re-checking at once must not sign the session out.
    from django.test import Client

    from ecom_common.testing.concurrency import race

    identity = verify_with_identity_service
    _sign_in(client, identity.staff_email, identity.staff_password)
    cookies = client.cookies
    settings.STAFF_RECHECK_SECONDS = 0
    answers = []

    def admin_page():
        twin = Client()
        twin.cookies = cookies
        answers.append(twin.get(reverse("admin:index")).status_code)

    race(admin_page, [()] * 4)

    assert answers == [200, 200, 200, 200]
    assert client.get(reverse("admin:index")).status_code == 200
