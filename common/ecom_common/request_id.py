"""The request id: taken from ``X-Request-ID`` (or made), echoed, and stamped on every log line."""

import logging
import re
import uuid
from contextvars import ContextVar

from django.conf import settings

HEADER = "X-Request-ID"
# A caller's id is kept only when it is short and plain, so it cannot forge log lines.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return request_id_var.get()


def request_id_from(value: str | None) -> str:
    if value and _ACCEPTABLE.match(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id``, ``trace_id`` and ``service`` to every record, for the JSON formatter."""

    def filter(self, record):
        from ecom_common.tracing import current_trace_id

        record.request_id = request_id_var.get()
        record.trace_id = current_trace_id()
        record.service = getattr(settings, "SERVICE_NAME", None)
        return True
