"""Staff sign in to this service's admin with their identity-service account."""

import pytest

from ecom_common.testing.sso_tests import *  # noqa: F403


# ---------------------------------------------------------------------------
# The identity service counts each admin client, and each account, on its own
# ---------------------------------------------------------------------------
@pytest.fixture
def strict_identity_service(tmp_path, settings):
    """A user_service that throttles sign-ins at 3 a minute per client and locks an account
    after 4 failures in a row."""
    import contextlib

    from ecom_common.auth import keys
    from ecom_common.testing.plugin import IdentityService
    from ecom_common.testing.processes import manage, running_service, service_env

    env = service_env(
        ECOM_VAR_DIR=str(tmp_path),
        ECOM_ADMIN_EMAIL=IdentityService.staff_email,
        ECOM_ADMIN_PASSWORD=IdentityService.staff_password,
        THROTTLE_ANON_RATE="3/min",
        ACCOUNT_LOCKOUT_FAILURES="4",
    )
    with contextlib.ExitStack() as processes:
        url = processes.enter_context(running_service("user", env=env, log_path=tmp_path / "user.log"))
        manage("user", "ensure_admin", env={"DJANGO_SETTINGS_MODULE": "user_service.settings.local", **env})
        settings.JWT_PUBLIC_KEY = ""
        settings.IDENTITY_SERVICE_URL = url
        settings.JWT_JWKS_URL = f"{url}/.well-known/jwks.json"
        keys.jwks_reset()
        yield IdentityService(url, tmp_path)


def _admin_sign_in(client_ip, email, password):
    from django.test import Client
    from django.urls import reverse

    client = Client(REMOTE_ADDR=client_ip)
    return client.post(
        reverse("admin:login"), {"username": email, "password": password, "next": reverse("admin:index")}
    )


def test_one_noisy_client_does_not_throttle_the_others_sign_in(strict_identity_service):
    identity = strict_identity_service
    noisy = [_admin_sign_in("10.0.0.1", f"guess{n}@example.com", "x").status_code for n in range(4)]

    quiet = _admin_sign_in("10.0.0.2", identity.staff_email, identity.staff_password)

    assert noisy == [200, 200, 200, 200]
    assert quiet.status_code == 302  # signed in: the identity service saw another client


def test_a_locked_account_is_told_so_at_this_admin(strict_identity_service):
    identity = strict_identity_service
    for n in range(4):
        _admin_sign_in(f"10.0.1.{n}", identity.staff_email, "not-the-password")

    page = _admin_sign_in("10.0.1.99", identity.staff_email, identity.staff_password)

    assert page.status_code == 200
    assert "Too many failed sign-ins for this account: it is locked for a while." in page.content.decode()
