"""The one error format, and the domain errors services raise.

Services know nothing of HTTP: they raise Django's ``ValidationError`` for bad input and the
domain errors below for the rest; ``EcomExceptionHandler`` maps each to its status and the error
format in this one place. Django's own answers (unknown URLs, 405s, crashes, debug pages) get
the same format from ``ErrorFormatMiddleware`` and the ``handler*`` views."""

import sys

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.utils import InterfaceError, OperationalError
from django.http import JsonResponse
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import status
from rest_framework.exceptions import (
    APIException,
    AuthenticationFailed,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from rest_framework.serializers import as_serializer_error
from rest_framework_simplejwt.exceptions import InvalidToken


class DomainError(Exception):
    """A business rule said no. ``code`` is the error format's machine-readable code."""

    default_code = "error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code


class ConflictError(DomainError):
    """The request clashes with the current state (a used key, an illegal status move): 409."""

    default_code = "conflict"


class NotFoundError(DomainError):
    """What the request names does not exist, or is not the caller's: 404."""

    default_code = "not_found"


class NotAllowedError(DomainError):
    """The caller may not do this here, whoever they are signed in as (a rule, not a role): 403."""

    default_code = "permission_denied"


class Conflict(APIException):
    """ConflictError as DRF sees it (the handler converts; the schema's 409 documents it)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class ServiceUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is temporarily unavailable, try again shortly."
    default_code = "service_unavailable"


# The database went away (restart, failover, network): the request may succeed if retried, so
# clients get a 503 rather than a 500. Django drops the broken connection at the end of the
# request (CONN_HEALTH_CHECKS), so the next request reconnects without restarting the process.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 1


# Each domain error as DRF answers it: 409, 404, 403.
DOMAIN_ERRORS = {ConflictError: Conflict, NotFoundError: NotFound, NotAllowedError: PermissionDenied}


class EcomExceptionHandler(ExceptionHandler):
    """drf-standardized-errors' handler, taught three more exceptions.

    The services' domain errors become 409 / 404 / 403 with their code and message.
    A lost database connection becomes a 503 ``service_unavailable``.
    Services raise Django's ``ValidationError`` (they know nothing of HTTP): it becomes a 400
    with its fields and codes. simplejwt's ``InvalidToken`` carries a dict detail (detail, code,
    messages) that the formatter would spread into three errors: it becomes one ``token_not_valid``.
    """

    def get_headers(self, exc: APIException) -> dict:
        headers = super().get_headers(exc)
        if isinstance(exc, ServiceUnavailable):
            headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return headers

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        for domain_error, api_error in DOMAIN_ERRORS.items():
            if isinstance(exc, domain_error):
                return api_error(detail=exc.message, code=exc.code)
        if isinstance(exc, DjangoValidationError):
            return ValidationError(detail=as_serializer_error(exc))
        if isinstance(exc, InvalidToken) and isinstance(exc.detail, dict):
            return AuthenticationFailed(str(exc.detail.get("detail", "Token is invalid")), code="token_not_valid")
        if isinstance(exc, DATABASE_UNAVAILABLE):
            return ServiceUnavailable()
        return super().convert_known_exceptions(exc)


def error_body(*, type: str, code: str, detail: str, attr: str | None = None) -> dict:
    return {"type": type, "errors": [{"code": code, "detail": detail, "attr": attr}]}


# What Django itself answers with, by status, when no view of ours made the response.
DJANGO_ERRORS = {
    400: ("client_error", "bad_request", "Bad request."),
    403: ("client_error", "permission_denied", "You do not have permission to perform this action."),
    404: ("client_error", "not_found", "Not found."),
    405: ("client_error", "method_not_allowed", "Method not allowed."),
    500: ("server_error", "error", "A server error occurred."),
}
# The admin is for people in a browser: its pages and redirects stay HTML.
HTML_PREFIXES = ("/admin/", "/static/")


def django_error_response(status: int) -> JsonResponse:
    """Django's own answer for ``status`` (a key of DJANGO_ERRORS), in the error format."""
    type_, code, detail = DJANGO_ERRORS[status]
    return JsonResponse(error_body(type=type_, code=code, detail=detail), status=status)


class ErrorFormatMiddleware:
    """Puts Django's own error pages in the one format on every path but the admin's.

    The ``handler*`` views below cover production; with DEBUG on, Django answers an unmatched
    URL or a crash with its HTML debug pages instead (``technical_404_response``), and a
    ``require_GET`` view answers 405 with an empty body. Those become the error format here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        known = DJANGO_ERRORS.get(response.status_code)
        if known is None or request.path.startswith(HTML_PREFIXES):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        formatted = django_error_response(response.status_code)
        for header in ("Allow", "Retry-After", "X-Request-ID"):
            if header in response:
                formatted[header] = response[header]
        return formatted


def not_found(request, exception=None):
    return django_error_response(404)


def server_error(request):
    # Django calls handler500 inside its ``except``: outside DRF (middleware, admin, probes) a
    # lost database is still a 503 in the one error format.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        body = error_body(type="server_error", code="service_unavailable", detail=ServiceUnavailable.default_detail)
        response = JsonResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return django_error_response(500)


def bad_request(request, exception=None):
    return django_error_response(400)


def permission_denied(request, exception=None):
    return django_error_response(403)
