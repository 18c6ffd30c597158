from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

from ecom_common.urls import handler400, handler403, handler404, handler500, service_urlpatterns  # noqa: F401

urlpatterns = [
    *service_urlpatterns(),
    path("api/", include("catalog.urls")),
]

if not settings.MEDIA_BUCKET:
    # Images on local disk (make run, compose): served here, behind the gateway's /media/. With a
    # bucket (MEDIA_BUCKET), the bucket or its CDN serves them and this route does not exist.
    def media(request, path):
        return serve(request, path, document_root=settings.MEDIA_ROOT)  # read per request: tests move it

    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", media))
