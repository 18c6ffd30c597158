from django.apps import AppConfig


class EcomCommonConfig(AppConfig):
    name = "ecom_common"
    verbose_name = "Ecom common"

    def ready(self):
        from rest_framework_simplejwt import state

        from ecom_common.auth.backends import TokenBackend
        from ecom_common.events.registry import handlers_autodiscover

        # simplejwt has no setting for the backend class; tokens look this attribute up each time.
        state.token_backend = TokenBackend()
        handlers_autodiscover()
