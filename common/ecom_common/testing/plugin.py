"""pytest fixtures every service's suite shares (loaded through the ``pytest11`` entry point).

Non-identity services verify tokens with a key pair made for the test session; the
``access_token_for`` fixture signs tokens with it exactly as the identity service does, so the
real authentication path runs. Tests that need the real identity service start it with
``ecom_common.testing.processes``.
"""

import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest


@pytest.fixture(scope="session")
def jwt_test_private_key() -> str:
    from ecom_common.auth.keys import generate_private_key_pem

    return generate_private_key_pem()


@pytest.fixture(autouse=True)
def _verify_tokens_with_test_key(request, jwt_test_private_key):
    from django.conf import settings as django_settings

    if django_settings.JWT_PRIVATE_KEY_FILE:
        yield  # the identity service verifies with its own key
        return
    settings = request.getfixturevalue("settings")
    settings.JWT_PUBLIC_KEY = public_key_pem(jwt_test_private_key)
    yield


def public_key_pem(private_pem: str) -> str:
    from cryptography.hazmat.primitives import serialization

    private_key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def sign_token(private_pem: str, *, lifetime: timedelta = timedelta(minutes=15), headers=None, **claims) -> str:
    """A token as the identity service issues it; any claim can be overridden to forge a bad one."""
    from django.conf import settings

    from ecom_common.auth.keys import _public_jwk

    now = datetime.now(UTC)
    payload = {
        "token_type": "access",
        "exp": now + lifetime,
        "iat": now,
        "jti": uuid.uuid4().hex,
        "iss": settings.JWT_ISSUER,
        "aud": settings.JWT_AUDIENCE,
        "user_id": str(uuid.uuid4()),
        "email": "someone@example.com",
        "is_staff": False,
        "is_superuser": False,
        "groups": [],
        **claims,
    }
    headers = {"kid": _public_jwk(private_pem)["kid"], **(headers or {})}
    return jwt.encode(payload, private_pem, algorithm="RS256", headers=headers)


@pytest.fixture
def access_token_for(jwt_test_private_key):
    """``access_token_for(is_staff=True, user_id=...)`` → a signed bearer token."""

    def make(**claims) -> str:
        return sign_token(jwt_test_private_key, **claims)

    return make


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def customer_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def customer_client(access_token_for, customer_id):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {access_token_for(user_id=customer_id, email='customer@example.com')}"
    )
    return client


@pytest.fixture
def staff_client(access_token_for):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(is_staff=True, email='staff@example.com')}")
    return client


@pytest.fixture
def admin_client_logged_in(client, db):
    """A test client signed in to this service's admin as a superuser."""
    from django.contrib.auth import get_user_model

    from ecom_common.testing.admin import admin_force_login

    user_model = get_user_model()
    fields = {"email": "admin@example.com", "password": None}
    if user_model.USERNAME_FIELD != "email":
        fields["username"] = "admin"  # the other services' shadow users are keyed by username
    admin_force_login(client, user_model.objects.create_superuser(**fields))
    return client


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache (throttle counters, cached pages)."""
    from django.core.cache import cache

    cache.clear()


class IdentityService:
    """A real user_service process (embedded SQLite in a temporary folder) and its staff account."""

    staff_email = "staff@example.com"
    staff_password = "staff-password-123"

    def __init__(self, url: str, var_dir):
        self.url = url
        self.var_dir = var_dir
        self.private_key_pem = (var_dir / "jwt" / "private.pem").read_text()

    def register_and_login(self, email: str, password: str = "a-Strong-passw0rd") -> dict:
        import requests

        requests.post(f"{self.url}/api/auth/register/", json={"email": email, "password": password}, timeout=10)
        response = requests.post(
            f"{self.url}/api/auth/token/", json={"email": email, "password": password}, timeout=10
        )
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def identity_service(tmp_path_factory):
    """user_service served by gunicorn; its staff account is made by ``ensure_admin``."""
    from ecom_common.testing.processes import manage, running_service, service_env

    var_dir = tmp_path_factory.mktemp("identity")
    env = service_env(
        ECOM_VAR_DIR=str(var_dir),
        ECOM_ADMIN_EMAIL=IdentityService.staff_email,
        ECOM_ADMIN_PASSWORD=IdentityService.staff_password,
    )
    with running_service("user", env=env, log_path=var_dir / "user_service.log") as url:
        manage("user", "ensure_admin", env={"DJANGO_SETTINGS_MODULE": "user_service.settings.local", **env})
        yield IdentityService(url, var_dir)


@pytest.fixture
def verify_with_identity_service(settings, identity_service):
    """This service verifies tokens with the identity service's JWKS, as in production."""
    from ecom_common.auth import keys

    settings.JWT_PUBLIC_KEY = ""
    settings.IDENTITY_SERVICE_URL = identity_service.url
    settings.IDENTITY_PUBLIC_URL = identity_service.url  # the browser signs in there
    settings.JWT_JWKS_URL = f"{identity_service.url}/.well-known/jwks.json"
    keys.jwks_reset()
    return identity_service
