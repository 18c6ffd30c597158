"""Production: the service's settings plus the shared hardening of ecom_common.production_settings."""

# ruff: noqa: I001 - the order is the point: the shared hardening overrides base
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import PAYMENT_ALLOW_SANDBOX, SANDBOX_PAYMENT_PROVIDER, STORAGES, env
from ecom_common.production_settings import *  # noqa: F403 - after base, so it wins
from ecom_common.production_settings import production_storages

STORAGES = production_storages(STORAGES)

# No default card processor in production: the deployment names one. The sandbox approves the
# published test card tok_visa, so it would ship free goods unless a demo asks for it by name.
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER")
if PAYMENT_PROVIDER == SANDBOX_PAYMENT_PROVIDER and not PAYMENT_ALLOW_SANDBOX:
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER is the sandbox, which approves test cards: set PAYMENT_ALLOW_SANDBOX=true "
        "for a demo, or name a real provider"
    )
