from ecom_common.urls import handler400, handler403, handler404, handler500, include, path, service_urlpatterns  # noqa: F401

urlpatterns = [
    *service_urlpatterns(admin_slug="inventory", admin_title="Inventory admin"),
    path("api/", include("stock.urls")),
]
