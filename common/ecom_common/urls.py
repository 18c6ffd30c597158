"""URL patterns every service mounts: probes, OpenAPI schema and docs, the admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ecom_common import admin_sso, health, service_registry
from ecom_common.staff_summary import StaffSummaryViewSet


def service_urlpatterns() -> list:
    """Probes, ``/api/schema/``, ``/api/docs/`` and the admin at ``/admin/<admin slug>/`` (registry)."""
    service = service_registry.service(settings.SERVICE_NAME)
    admin_slug, admin_title = service.admin_slug, f"{service.title} admin"
    admin.site.site_header = admin_title
    admin.site.site_title = admin_title
    return [
        *_staff_sign_in_urlpatterns(admin_slug),
        path("healthz", health.healthz, name="healthz"),
        path("readyz", health.readyz, name="readyz"),
        path("", include("django_prometheus.urls")),  # /metrics; the gateway never routes it publicly
        path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
        path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
        path(f"admin/{admin_slug}/", admin.site.urls),
        # Staff only; never routed by the gateway: the order admin's dashboard asks each service.
        path("internal/staff-summary/", StaffSummaryViewSet.as_view({"get": "retrieve"}), name="staff-summary"),
    ]


def _staff_sign_in_urlpatterns(admin_slug: str) -> list:
    """The identity service's admin signs staff in with their password (the one place they
    type it); every other admin is its OpenID Connect client (ecom_common.admin_sso)."""
    if admin_sso.is_identity_service():
        admin.site.login_form = admin_sso.EmailAuthenticationForm
        if not getattr(admin.site.login, "throttled", False):  # urls.py may be imported more than once
            admin.site.login = admin_sso.throttled_sign_in(admin.site.login)
        return []
    admin.site.login = admin_sso.staff_sign_in
    admin.site.logout = admin_sso.staff_sign_out
    oidc = f"admin/{admin_slug}/oidc/"
    return [
        path(f"{oidc}authenticate/", admin_sso.StaffSignInStart.as_view(), name="oidc_authentication_init"),
        path(f"{oidc}callback/", admin_sso.StaffSignInCallback.as_view(), name="oidc_authentication_callback"),
        path(f"{oidc}refused/", admin_sso.sign_in_refused, name="admin-sign-in-refused"),
        path(f"{oidc}backchannel-logout/", admin_sso.staff_backchannel_sign_out, name="oidc-backchannel-logout"),
    ]


# A project's urls.py imports these: Django looks for them in the ROOT_URLCONF module.
handler400 = "ecom_common.errors.bad_request"
handler403 = "ecom_common.errors.permission_denied"
handler404 = "ecom_common.errors.not_found"
handler500 = "ecom_common.errors.server_error"
