from ecom_common.urls import handler400, handler403, handler404, handler500, include, path, service_urlpatterns  # noqa: F401

urlpatterns = [
    *service_urlpatterns(admin_slug="payments", admin_title="Payments admin"),
    path("api/", include("payments.urls")),
]
