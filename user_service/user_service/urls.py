from django.urls import include, path
from oauth2_provider import urls as oauth2_urls

from accounts.account_pages import password_reset_page, verify_email_page
from accounts.apis import JwksViewSet
from accounts.oidc import StaffSignOutView
from ecom_common.urls import handler400, handler403, handler404, handler500, service_urlpatterns  # noqa: F401

oidc_urlpatterns = [
    *(pattern for pattern in oauth2_urls.base_urlpatterns if pattern.name in ("authorize", "token", "revoke-token")),
    *(pattern for pattern in oauth2_urls.oidc_urlpatterns if pattern.name != "rp-initiated-logout"),
    path("logout/", StaffSignOutView.as_view(), name="rp-initiated-logout"),
]

urlpatterns = [
    *service_urlpatterns(),
    path(".well-known/jwks.json", JwksViewSet.as_view({"get": "retrieve"}), name="jwks"),
    path("api/", include("accounts.urls")),
    # The staff's OpenID provider (accounts/oidc.py): authorize, token, JWKS, userinfo, logout.
    path("o/", include((oidc_urlpatterns, "oauth2_provider"))),
    # Where the account mails' links lead (notification_service's ACCOUNT_*_URL settings).
    path("account/verify-email/", verify_email_page, name="account-verify-email"),
    path("account/password-reset/", password_reset_page, name="account-password-reset"),
]
