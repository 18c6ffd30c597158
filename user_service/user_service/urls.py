from accounts.apis import JwksApi

from ecom_common.urls import handler400, handler403, handler404, handler500, include, path, service_urlpatterns  # noqa: F401

urlpatterns = [
    *service_urlpatterns(admin_slug="users", admin_title="Identity admin"),
    path(".well-known/jwks.json", JwksApi.as_view(), name="jwks"),
    path("api/", include("accounts.urls")),
]
