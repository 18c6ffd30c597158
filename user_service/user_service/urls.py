from django.urls import include, path

from accounts.apis import JwksViewSet
from ecom_common.urls import handler400, handler403, handler404, handler500, service_urlpatterns  # noqa: F401

urlpatterns = [
    *service_urlpatterns(),
    path(".well-known/jwks.json", JwksViewSet.as_view({"get": "retrieve"}), name="jwks"),
    path("api/", include("accounts.urls")),
]
