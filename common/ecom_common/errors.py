"""The one error format, also for what Django answers outside DRF (unknown URLs, crashes)."""

import sys

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.utils import InterfaceError, OperationalError
from django.http import JsonResponse
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import status
from rest_framework.exceptions import (
    APIException,
    AuthenticationFailed,
    ValidationError,
)
from rest_framework.serializers import as_serializer_error
from rest_framework_simplejwt.exceptions import InvalidToken


class Conflict(APIException):
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


class EcomExceptionHandler(ExceptionHandler):
    """drf-standardized-errors' handler, taught three more exceptions.

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
        if isinstance(exc, DjangoValidationError):
            return ValidationError(detail=as_serializer_error(exc))
        if isinstance(exc, InvalidToken) and isinstance(exc.detail, dict):
            return AuthenticationFailed(str(exc.detail.get("detail", "Token is invalid")), code="token_not_valid")
        if isinstance(exc, DATABASE_UNAVAILABLE):
            return ServiceUnavailable()
        return super().convert_known_exceptions(exc)


def error_body(*, type: str, code: str, detail: str, attr: str | None = None) -> dict:
    return {"type": type, "errors": [{"code": code, "detail": detail, "attr": attr}]}


def not_found(request, exception=None):
    body = error_body(type="client_error", code="not_found", detail="Not found.")
    return JsonResponse(body, status=404)


def server_error(request):
    # Django calls handler500 inside its ``except``: outside DRF (middleware, admin, probes) a
    # lost database is still a 503 in the one error format.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        body = error_body(type="server_error", code="service_unavailable", detail=ServiceUnavailable.default_detail)
        response = JsonResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    body = error_body(type="server_error", code="error", detail="A server error occurred.")
    return JsonResponse(body, status=500)


def bad_request(request, exception=None):
    body = error_body(type="client_error", code="bad_request", detail="Bad request.")
    return JsonResponse(body, status=400)


def permission_denied(request, exception=None):
    body = error_body(
        type="client_error", code="permission_denied", detail="You do not have permission to perform this action."
    )
    return JsonResponse(body, status=403)
