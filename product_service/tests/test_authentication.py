"""Tokens issued by the real identity service, verified here with its JWKS and no database lookup."""

import base64
import json
import time
from datetime import timedelta

import jwt
import pytest

from ecom_common.auth.keys import generate_private_key_pem
from ecom_common.testing.plugin import public_key_pem, sign_token

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

NEW_PRODUCT = {"sku": "AUTH-1", "name": "Token test", "description": "", "price": "1.00", "currency": "USD"}


def _create_product(api_client, token):
    return api_client.post("/api/products/", NEW_PRODUCT, format="json", headers={"Authorization": f"Bearer {token}"})


def _error_code(response):
    return response.json()["errors"][0]["code"]


def test_staff_token_from_identity_service_may_write(api_client, verify_with_identity_service):
    identity = verify_with_identity_service
    tokens = identity.register_and_login(identity.staff_email, identity.staff_password)

    response = _create_product(api_client, tokens["access"])

    assert response.status_code == 201


def test_customer_token_from_identity_service_is_authenticated_but_not_staff(api_client, verify_with_identity_service):
    tokens = verify_with_identity_service.register_and_login("buyer@example.com")

    response = _create_product(api_client, tokens["access"])

    assert response.status_code == 403
    assert _error_code(response) == "permission_denied"


def test_expired_token_is_refused(api_client, verify_with_identity_service):
    token = sign_token(verify_with_identity_service.private_key_pem, is_staff=True, lifetime=timedelta(seconds=-1))

    response = _create_product(api_client, token)

    assert response.status_code == 401
    assert _error_code(response) == "token_not_valid"


def test_tampered_token_is_refused(api_client, verify_with_identity_service):
    tokens = verify_with_identity_service.register_and_login("sneaky@example.com")
    header, payload, signature = tokens["access"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["is_staff"] = True
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    response = _create_product(api_client, f"{header}.{forged_payload}.{signature}")

    assert response.status_code == 401


def test_token_signed_with_another_key_is_refused(api_client, verify_with_identity_service):
    token = sign_token(generate_private_key_pem(), is_staff=True)

    response = _create_product(api_client, token)

    assert response.status_code == 401


def test_token_signed_with_another_key_under_the_real_kid_is_refused(api_client, verify_with_identity_service):
    real_kid = jwt.get_unverified_header(verify_with_identity_service.register_and_login("kid@example.com")["access"])
    token = sign_token(generate_private_key_pem(), is_staff=True, headers={"kid": real_kid["kid"]})

    response = _create_product(api_client, token)

    assert response.status_code == 401


def test_unsigned_alg_none_token_is_refused(api_client, verify_with_identity_service):
    tokens = verify_with_identity_service.register_and_login("none@example.com")
    claims = jwt.decode(tokens["access"], options={"verify_signature": False})
    claims["is_staff"] = True
    token = jwt.encode(claims, key=None, algorithm="none")

    response = _create_product(api_client, token)

    assert response.status_code == 401


def test_hs256_token_keyed_with_the_public_key_is_refused(api_client, verify_with_identity_service):
    identity = verify_with_identity_service
    tokens = identity.register_and_login("hs256@example.com")
    claims = jwt.decode(tokens["access"], options={"verify_signature": False})
    claims["is_staff"] = True
    public_pem = public_key_pem(identity.private_key_pem).encode()
    # PyJWT refuses a PEM as an HMAC secret, so sign the classic confusion attack by hand.
    token = _hs256_by_hand(claims, public_pem, kid=jwt.get_unverified_header(tokens["access"])["kid"])

    response = _create_product(api_client, token)

    assert response.status_code == 401


def _hs256_by_hand(claims: dict, secret: bytes, kid: str) -> str:
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = (
        f"{b64(json.dumps({'alg': 'HS256', 'typ': 'JWT', 'kid': kid}).encode())}.{b64(json.dumps(claims).encode())}"
    )
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def _assert_refused_in_the_error_format(response):
    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "client_error"
    assert [error["code"] for error in body["errors"]] == ["token_not_valid"]
    assert body["errors"][0]["attr"] is None


def test_token_not_yet_valid_is_refused(api_client, verify_with_identity_service):
    not_before = int(time.time()) + 3600
    token = sign_token(verify_with_identity_service.private_key_pem, is_staff=True, nbf=not_before)

    response = _create_product(api_client, token)

    _assert_refused_in_the_error_format(response)


def test_token_from_another_issuer_is_refused(api_client, verify_with_identity_service):
    token = sign_token(verify_with_identity_service.private_key_pem, is_staff=True, iss="https://evil.example.com")

    response = _create_product(api_client, token)

    _assert_refused_in_the_error_format(response)


def test_token_for_another_audience_is_refused(api_client, verify_with_identity_service):
    token = sign_token(verify_with_identity_service.private_key_pem, is_staff=True, aud="another-platform")

    response = _create_product(api_client, token)

    _assert_refused_in_the_error_format(response)


def test_refresh_token_used_as_access_token_is_refused(api_client, verify_with_identity_service):
    identity = verify_with_identity_service
    tokens = identity.register_and_login(identity.staff_email, identity.staff_password)

    response = _create_product(api_client, tokens["refresh"])

    _assert_refused_in_the_error_format(response)


# ---------------------------------------------------------------------------
# The JWKS: fetched at most once per interval, a failure never cached, never a 500
# ---------------------------------------------------------------------------
@pytest.fixture
def restartable_identity_service(tmp_path, settings):
    """A user_service of this test's own, which the test stops (an identity-service restart)."""
    import contextlib
    from types import SimpleNamespace

    from ecom_common.auth import keys
    from ecom_common.testing.processes import running_service, service_env

    processes = contextlib.ExitStack()
    url = processes.enter_context(
        running_service("user", env=service_env(ECOM_VAR_DIR=str(tmp_path)), log_path=tmp_path / "user.log")
    )
    settings.JWT_PUBLIC_KEY = ""
    settings.JWT_JWKS_URL = f"{url}/.well-known/jwks.json"
    keys.jwks_reset()
    yield SimpleNamespace(private_key_pem=(tmp_path / "jwt" / "private.pem").read_text(), stop=processes.close)
    processes.close()


def _read(api_client, token):
    # A 503 is reported like any server error (Sentry hears of it); here it is the answer to read.
    api_client.raise_request_exception = False
    return api_client.get("/api/products/", headers={"Authorization": f"Bearer {token}"})


def test_a_forged_kid_storm_during_an_identity_restart_leaves_valid_tokens_working(
    api_client, restartable_identity_service
):
    from ecom_common.auth import keys

    identity = restartable_identity_service
    valid = sign_token(identity.private_key_pem, is_staff=True)
    assert _read(api_client, valid).status_code == 200  # the key set is fetched and kept
    fetched = keys.jwks_fetch_count()
    identity.stop()

    forged = [
        _read(api_client, sign_token(generate_private_key_pem(), headers={"kid": f"forged-{n}"})) for n in range(3)
    ] * 10
    still_valid = [_read(api_client, valid).status_code for _ in range(5)]

    assert {response.status_code for response in forged} == {401}
    assert {_error_code(response) for response in forged} == {"token_not_valid"}
    assert still_valid == [200] * 5
    assert keys.jwks_fetch_count() - fetched <= 1  # not one fetch per forged header


def test_an_unknown_kid_is_fetched_again_at_most_once_per_interval(api_client, restartable_identity_service, settings):
    from ecom_common.auth import keys

    settings.JWKS_REFETCH_SECONDS = 3600
    valid = sign_token(restartable_identity_service.private_key_pem, is_staff=True)
    _read(api_client, valid)
    fetched = keys.jwks_fetch_count()

    for n in range(20):
        _read(api_client, sign_token(generate_private_key_pem(), headers={"kid": f"unknown-{n}"}))

    assert keys.jwks_fetch_count() == fetched


def test_an_unreachable_jwks_is_a_503_and_the_failure_is_not_kept(api_client, restartable_identity_service, settings):
    from ecom_common.auth import keys

    identity = restartable_identity_service
    valid = sign_token(identity.private_key_pem, is_staff=True)
    good_url = settings.JWT_JWKS_URL
    settings.JWT_JWKS_URL = "http://127.0.0.1:9/.well-known/jwks.json"  # nothing listens there
    keys.jwks_reset()

    unreachable = _read(api_client, valid)
    settings.JWT_JWKS_URL = good_url
    settings.JWKS_FAILURE_RETRY_SECONDS = 0
    after = _read(api_client, valid)

    assert unreachable.status_code == 503
    assert unreachable.json()["errors"][0]["code"] == "identity_unavailable"
    assert after.status_code == 200  # the failure was not cached


@pytest.mark.parametrize("body", ["not json", '{"keys": "nope"}', '{"keys": [{"kty": "RSA"}]}'])
def test_a_malformed_jwks_is_a_503_not_a_500(api_client, settings, body, tmp_path):
    import http.server
    import threading

    from ecom_common.auth import keys

    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.JWT_PUBLIC_KEY = ""
    settings.JWT_JWKS_URL = f"http://127.0.0.1:{server.server_port}/jwks.json"
    keys.jwks_reset()
    try:
        response = _read(api_client, sign_token(generate_private_key_pem(), headers={"kid": "k"}))
    finally:
        server.shutdown()

    assert response.status_code == 503
    assert response.json()["errors"][0]["code"] == "identity_unavailable"
