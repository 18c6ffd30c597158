from django.urls import include, path

from accounts.account_pages import password_reset_page, verify_email_page
from accounts.apis import JwksViewSet
from ecom_common.urls import handler400, handler403, handler404, handler500, service_urlpatterns  # noqa: F401

urlpatterns = [
    *service_urlpatterns(),
    path(".well-known/jwks.json", JwksViewSet.as_view({"get": "retrieve"}), name="jwks"),
    path("api/", include("accounts.urls")),
    # Where the account mails' links lead (notification_service's ACCOUNT_*_URL settings).
    path("account/verify-email/", verify_email_page, name="account-verify-email"),
    path("account/password-reset/", password_reset_page, name="account-password-reset"),
]
