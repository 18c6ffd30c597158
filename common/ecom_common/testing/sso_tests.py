"""Staff single sign-on to the admin, run by every service except the identity service itself.

These start the real user_service (the ``identity_service`` fixture) and sign in as a browser
does (``StaffBrowser``): this admin sends it to the identity service's sign-in page, which sends
it back with a code that this service exchanges (OpenID Connect, PKCE).
"""

import uuid

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from ecom_common.admin_sso import SESSION_ACCESS, SESSION_REFRESH, backchannel_logout_token
from ecom_common.testing.sso import ADMIN_HOST, IdentityPage, StaffBrowser

__all__ = [
    "pytestmark",
    "staff_browser",
    "test_a_second_admin_session_signs_in_without_the_password",
    "test_an_account_demoted_after_signing_in_there_gets_a_refusal_page_not_a_loop",
    "test_demoted_or_deactivated_staff_are_signed_out_at_the_next_recheck",
    "test_only_staff_get_past_the_identity_services_sign_in",
    "test_requests_of_one_session_rechecking_together_keep_it_signed_in",
    "test_shadow_user_follows_the_identity_account",
    "test_signing_out_here_signs_out_at_the_identity_service_and_ends_the_tokens",
    "test_staff_sign_in_at_the_identity_service_and_land_in_this_admin",
    "test_the_identity_services_backchannel_logout_ends_this_admins_sessions",
]

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def staff_browser(verify_with_identity_service) -> StaffBrowser:
    return StaffBrowser(verify_with_identity_service.url)


def _index() -> str:
    return reverse("admin:index")


def _is_admin_index(page) -> bool:
    return page.status_code == 200 and "Site administration" in page.content.decode()


def test_staff_sign_in_at_the_identity_service_and_land_in_this_admin(
    client, staff_browser, verify_with_identity_service
):
    from rest_framework_simplejwt.tokens import AccessToken

    identity = verify_with_identity_service

    page = staff_browser.sign_in(client, _index(), identity.staff_email, identity.staff_password)

    assert _is_admin_index(page)
    shadow = get_user_model().objects.get(email=identity.staff_email)
    assert (shadow.is_staff, shadow.is_superuser, shadow.has_usable_password()) == (True, True, False)
    # The header greets them by e-mail (their account has no name), not by the shadow's user id.
    assert f"<strong>{identity.staff_email}</strong>" in page.content.decode()
    assert f"<strong>{shadow.username}</strong>" not in page.content.decode()
    # The session holds the API's access token for the account, for calling the other services.
    assert AccessToken(client.session[SESSION_ACCESS])["email"] == identity.staff_email


def test_a_second_admin_session_signs_in_without_the_password(client, staff_browser, verify_with_identity_service):
    identity = verify_with_identity_service
    staff_browser.sign_in(Client(), _index(), identity.staff_email, identity.staff_password)

    page = staff_browser.sign_in(client, _index())  # no credentials: the identity service knows the browser

    assert _is_admin_index(page)


def test_shadow_user_follows_the_identity_account(client, staff_browser, verify_with_identity_service):
    identity = verify_with_identity_service
    staff_browser.sign_in(client, _index(), identity.staff_email, identity.staff_password)
    client.logout()

    staff_browser.sign_in(client, _index())

    assert get_user_model().objects.filter(email=identity.staff_email).count() == 1


@pytest.mark.parametrize("who", ["staff, wrong password", "a customer"])
def test_only_staff_get_past_the_identity_services_sign_in(client, staff_browser, verify_with_identity_service, who):
    identity = verify_with_identity_service
    email, password = identity.staff_email, "not-the-password"
    if who == "a customer":
        email, password = f"shopper-{uuid.uuid4().hex[:6]}@example.com", "a-Strong-passw0rd"
        identity.register_and_login(email, password)

    page = staff_browser.sign_in(client, _index(), email, password)

    assert isinstance(page, IdentityPage) and page.status_code == 200
    assert "Please enter the correct email and password for a staff account." in page.text
    assert not get_user_model().objects.exists()


def _identity_sql(identity, statement: str, params=()) -> None:
    """Changes the identity service's own database, as its staff would in its admin."""
    import sqlite3

    with sqlite3.connect(identity.var_dir / "user.sqlite3") as connection:
        connection.execute(statement, params)


def _new_staff(identity) -> str:
    from ecom_common.testing.processes import manage, service_env

    email = f"staff-{uuid.uuid4().hex[:8]}@example.com"
    env = service_env(ECOM_VAR_DIR=str(identity.var_dir), ECOM_ADMIN_EMAIL=email, ECOM_ADMIN_PASSWORD="Staff-passw0rd")
    manage("user", "ensure_admin", env={"DJANGO_SETTINGS_MODULE": "user_service.settings.local", **env})
    return email


def test_an_account_demoted_after_signing_in_there_gets_a_refusal_page_not_a_loop(
    client, staff_browser, verify_with_identity_service
):
    identity = verify_with_identity_service
    email = _new_staff(identity)
    staff_browser.sign_in(Client(), _index(), email, "Staff-passw0rd")
    _identity_sql(identity, "UPDATE accounts_user SET is_staff = 0 WHERE email = ?", (email,))

    page = staff_browser.admin_get(client, _index())

    assert page.status_code == 403
    assert "did not sign you in to this admin" in page.content.decode()
    assert not get_user_model().objects.filter(email=email, is_staff=True).exists()


@pytest.mark.parametrize("change", ["is_staff = 0", "is_active = 0"])
def test_demoted_or_deactivated_staff_are_signed_out_at_the_next_recheck(
    client, staff_browser, verify_with_identity_service, settings, change
):
    identity = verify_with_identity_service
    email = _new_staff(identity)
    staff_browser.sign_in(client, _index(), email, "Staff-passw0rd")
    assert client.get(_index()).status_code == 200

    _identity_sql(identity, f"UPDATE accounts_user SET {change} WHERE email = ?", (email,))
    trusted = client.get(_index())  # within the interval: still the signed-in status
    settings.STAFF_RECHECK_SECONDS = 0  # the interval has passed
    refused = client.get(_index())

    assert trusted.status_code == 200
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("admin:login"))
    assert client.get(_index()).status_code == 302  # signed out for good


def test_signing_out_here_signs_out_at_the_identity_service_and_ends_the_tokens(
    client, staff_browser, verify_with_identity_service
):
    identity = verify_with_identity_service
    staff_browser.sign_in(client, _index(), identity.staff_email, identity.staff_password)
    refresh = client.session[SESSION_REFRESH]

    out = client.post(reverse("admin:logout"), HTTP_HOST=ADMIN_HOST)
    ended = staff_browser.identity.get(out["Location"], allow_redirects=False, timeout=10)

    assert out["Location"].startswith(f"{identity.url}/o/logout/?")
    assert (ended.status_code, ended.headers["Location"]) == (302, f"http://{ADMIN_HOST}{_index()}")
    refreshed = requests.post(
        f"{identity.url}/o/token/",
        data={"grant_type": "refresh_token", "refresh_token": refresh, "client_id": f"{settings.SERVICE_NAME}-admin"},
        timeout=10,
    )
    assert (refreshed.status_code, refreshed.json()["error"]) == (400, "invalid_grant")
    again = staff_browser.admin_get(client, _index())  # this admin, and the identity service, ask again
    assert isinstance(again, IdentityPage) and 'name="password"' in again.text


def test_the_identity_services_backchannel_logout_ends_this_admins_sessions(
    client, staff_browser, verify_with_identity_service
):
    from ecom_common.auth.keys import generate_private_key_pem

    identity = verify_with_identity_service
    staff_browser.sign_in(client, _index(), identity.staff_email, identity.staff_password)
    other_session = Client()
    staff_browser.sign_in(other_session, _index())
    sub = get_user_model().objects.get(email=identity.staff_email).username
    own_client = f"{settings.SERVICE_NAME}-admin"
    tokens = {
        "forged": backchannel_logout_token(private_pem=generate_private_key_pem(), sub=sub, audience=own_client),
        "another admin's": backchannel_logout_token(
            private_pem=identity.private_key_pem, sub=sub, audience="elsewhere-admin"
        ),
        "the identity service's": backchannel_logout_token(
            private_pem=identity.private_key_pem, sub=sub, audience=own_client
        ),
    }
    endpoint = reverse("oidc-backchannel-logout")

    answers = {}
    for name, token in tokens.items():
        answers[name] = client.post(endpoint, {"logout_token": token}).status_code
        if name != "the identity service's":
            assert client.get(_index()).status_code == 200  # a refused token changes nothing

    assert answers == {"forged": 400, "another admin's": 400, "the identity service's": 200}
    assert [client.get(_index()).status_code, other_session.get(_index()).status_code] == [302, 302]


@pytest.mark.django_db(transaction=True)
def test_requests_of_one_session_rechecking_together_keep_it_signed_in(
    client, staff_browser, verify_with_identity_service, settings
):
    # Refresh tokens are single use: two requests re-checking at once must not sign the session out.
    from ecom_common.testing.concurrency import race

    identity = verify_with_identity_service
    staff_browser.sign_in(client, _index(), identity.staff_email, identity.staff_password)
    cookies = client.cookies
    settings.STAFF_RECHECK_SECONDS = 0
    answers = []

    def admin_page():
        twin = Client()
        twin.cookies = cookies
        answers.append(twin.get(_index()).status_code)

    race(admin_page, [()] * 4)

    assert answers == [200, 200, 200, 200]
    assert client.get(_index()).status_code == 200
