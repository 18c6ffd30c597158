"""The one error format, also for what Django answers outside DRF (unknown URLs, crashes)."""

from django.core.exceptions import ValidationError as DjangoValidationError
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


class EcomExceptionHandler(ExceptionHandler):
    """drf-standardized-errors' handler, taught two more exceptions.

    Services raise Django's ``ValidationError`` (they know nothing of HTTP): it becomes a 400
    with its fields and codes. simplejwt's ``InvalidToken`` carries a dict detail (detail, code,
    messages) that the formatter would spread into three errors: it becomes one ``token_not_valid``.
    """

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, DjangoValidationError):
            return ValidationError(detail=as_serializer_error(exc))
        if isinstance(exc, InvalidToken) and isinstance(exc.detail, dict):
            return AuthenticationFailed(str(exc.detail.get("detail", "Token is invalid")), code="token_not_valid")
        return super().convert_known_exceptions(exc)


def error_body(*, type: str, code: str, detail: str, attr: str | None = None) -> dict:
    return {"type": type, "errors": [{"code": code, "detail": detail, "attr": attr}]}


def not_found(request, exception=None):
    body = error_body(type="client_error", code="not_found", detail="Not found.")
    return JsonResponse(body, status=404)


def server_error(request):
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
