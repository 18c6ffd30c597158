"""This service as the staff's OpenID provider: the admins' clients, the code exchange with PKCE
whose access token is the API's JWT, refresh refused to a deactivated account, and signing out
here signing the account out of every admin (back-channel logout to each one)."""

import base64
import hashlib
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from django.test import Client
from oauth2_provider.models import get_application_model
from rest_framework.test import APIClient

from accounts import oidc
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from ecom_common import service_registry
from ecom_common.admin_sso import BACKCHANNEL_LOGOUT_EVENT
from ecom_common.auth import keys
from ecom_common.models import StaffSignOut

pytestmark = pytest.mark.django_db

ADMINS = [service for service in service_registry.SERVICES if service.name != service_registry.IDENTITY]
CALLBACK = "http://127.0.0.1:8000/admin/orders/oidc/callback/"


def test_every_other_admin_is_a_public_client_with_pkce_and_loopback_redirects():
    clients = {app.client_id: app for app in get_application_model().objects.all()}  # synced by migrate

    assert sorted(clients) == sorted(f"{service.name}-admin" for service in ADMINS)
    orders = clients["order-admin"]
    assert (orders.client_type, orders.authorization_grant_type, orders.skip_authorization) == (
        "public",
        "authorization-code",
        True,
    )
    assert orders.redirect_uris.split() == [
        "http://127.0.0.1/admin/orders/oidc/callback/",
        "http://localhost/admin/orders/oidc/callback/",
    ]
    # Loopback: any port (the gateway's, a service's own); anything else is refused.
    assert orders.redirect_uri_allowed("http://127.0.0.1:8000/admin/orders/oidc/callback/")
    assert orders.redirect_uri_allowed("http://localhost:8003/admin/orders/oidc/callback/")
    assert not orders.redirect_uri_allowed("http://evil.example.com/admin/orders/oidc/callback/")
    assert not orders.redirect_uri_allowed("http://127.0.0.1:8000/admin/products/oidc/callback/")


def test_a_public_shop_url_registers_exactly_its_own_redirects(settings):
    settings.SHOP_URL = "https://shop.example.com"

    oidc.admin_clients_sync()

    orders = get_application_model().objects.get(client_id="order-admin")
    assert orders.redirect_uris == "https://shop.example.com/admin/orders/oidc/callback/"
    assert orders.post_logout_redirect_uris == "https://shop.example.com/admin/orders/"
    assert not orders.redirect_uri_allowed("http://shop.example.com/admin/orders/oidc/callback/")


def _signed_in_staff(**fields):
    staff = UserFactory(is_staff=True, **fields)
    browser = Client()
    signed_in = browser.post(
        "/admin/users/login/", {"username": staff.email, "password": DEFAULT_PASSWORD, "next": "/admin/users/"}
    )
    assert signed_in.status_code == 302, signed_in.content.decode()[:500]
    return staff, browser


def _code_exchange(browser, client_id="order-admin") -> dict:
    """What an admin does at sign-in: authorize with PKCE, then trade the code for tokens."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "scope": "openid email profile",
        "state": "s",
        "nonce": "n",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    authorized = browser.get(f"/o/authorize/?{urlencode(params)}")
    assert authorized.status_code == 302, authorized.content.decode()[:500]
    code = parse_qs(urlsplit(authorized["Location"]).query)["code"][0]
    exchanged = Client().post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": client_id,
            "code_verifier": verifier,
        },
    )
    assert exchanged.status_code == 200, exchanged.content.decode()
    return exchanged.json()


def _refresh(tokens: dict, client_id="order-admin"):
    return Client().post(
        "/o/token/", {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": client_id}
    )


def test_the_code_exchange_gives_the_apis_access_token_and_an_id_token_naming_the_account():
    staff, browser = _signed_in_staff(first_name="Grace", last_name="Hopper")

    tokens = _code_exchange(browser)

    me = APIClient().get("/api/users/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert (me.status_code, me.json()["email"]) == (200, staff.email)
    access = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert (access["is_staff"], access["user_id"]) == (True, str(staff.pk))
    id_token = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert (id_token["sub"], id_token["email"], id_token["name"], id_token["nonce"]) == (
        str(staff.pk),
        staff.email,
        "Grace Hopper",
        "n",
    )


def test_without_the_pkce_verifier_the_code_is_refused():
    _staff, browser = _signed_in_staff()
    params = {
        "response_type": "code",
        "client_id": "order-admin",
        "redirect_uri": CALLBACK,
        "scope": "openid",
        "state": "s",
    }

    authorized = browser.get(f"/o/authorize/?{urlencode(params)}")

    assert authorized.status_code == 302
    assert parse_qs(urlsplit(authorized["Location"]).query)["error"] == ["invalid_request"]


@pytest.mark.parametrize("change", ["is_active", "is_staff"])
def test_a_refresh_re_reads_the_account(change):
    staff, browser = _signed_in_staff()
    tokens = _code_exchange(browser)
    setattr(staff, change, False)
    staff.save()

    refreshed = _refresh(tokens)

    if change == "is_active":
        assert (refreshed.status_code, refreshed.json()["error"]) == (400, "invalid_grant")
    else:  # the new access token says so; the admin signs the session out
        assert refreshed.status_code == 200
        assert jwt.decode(refreshed.json()["access_token"], options={"verify_signature": False})["is_staff"] is False


class _BackchannelReceiver:
    """Every admin's back-channel logout endpoint, as one real HTTP server that keeps what it gets."""

    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                received.append((self.path, parse_qs(body)["logout_token"][0]))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def backchannel(settings):
    receiver = _BackchannelReceiver()
    settings.SERVICE_URLS = {**settings.SERVICE_URLS, **{service.name: receiver.url for service in ADMINS}}
    yield receiver
    receiver.server.shutdown()


def test_signing_out_here_signs_the_account_out_of_every_admin(backchannel):
    staff, browser = _signed_in_staff()
    _other_staff, bystander = _signed_in_staff()
    _same_account_elsewhere = Client()
    _same_account_elsewhere.force_login(staff)
    tokens = _code_exchange(browser)

    browser.post("/admin/users/logout/")

    paths = sorted(path for path, _token in backchannel.received)
    assert paths == sorted(f"/admin/{service.admin_slug}/oidc/backchannel-logout/" for service in ADMINS)
    public_key = jwt.PyJWK(keys.signing_jwk()).key
    for path, token in backchannel.received:
        service = next(service for service in ADMINS if f"/admin/{service.admin_slug}/" in path)
        claims = jwt.decode(token, public_key, algorithms=["RS256"], audience=f"{service.name}-admin")
        assert (claims["sub"], list(claims["events"])) == (str(staff.pk), [BACKCHANNEL_LOGOUT_EVENT])
        assert jwt.get_unverified_header(token)["typ"] == "logout+jwt"
    assert _refresh(tokens).status_code == 400  # the admins' tokens are revoked
    assert StaffSignOut.objects.filter(user_id=str(staff.pk)).exists()
    # The account's other session here is over; another account's is not.
    assert _same_account_elsewhere.get("/admin/users/").status_code == 302
    assert bystander.get("/admin/users/").status_code == 200


def test_ending_a_session_left_from_before_a_sign_out_does_not_sign_out_the_newer_ones(backchannel):
    staff, browser = _signed_in_staff()
    stale = Client()
    stale.force_login(staff)
    browser.post("/admin/users/logout/")  # out everywhere: the stale session too
    told = len(backchannel.received)
    signed_in_again = Client()
    signed_in_again.post(
        "/admin/users/login/", {"username": staff.email, "password": DEFAULT_PASSWORD, "next": "/admin/users/"}
    )

    ended = stale.get("/admin/users/")  # the stale session's next request

    assert ended.status_code == 302
    assert signed_in_again.get("/admin/users/").status_code == 200  # the new session stays
    assert len(backchannel.received) == told == len(ADMINS)  # nobody was told again


def test_the_end_session_endpoint_signs_out_everywhere_and_returns_to_the_admin(backchannel):
    _staff, browser = _signed_in_staff()
    tokens = _code_exchange(browser)
    params = {
        "client_id": "order-admin",
        "id_token_hint": tokens["id_token"],
        "post_logout_redirect_uri": "http://127.0.0.1:8000/admin/orders/",
    }

    ended = browser.get(f"/o/logout/?{urlencode(params)}")

    assert (ended.status_code, ended["Location"]) == (302, "http://127.0.0.1:8000/admin/orders/")
    assert len(backchannel.received) == len(ADMINS)
    assert browser.get("/admin/users/").status_code == 302  # signed out here too
    assert _refresh(tokens).status_code == 400


def test_the_jwks_of_the_provider_serves_the_jwt_signing_key():
    served = json.loads(Client().get("/o/.well-known/jwks.json").content)["keys"]

    assert [(key["n"], key["e"]) for key in served] == [(keys.signing_jwk()["n"], keys.signing_jwk()["e"])]


# ---------------------------------------------------------------------------
# A new password, by any path, signs the account out of every admin and every API session
# ---------------------------------------------------------------------------
def _set_password_in_the_user_admin(staff):
    root = UserFactory(is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(root)
    response = admin.post(
        f"/admin/users/accounts/user/{staff.pk}/password/",
        {"usable_password": "true", "password1": "Brand-new-passw0rd", "password2": "Brand-new-passw0rd"},
    )
    assert response.status_code == 302, response.content.decode()[:500]


def _reset_password_through_the_api(staff):
    from accounts import account_tokens

    staff.refresh_from_db()  # the token is bound to the account's state (its last sign-in)
    token = account_tokens.password_reset_token(staff)
    response = APIClient().post(
        "/api/auth/password-reset/confirm/", {"token": token, "new_password": "Brand-new-passw0rd"}, format="json"
    )
    assert response.status_code == 204, response.content


def _change_password_through_the_api(staff):
    signed_in = APIClient().post("/api/auth/token/", {"email": staff.email, "password": DEFAULT_PASSWORD})
    response = APIClient().post(
        "/api/users/me/password/",
        {"old_password": DEFAULT_PASSWORD, "new_password": "Brand-new-passw0rd"},
        HTTP_AUTHORIZATION=f"Bearer {signed_in.json()['access']}",
        format="json",
    )
    assert response.status_code == 204, response.content


def _set_password_in_code(staff):
    """`manage.py changepassword`, a shell, a data migration: set_password and save."""
    staff.set_password("Brand-new-passw0rd")
    staff.save()


@pytest.mark.parametrize(
    "new_password",
    [
        _set_password_in_the_user_admin,
        _reset_password_through_the_api,
        _change_password_through_the_api,
        _set_password_in_code,
    ],
)
def test_a_new_password_by_any_path_signs_the_account_out_of_every_admin(backchannel, new_password):
    staff, browser = _signed_in_staff()
    admin_tokens = _code_exchange(browser)  # an admin's session: its re-check refreshes these
    api_refresh = APIClient().post("/api/auth/token/", {"email": staff.email, "password": DEFAULT_PASSWORD}).json()

    new_password(staff)

    assert (_refresh(admin_tokens).status_code, _refresh(admin_tokens).json()["error"]) == (400, "invalid_grant")
    assert APIClient().post("/api/auth/token/refresh/", {"refresh": api_refresh["refresh"]}).status_code == 401
    assert sorted(path for path, _token in backchannel.received) == sorted(
        f"/admin/{service.admin_slug}/oidc/backchannel-logout/" for service in ADMINS
    )
    assert StaffSignOut.objects.filter(user_id=str(staff.pk)).exists()
    assert browser.get("/admin/users/").status_code == 302  # this admin's session too


@pytest.mark.django_db(transaction=True)
def test_a_refresh_racing_a_new_password_waits_for_it_and_is_refused(backchannel):
    """The admin's refresh takes the account's lock before minting, as a new password does: a
    token cannot be minted between the password's revocation and its commit."""
    from django.db import transaction

    from accounts.models import User

    staff, browser = _signed_in_staff()
    admin_tokens = _code_exchange(browser)
    locked, answers = threading.Event(), []

    def refresh_while_the_password_changes():
        from django.db import connections

        locked.wait()
        try:
            answers.append(_refresh(admin_tokens))
        finally:
            connections.close_all()

    refresher = threading.Thread(target=refresh_while_the_password_changes)
    refresher.start()
    with transaction.atomic():
        User.objects.select_for_update().get(pk=staff.pk)  # as a reset holds it
        locked.set()
        refresher.join(timeout=1)
        assert refresher.is_alive()  # it waits for the account's lock
        staff.set_password("Brand-new-passw0rd")
        staff.save()
    refresher.join(timeout=10)

    assert (answers[0].status_code, answers[0].json()["error"]) == (400, "invalid_grant")


def test_ensure_admin_with_the_same_password_keeps_the_staff_signed_in(backchannel):
    """`make run` and every deploy's migration Job run ensure_admin: only a new password signs out."""
    from accounts.services import user_admin_ensure

    staff, browser = _signed_in_staff()
    admin_tokens = _code_exchange(browser)

    user_admin_ensure(email=staff.email, password=DEFAULT_PASSWORD)

    assert _refresh(admin_tokens).status_code == 200
    assert backchannel.received == []
