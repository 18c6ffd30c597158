from django.apps import AppConfig


class EcomCommonConfig(AppConfig):
    name = "ecom_common"
    # The admin's heading over the outbox, inbox and dead letters.
    verbose_name = "Event bus"

    def ready(self):
        from django.conf import settings
        from rest_framework_simplejwt import state

        from ecom_common import admin_sso  # noqa: F401 - connects the staff sign-in signals
        from ecom_common.auth.backends import TokenBackend
        from ecom_common.business_metrics import business_metrics_register
        from ecom_common.events.registry import handlers_autodiscover
        from ecom_common.tracing import tracing_setup

        # simplejwt has no setting for the backend class; tokens look this attribute up each time.
        state.token_backend = TokenBackend()
        handlers_autodiscover()
        tracing_setup(settings.SERVICE_NAME)  # only with OTEL_EXPORTER_OTLP_ENDPOINT
        business_metrics_register()  # read from the database when /metrics is scraped
