from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from accounts import oidc

        # The admins' OAuth clients follow the registry and SHOP_URL at every migrate.
        post_migrate.connect(oidc.admin_clients_sync, sender=self)
        if settings.JWT_GENERATE_PRIVATE_KEY:
            from ecom_common.auth import keys

            # Development: make the key pair at start-up, not at the first sign-in, so that
            # whatever reads var/jwt/ (tests, the other services' JWKS fetch) finds it at once.
            keys.private_key_pem()
