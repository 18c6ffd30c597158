"""Settings of notification_service; the shared defaults come from ecom_common.settings."""

from ecom_common import service_registry
from ecom_common.settings import *  # noqa: F403 - the shared defaults of every service
from ecom_common.settings import SHARED_APPS, VAR_DIR, cache_config, database_config, env, spectacular_settings

# What the service registry says of this service (ecom_common/service_registry.py), spelt out;
# a shared test checks them against the registry.
SERVICE_NAME = "notification"  # also its PostgreSQL schema, cache prefix and cookie prefix
_service = service_registry.service(SERVICE_NAME)
INSTALLED_APPS = [*SHARED_APPS, "notifications"]
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
    description="The messages the shop sends its customers and staff, driven by events.",
)
# How often beat sends the messages that are due (a retry, or one whose task was lost).
NOTIFICATION_SWEEP_SECONDS = env.float("NOTIFICATION_SWEEP_SECONDS", default=5.0)

# ---------------------------------------------------------------------------
# E-mail
# ---------------------------------------------------------------------------
# With no EMAIL_URL every message is an .eml file in MAIL_DIR (open it with any mail program).
# EMAIL_URL picks one of Django's backends: smtp://user:password@host:25, smtp+tls://...:587,
# smtps://...:465, consolemail://. A provider's API (Amazon SES, Mailgun, Postmark, SendGrid...)
# through django-anymail: EMAIL_BACKEND=anymail.backends.<provider>.EmailBackend and ANYMAIL_*
# (README, "E-mail").
MAIL_DIR = VAR_DIR / "mail"
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "notifications.mail.EmlFileBackend"
    EMAIL_FILE_PATH = str(MAIL_DIR)
EMAIL_BACKEND = env("EMAIL_BACKEND", default=EMAIL_BACKEND)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
ANYMAIL = env.dict("ANYMAIL", default={})
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Shop <shop@localhost>")

# ---------------------------------------------------------------------------
# Notifications
# ---------------------------------------------------------------------------
# The links in the mails point to SHOP_URL's pages (ecom_common.settings).
SHOP_NAME = env("SHOP_NAME", default="Shop")
# Where the links of the account mails lead ({shop} the SHOP_URL, {token} the link's token): by
# default user_service's own pages; a storefront points them at its own.
ACCOUNT_VERIFY_EMAIL_URL = env("ACCOUNT_VERIFY_EMAIL_URL", default="{shop}/account/verify-email/?token={token}")
ACCOUNT_PASSWORD_RESET_URL = env("ACCOUNT_PASSWORD_RESET_URL", default="{shop}/account/password-reset/?token={token}")
# Who is told about low stock.
NOTIFICATION_STAFF_EMAILS = env.list("NOTIFICATION_STAFF_EMAILS", default=["staff@localhost"])
# Sends of one message before it is dead-lettered (status failed, in the admin's delivery log),
# retried with exponential backoff from NOTIFICATION_RETRY_SECONDS up to ..._MAX_SECONDS.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=10)
NOTIFICATION_RETRY_SECONDS = env.float("NOTIFICATION_RETRY_SECONDS", default=5.0)
NOTIFICATION_RETRY_MAX_SECONDS = env.float("NOTIFICATION_RETRY_MAX_SECONDS", default=600.0)
