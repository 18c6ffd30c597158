"""Settings of user_service; the shared defaults come from ecom_common.settings."""

from pathlib import Path

from ecom_common.settings import *  # noqa: F403 - the shared defaults of every service
from ecom_common.settings import VAR_DIR, cache_config, database_config, env, spectacular_settings

SERVICE_NAME = "user"  # also its PostgreSQL schema
BASE_DIR = Path(__file__).resolve().parents[2]

ROOT_URLCONF = "user_service.urls"
WSGI_APPLICATION = "user_service.wsgi.application"
INSTALLED_APPS = [*SHARED_APPS, "rest_framework_simplejwt.token_blacklist", "accounts"]  # noqa: F405

DATABASES = {"default": database_config(SERVICE_NAME)}
CACHES = {"default": cache_config(SERVICE_NAME)}

STATIC_URL = "/static/users/"

CELERY_TASK_DEFAULT_QUEUE = "user_service"

SPECTACULAR_SETTINGS = spectacular_settings(
    title="Identity API",
    description="Accounts, addresses and JWT issuing (RS256, JWKS).",
)

# ---------------------------------------------------------------------------
# Identity: this service owns the users and signs the tokens
# ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Users sign in against this database; the shared SSO backend is for the other services' admins.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
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
