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
