"""Settings of user_service; the shared defaults come from ecom_common.settings."""

from ecom_common.settings import *  # noqa: F403 - the shared defaults of every service
from ecom_common.settings import VAR_DIR, env, service_settings

# SERVICE_NAME, ROOT_URLCONF, WSGI_APPLICATION, INSTALLED_APPS, DATABASES, CACHES, STATIC_URL,
# CELERY_TASK_DEFAULT_QUEUE and SPECTACULAR_SETTINGS, from the service registry (ecom_common).
globals().update(
    service_settings(
        "user",
        apps=["rest_framework_simplejwt.token_blacklist", "accounts"],
        api_description="Accounts, addresses and JWT issuing (RS256, JWKS).",
    )
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
