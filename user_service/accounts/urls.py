from django.urls import path

from accounts import account_apis, apis
from ecom_common.routers import ApiRouter

router = ApiRouter()
router.register("users/me/addresses", apis.AddressViewSet, basename="address")

# Actions and singletons are mapped one per path; resources are on the router.
urlpatterns = [
    path("auth/register/", apis.AuthViewSet.as_view({"post": "register"}), name="register"),
    path("auth/token/", apis.AuthViewSet.as_view({"post": "token"}), name="token-obtain"),
    path("auth/token/refresh/", apis.AuthViewSet.as_view({"post": "token_refresh"}), name="token-refresh"),
    path("auth/logout/", apis.AuthViewSet.as_view({"post": "logout"}), name="logout"),
    path(
        "auth/verify-email/",
        account_apis.AccountRecoveryViewSet.as_view({"post": "verify_email"}),
        name="verify-email",
    ),
    path(
        "auth/verify-email/resend/",
        account_apis.AccountSecurityViewSet.as_view({"post": "verify_email_resend"}),
        name="verify-email-resend",
    ),
    path(
        "auth/password-reset/",
        account_apis.AccountRecoveryViewSet.as_view({"post": "password_reset"}),
        name="password-reset",
    ),
    path(
        "auth/password-reset/confirm/",
        account_apis.AccountRecoveryViewSet.as_view({"post": "password_reset_confirm"}),
        name="password-reset-confirm",
    ),
    path(
        "users/me/password/",
        account_apis.AccountSecurityViewSet.as_view({"post": "password_change"}),
        name="user-me-password",
    ),
    path("users/me/", apis.UserMeViewSet.as_view({"get": "retrieve", "patch": "partial_update"}), name="user-me"),
    *router.urls,
]
