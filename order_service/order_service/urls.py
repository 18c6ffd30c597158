from ecom_common.urls import handler400, handler403, handler404, handler500, include, path, service_urlpatterns  # noqa: F401

urlpatterns = [
    *service_urlpatterns(admin_slug="orders", admin_title="Orders admin"),
    path("api/", include("cart.urls")),
    path("api/", include("orders.urls")),
]
