"""System checks of the payment service (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string


@register(Tags.security, deploy=True)
def sandbox_provider_check(app_configs, **kwargs) -> list[Error]:
    """A deployment taking the sandbox's published test cards gives goods away."""
    provider = import_string(settings.PAYMENT_PROVIDER)
    if getattr(provider, "is_sandbox", False) and not settings.PAYMENT_ALLOW_SANDBOX:
        return [
            Error(
                f"PAYMENT_PROVIDER is {settings.PAYMENT_PROVIDER}, which approves published test cards (tok_visa).",
                hint="Name a real provider, or set PAYMENT_ALLOW_SANDBOX=true for a demo that takes no money.",
                id="payments.E001",
            )
        ]
    return []
