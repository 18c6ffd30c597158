from django.urls import path

from accounts import apis
from ecom_common.routers import ApiRouter

router = ApiRouter()
router.register("users/me/addresses", apis.AddressViewSet, basename="address")

# Actions and singletons are mapped one per path; resources are on the router.
urlpatterns = [
    path("auth/register/", apis.AuthViewSet.as_view({"post": "register"}), name="register"),
    path("auth/token/", apis.AuthViewSet.as_view({"post": "token"}), name="token-obtain"),
    path("auth/token/refresh/", apis.AuthViewSet.as_view({"post": "token_refresh"}), name="token-refresh"),
    path("auth/logout/", apis.AuthViewSet.as_view({"post": "logout"}), name="logout"),
    path("users/me/", apis.UserMeViewSet.as_view({"get": "retrieve", "patch": "partial_update"}), name="user-me"),
    *router.urls,
]
