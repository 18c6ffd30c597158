"""Settings of payment_service; the shared defaults come from ecom_common.settings."""

from pathlib import Path

from ecom_common.settings import *  # noqa: F403 - the shared defaults of every service
from ecom_common.settings import cache_config, database_config, env, spectacular_settings

SERVICE_NAME = "payment"  # also its PostgreSQL schema
BASE_DIR = Path(__file__).resolve().parents[2]

ROOT_URLCONF = "payment_service.urls"
WSGI_APPLICATION = "payment_service.wsgi.application"
INSTALLED_APPS = [*SHARED_APPS, "payments"]  # noqa: F405

DATABASES = {"default": database_config(SERVICE_NAME)}
CACHES = {"default": cache_config(SERVICE_NAME)}

STATIC_URL = "/static/payments/"

CELERY_TASK_DEFAULT_QUEUE = "payment_service"
CELERY_BEAT_SCHEDULE = {
    "payment-charge-resume-stalled": {
        "task": "payments.tasks.payment_charge_resume_stalled_task",
        "schedule": env.float("PAYMENT_STALLED_SWEEP_SECONDS", default=15.0),
    },
}

# ---------------------------------------------------------------------------
# Payments
# ---------------------------------------------------------------------------
# Dotted path of the PaymentProvider class; the built-in test provider takes test tokens (tok_visa).
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="payments.providers.test.TestProvider")
# Provider calls per payment before a transient error becomes payment.failed (processing_error).
PAYMENT_MAX_ATTEMPTS = env.int("PAYMENT_MAX_ATTEMPTS", default=4)
# A payment processing for longer than this without progress has its charge enqueued again.
PAYMENT_STALLED_SECONDS = env.int("PAYMENT_STALLED_SECONDS", default=30)

SPECTACULAR_SETTINGS = spectacular_settings(
    title="Payments API",
    description="Payments and refunds through a provider interface.",
)
