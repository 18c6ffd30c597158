"""Payment providers: the saga talks to ``payment_provider()``, configured by ``PAYMENT_PROVIDER``."""

from django.conf import settings
from django.utils.module_loading import import_string

from payments.providers.base import (
    ChargeResult,
    PaymentProvider,
    TransientProviderError,
)


def payment_provider() -> PaymentProvider:
    return import_string(settings.PAYMENT_PROVIDER)()


__all__ = ["ChargeResult", "PaymentProvider", "TransientProviderError", "payment_provider"]
