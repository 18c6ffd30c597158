"""Repeated failed sign-ins lock the account (whoever sends them), with a clear message, in the
API and in the admin; the admin's sign-in form is throttled per client."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _lockout(settings):
    settings.ACCOUNT_LOCKOUT_FAILURES = 3
    settings.ACCOUNT_LOCKOUT_SECONDS = 600


def sign_in(password, email, client_ip="10.0.0.1"):
    return APIClient(REMOTE_ADDR=client_ip).post("/api/auth/token/", {"email": email, "password": password})


def test_failed_sign_ins_from_many_clients_lock_the_account_with_a_clear_message():
    user, other = UserFactory(), UserFactory()

    failures = [sign_in("wrong", user.email, client_ip=f"10.0.0.{n}").status_code for n in range(3)]
    locked = sign_in(DEFAULT_PASSWORD, user.email.upper(), client_ip="10.0.0.99")

    assert failures == [401, 401, 401]
    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == "600"
    assert locked.json()["errors"] == [
        {
            "code": "throttled",
            "detail": "Too many failed sign-ins for this account: it is locked for a while. "
            "Expected available in 600 seconds.",
            "attr": None,
        }
    ]
    assert sign_in(DEFAULT_PASSWORD, other.email).status_code == 200  # only that account

    cache.delete(f"sign_in_locked_until:{user.email.lower()}")  # the lockout runs out
    assert sign_in(DEFAULT_PASSWORD, user.email).status_code == 200


def test_a_successful_sign_in_resets_the_count():
    user = UserFactory()

    answers = [sign_in(password, user.email).status_code for password in ["x", "x", DEFAULT_PASSWORD, "x", "x"]]

    assert answers == [401, 401, 200, 401, 401]
    assert sign_in(DEFAULT_PASSWORD, user.email).status_code == 200


def test_the_admin_says_the_account_is_locked(client):
    staff = UserFactory(is_staff=True)
    for _ in range(3):
        client.post("/admin/users/login/", {"username": staff.email, "password": "wrong"})

    page = client.post("/admin/users/login/", {"username": staff.email, "password": DEFAULT_PASSWORD})

    assert page.status_code == 200
    assert (
        "Too many failed sign-ins for this account: it is locked, try again in 10 minute(s)." in page.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_the_admin_sign_in_form_is_throttled_per_client(settings):
    from django.test import Client

    settings.THROTTLE_ADMIN_SIGN_IN_RATE = "4/min"
    settings.ACCOUNT_LOCKOUT_FAILURES = 100
    noisy, quiet = Client(REMOTE_ADDR="10.1.1.1"), Client(REMOTE_ADDR="10.1.1.2")

    answers = [
        noisy.post("/admin/users/login/", {"username": f"u{n}@example.com", "password": "x"}).status_code
        for n in range(6)
    ]

    assert answers == [200, 200, 200, 200, 429, 429]
    assert "Too many sign-in attempts from your address" in noisy.post("/admin/users/login/", {}).content.decode()
    assert quiet.post("/admin/users/login/", {"username": "a@example.com", "password": "x"}).status_code == 200
    assert noisy.get("/admin/users/login/").status_code == 200  # the form itself is always shown
