"""The ``Idempotency-Key`` header, read one way by every endpoint that takes it: a UUID;
required where the contract says so (checkout), optional elsewhere.

The one rule of every write that takes it (checkout, returns, stock adjustments and transfers):
the same key with the same request is applied once and answered with the first answer, status
and body as they were (``idempotent_reply``); the same key with another request is a 409
``idempotency_key_reused``. Each service keeps the key with what the request made (the order,
the return, the movement), under a unique constraint, and compares what the retry asks for with
``request_fingerprint`` or field by field.

    key = idempotency_key(request, required=True)

    @extend_schema(parameters=[idempotency_key_parameter(required=True, description=...)])
    @extend_validation_errors(IDEMPOTENCY_KEY_ERROR_CODES, field_name=IDEMPOTENCY_KEY, actions=[...])
"""

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from ecom_common.errors import ConflictError

IDEMPOTENCY_KEY = "Idempotency-Key"
IDEMPOTENCY_KEY_ERROR_CODES = ["required", "invalid"]
IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"


def idempotency_key(request, *, required: bool) -> uuid.UUID | None:
    """The header's UUID; ``None`` when it is absent and optional. Otherwise a 400 on the header."""
    value = request.headers.get(IDEMPOTENCY_KEY, "").strip()
    if not value:
        if required:
            raise ValidationError({IDEMPOTENCY_KEY: ["This header is required."]}, code="required")
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationError({IDEMPOTENCY_KEY: ["Must be a UUID."]}, code="invalid") from None


def idempotency_key_parameter(*, required: bool, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        IDEMPOTENCY_KEY, OpenApiTypes.UUID, OpenApiParameter.HEADER, required=required, description=description
    )


def request_fingerprint(request: Mapping) -> str:
    """A digest of what makes a request this one (its canonical JSON), kept beside its key."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_key_reused() -> ConflictError:
    """The 409 of a key that came back with another request."""
    return ConflictError("This Idempotency-Key was already used for a different request.", code=IDEMPOTENCY_KEY_REUSED)


def idempotent_reply(*, scope: str, key: uuid.UUID, answer: Callable[[], Response]) -> Response:
    """The first answer given under ``key`` in ``scope``; ``answer()`` makes it the first time.

    Called once the write is made (or found made, for a retry): a first request that made it
    but crashed before its answer was kept has its retry answered afresh, and that is kept."""
    from ecom_common.models import IdempotentReply  # models need the app registry

    reply = IdempotentReply.objects.filter(scope=scope, key=key).first()
    if reply is None:
        first = answer()
        reply, _ = IdempotentReply.objects.get_or_create(
            scope=scope, key=key, defaults={"status": first.status_code, "body": first.data}
        )
    return Response(reply.body, status=reply.status)


def idempotent_replies_prune() -> int:
    """Deletes the kept answers older than IDEMPOTENCY_REPLY_DAYS; returns how many."""
    from ecom_common.models import IdempotentReply

    cutoff = timezone.now() - timedelta(days=settings.IDEMPOTENCY_REPLY_DAYS)
    deleted, _ = IdempotentReply.objects.filter(created_at__lt=cutoff).delete()
    return deleted
