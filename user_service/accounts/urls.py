from django.urls import include, path

from accounts import apis
from ecom_common.routers import ApiRouter

router = ApiRouter()
router.register("users/me/addresses", apis.AddressViewSet, basename="address")

urlpatterns = [
    path("auth/register/", apis.UserRegisterApi.as_view(), name="register"),
    path("auth/token/", apis.TokenObtainApi.as_view(), name="token-obtain"),
    path("auth/token/refresh/", apis.TokenRefreshApi.as_view(), name="token-refresh"),
    path("auth/logout/", apis.LogoutApi.as_view(), name="logout"),
    path("users/me/", apis.UserMeApi.as_view(), name="user-me"),
    path("", include(router.urls)),
]
