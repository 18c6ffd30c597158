"""Production hardening shared by every service: star-imported by each ``settings/production.py``.

Every secret comes from the environment; nothing falls back to a development default, and a
placeholder (``change-me``, the image build's throwaway key, anything short) stops the process
at start-up rather than signing sessions with a value that is in git.
"""

from django.core.exceptions import ImproperlyConfigured

from ecom_common.settings import env

# Words that mark a value copied from .env.example, the k8s templates or the Dockerfile.
PLACEHOLDER_MARKERS = ("change-me", "changeme", "collectstatic-only", "insecure", "not-a-secret", "example")
SECRET_MIN_LENGTH = 50  # Django's own deploy check (security.W009) asks for as much


def secret_from_env(name: str) -> str:
    """The environment's ``name``, refused when it is missing, short or a placeholder."""
    value = env(name)
    lowered = value.lower()
    if len(value) < SECRET_MIN_LENGTH or len(set(value)) < 5:
        raise ImproperlyConfigured(
            f"{name} must be at least {SECRET_MIN_LENGTH} random characters, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if any(marker in lowered for marker in PLACEHOLDER_MARKERS):
        raise ImproperlyConfigured(f"{name} is a placeholder; set a random value of your own")
    return value


def production_storages(storages: dict) -> dict:
    """The service's storages with static files collected, compressed and fingerprinted.

    Edits, never replaces: the file storage a service chose in its base settings (the catalog's
    S3 bucket when MEDIA_BUCKET is set) is kept."""
    return {**storages, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}


DEBUG = False
SECRET_KEY = secret_from_env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

WHITENOISE_USE_FINDERS = False
STATIC_ROOT = env("STATIC_ROOT")  # filled by collectstatic when the image is built

# `manage.py check --deploy` warnings that are deliberate, each with its reason (the deploy test
# runs the check with --fail-level WARNING):
SILENCED_SYSTEM_CHECKS = [
    # SECURE_HSTS_SECONDS: the gateway sends Strict-Transport-Security (gateway/render.py's
    # hsts, on in the k8s target), once for every service; a second header from Django would
    # disagree with it the day one of them changes.
    "security.W004",
    # SECURE_SSL_REDIRECT: HTTPS ends in front of the gateway (load balancer, Ingress), which
    # redirects plain HTTP; behind it the probes and the services' calls to each other are
    # plain HTTP inside the cluster, and must not be redirected.
    "security.W008",
]

SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
