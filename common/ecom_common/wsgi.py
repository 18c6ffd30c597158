"""The WSGI application of every service's web process, loaded whole before it serves."""

from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver


def loaded_wsgi_application() -> WSGIHandler:
    """Django's WSGI application, with what Django would load in the first request instead.

    Django imports the URLconf (every view, serializer and DRF with them) and each cache's client
    (redis-py alone is 120 modules) when a request first needs them: about 0.3 s of CPU, paid by
    the first requests of every web worker, again each time gunicorn replaces one
    (``max_requests``), while the requests behind them wait. gunicorn loads the application before
    a worker accepts any connection, so loaded here, no request pays for it.
    """
    application = get_wsgi_application()
    get_resolver().url_patterns  # noqa: B018 - the property imports the URLconf
    for alias in caches:
        caches[alias]  # creating the cache imports its client
    return application
