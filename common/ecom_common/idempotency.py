"""The ``Idempotency-Key`` header, read one way by every endpoint that takes it: a UUID;
required where the contract says so (checkout), optional elsewhere.

    key = idempotency_key(request, required=True)

    @extend_schema(parameters=[idempotency_key_parameter(required=True, description=...)])
    @extend_validation_errors(IDEMPOTENCY_KEY_ERROR_CODES, field_name=IDEMPOTENCY_KEY, actions=[...])
"""

import uuid

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

IDEMPOTENCY_KEY = "Idempotency-Key"
IDEMPOTENCY_KEY_ERROR_CODES = ["required", "invalid"]


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
