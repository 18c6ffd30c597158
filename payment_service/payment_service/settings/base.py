"""Settings of payment_service; the shared defaults come from ecom_common.settings."""

from ecom_common import service_registry
from ecom_common.settings import *  # noqa: F403 - the shared defaults of every service
from ecom_common.settings import SHARED_APPS, cache_config, database_config, env, spectacular_settings

# What the service registry says of this service (ecom_common/service_registry.py), spelt out;
# a shared test checks them against the registry.
SERVICE_NAME = "payment"  # also its PostgreSQL schema, cache prefix and cookie prefix
_service = service_registry.service(SERVICE_NAME)
INSTALLED_APPS = [*SHARED_APPS, "payments"]
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
    description="Payments and refunds through a provider interface.",
)
STAFF_SUMMARY_FIGURES = "payments.dashboard.figures"  # the order admin's dashboard
BUSINESS_METRICS = "payments.metrics.metrics"  # on /metrics
# How often beat enqueues again the charges whose task was lost, and asks again for refunds owed.
PAYMENT_STALLED_SWEEP_SECONDS = env.float("PAYMENT_STALLED_SWEEP_SECONDS", default=15.0)
PAYMENT_REFUND_SWEEP_SECONDS = env.float("PAYMENT_REFUND_SWEEP_SECONDS", default=15.0)

# ---------------------------------------------------------------------------
# Payments
# ---------------------------------------------------------------------------
# Dotted path of the PaymentProvider class; the built-in sandbox provider takes test-mode tokens
# (tok_visa). It is the default here (make run, tests); production settings have no default.
SANDBOX_PAYMENT_PROVIDER = "payments.providers.sandbox.SandboxProvider"
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default=SANDBOX_PAYMENT_PROVIDER)
# The sandbox approves published test cards: `manage.py check --deploy` fails on it, and
# production settings refuse to start with it, unless a demo sets this (compose's does).
PAYMENT_ALLOW_SANDBOX = env.bool("PAYMENT_ALLOW_SANDBOX", default=False)
# Provider calls per payment before a transient error becomes payment.failed (processing_error).
PAYMENT_MAX_ATTEMPTS = env.int("PAYMENT_MAX_ATTEMPTS", default=4)
# A payment processing for longer than this without progress has its charge enqueued again.
PAYMENT_STALLED_SECONDS = env.int("PAYMENT_STALLED_SECONDS", default=30)
# A refund the provider cannot make now is owed and asked again after this, doubling up to the
# ceiling, with no limit on how long (the swept state shows on the order admin's dashboard).
PAYMENT_REFUND_RETRY_SECONDS = env.float("PAYMENT_REFUND_RETRY_SECONDS", default=10.0)
PAYMENT_REFUND_RETRY_MAX_SECONDS = env.float("PAYMENT_REFUND_RETRY_MAX_SECONDS", default=3600.0)
# A payment voided while its charge was in flight is looked up again for this long, in case the
# provider settles the charge after all (then it is refunded).
PAYMENT_VOID_RECHECK_SECONDS = env.int("PAYMENT_VOID_RECHECK_SECONDS", default=86400)
