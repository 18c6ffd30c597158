from django.urls import include, path

from accounts.apis import JwksApi
from ecom_common.urls import handler400, handler403, handler404, handler500, service_urlpatterns  # noqa: F401

urlpatterns = [
    *service_urlpatterns(),
    path(".well-known/jwks.json", JwksApi.as_view(), name="jwks"),
    path("api/", include("accounts.urls")),
]
