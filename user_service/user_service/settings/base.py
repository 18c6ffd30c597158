"""Settings of user_service; the shared defaults come from ecom_common.settings."""

from django.utils.functional import lazy

from ecom_common import service_registry
from ecom_common.auth import keys
from ecom_common.settings import *  # noqa: F403 - the shared defaults of every service
from ecom_common.settings import SHARED_APPS, VAR_DIR, cache_config, database_config, env, spectacular_settings

# What the service registry says of this service (ecom_common/service_registry.py), spelt out;
# a shared test checks them against the registry.
SERVICE_NAME = "user"  # also its PostgreSQL schema, cache prefix and cookie prefix
_service = service_registry.service(SERVICE_NAME)
INSTALLED_APPS = [*SHARED_APPS, "rest_framework_simplejwt.token_blacklist", "oauth2_provider", "accounts"]
ROOT_URLCONF = f"{_service.package}.urls"
WSGI_APPLICATION = f"{_service.package}.wsgi.application"
DATABASES = {"default": database_config(SERVICE_NAME)}
CACHES = {"default": cache_config(SERVICE_NAME)}
STATIC_URL = f"/static/{_service.admin_slug}/"
# Every admin is on the gateway's one origin: each service's own cookies, so signing in or out of
# one admin leaves the others' sessions (and CSRF tokens) alone.
SESSION_COOKIE_NAME = f"{SERVICE_NAME}_sessionid"
CSRF_COOKIE_NAME = f"{SERVICE_NAME}_csrftoken"
CELERY_TASK_DEFAULT_QUEUE = _service.package
SPECTACULAR_SETTINGS = spectacular_settings(
    title=f"{_service.title} API",
    description="Accounts, addresses and JWT issuing (RS256, JWKS).",
)

# ---------------------------------------------------------------------------
# Identity: this service owns the users and signs the tokens
# ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Users sign in against this database; the shared SSO backend is for the other services' admins.
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutModelBackend"]
# After this many failed sign-ins in a row, an account is locked for ACCOUNT_LOCKOUT_SECONDS.
ACCOUNT_LOCKOUT_FAILURES = env.int("ACCOUNT_LOCKOUT_FAILURES", default=10)
ACCOUNT_LOCKOUT_SECONDS = env.int("ACCOUNT_LOCKOUT_SECONDS", default=900)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
JWT_PRIVATE_KEY_FILE = env("JWT_PRIVATE_KEY_FILE", default=str(VAR_DIR / "jwt" / "private.pem"))

# ---------------------------------------------------------------------------
# Staff single sign-on: the OpenID provider of every other admin (accounts/oidc.py)
# ---------------------------------------------------------------------------
# Where the provider sends a browser that is not signed in: this admin's sign-in page.
LOGIN_URL = "/admin/users/login/"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    # One issuer, whichever address a request came in by (the browser's, or an admin's own call).
    "OIDC_ISS_ENDPOINT": f"{IDENTITY_PUBLIC_URL}/o",  # noqa: F405
    # ID tokens are signed with the JWT signing key, read when first needed.
    "OIDC_RSA_PRIVATE_KEY": lazy(keys.private_key_pem, str)(),
    "OAUTH2_VALIDATOR_CLASS": "accounts.oidc.StaffOAuth2Validator",
    "SCOPES": {"openid": "Sign in", "email": "Your e-mail address", "profile": "Your name"},
    "PKCE_REQUIRED": True,
    # The admins' access token is the API's JWT; refresh tokens are opaque, rotated at each use.
    "ACCESS_TOKEN_GENERATOR": "accounts.oidc.jwt_access_token",
    "REFRESH_TOKEN_GENERATOR": "oauthlib.oauth2.rfc6749.tokens.random_token_generator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()),  # noqa: F405
    "REFRESH_TOKEN_EXPIRE_SECONDS": int(SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].total_seconds()),  # noqa: F405
    "ROTATE_REFRESH_TOKEN": True,
    # http://localhost:<any port> matches a registered http://localhost redirect URI, as
    # http://127.0.0.1 does (RFC 8252): `make run` and compose open the admins there.
    "ALLOW_LOCALHOST_LOOPBACK": True,
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_DELETE_TOKENS": True,
    # RFC 9700 (the OAuth 2.0 security best current practice), each as django-oauth-toolkit 4.0
    # will default: no implicit or password grant, S256 PKCE only, tokens never in a query
    # string, the `iss` authorization-response parameter, tokens stored hashed, a replayed
    # refresh token revoking its whole family (an admin's re-checks take a per-session lock, so
    # its own requests never replay one), and https redirect URIs unless the shop itself is on
    # plain HTTP (make run, compose's demo: RFC 8252 loopback redirects).
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": SHOP_URL.startswith("https://"),  # noqa: F405
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if SHOP_URL.startswith("https://") else ["http", "https"],  # noqa: F405
}

REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405 - ecom_common.settings'
    # The database user, so that a deactivated account is refused at once.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
}

# ---------------------------------------------------------------------------
# Account e-mails: verification and password reset (accounts/account_flows.py)
# ---------------------------------------------------------------------------
# How long the link of a verification mail works, and a reset link (short: it sets a password).
EMAIL_VERIFICATION_TIMEOUT_SECONDS = env.int("EMAIL_VERIFICATION_TIMEOUT_SECONDS", default=3 * 24 * 3600)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=3600)
# Requests that send a mail (reset, resend): per client and per address; token confirmations per client.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] |= {
    "account_mail": env("THROTTLE_ACCOUNT_MAIL_RATE", default="10/hour"),
    "account_mail_address": env("THROTTLE_ACCOUNT_MAIL_ADDRESS_RATE", default="5/hour"),
    "account_token": env("THROTTLE_ACCOUNT_TOKEN_RATE", default="30/hour"),
}
