from django.urls import include, path

from ecom_common.urls import handler400, handler403, handler404, handler500, service_urlpatterns  # noqa: F401

urlpatterns = [
    *service_urlpatterns(),
    path("api/", include("notifications.urls")),
]
