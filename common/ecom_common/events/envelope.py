"""The event envelope of the contract: id, type, source, occurred_at, correlation_id,
causation_id, version, data, and the W3C traceparent of the work that wrote it (absent when
there was none). JSON only; the type is the routing key."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

ENVELOPE_FIELDS = (
    "id",
    "type",
    "source",
    "occurred_at",
    "correlation_id",
    "causation_id",
    "version",
    "data",
    "traceparent",
)
OPTIONAL_FIELDS = ("causation_id", "traceparent")


class InvalidEnvelopeError(ValueError):
    """A message that is not an event of ours: it cannot be retried into shape."""


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    source: str
    occurred_at: str
    correlation_id: str
    causation_id: str | None
    version: int
    data: dict = field(default_factory=dict)
    traceparent: str | None = None

    @property
    def exchange(self) -> str:
        return exchange_for(self.type)

    def as_envelope(self) -> dict:
        envelope = {name: getattr(self, name) for name in ENVELOPE_FIELDS}
        if envelope["traceparent"] is None:
            del envelope["traceparent"]
        return envelope


def type_owner(event_type: str) -> str:
    """The only source of events of ``event_type``: ``order.created`` is order_service's."""
    return f"{event_type.split('.', 1)[0]}_service"


def exchange_for(event_type: str) -> str:
    """``order.created`` is published to ``order.events``: one topic exchange per context."""
    return f"{event_type.split('.', 1)[0]}.events"


def event_new(
    *, type: str, source: str, data: dict, correlation_id: str | None, causation_id: str | None, version: int = 1
) -> Event:
    from ecom_common.tracing import current_traceparent

    event_id = str(uuid.uuid4())
    return Event(
        id=event_id,
        type=type,
        source=source,
        occurred_at=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        correlation_id=correlation_id or event_id,
        causation_id=causation_id,
        version=version,
        data=data,
        traceparent=current_traceparent(),
    )


def event_from_envelope(envelope) -> Event:
    if not isinstance(envelope, dict):
        raise InvalidEnvelopeError("an event envelope is a JSON object")
    missing = [name for name in ENVELOPE_FIELDS if name not in envelope and name not in OPTIONAL_FIELDS]
    if missing:
        raise InvalidEnvelopeError(f"envelope lacks {', '.join(missing)}")
    try:
        uuid.UUID(str(envelope["id"]))
    except ValueError as exc:
        raise InvalidEnvelopeError("envelope id is not a UUID") from exc
    if not isinstance(envelope["data"], dict) or "." not in str(envelope["type"]):
        raise InvalidEnvelopeError("envelope data must be an object and type <context>.<verb>")
    if envelope["source"] != type_owner(str(envelope["type"])):
        # Only payment_service says payment.succeeded: another service's word for it (a bug, or
        # a compromised service publishing what is not its own) is refused, and dead-lettered.
        raise InvalidEnvelopeError(
            f"{envelope['type']} comes from {type_owner(str(envelope['type']))}, not {envelope['source']}"
        )
    from ecom_common.tracing import valid_traceparent

    fields = {name: envelope.get(name) for name in ENVELOPE_FIELDS}
    return Event(**{**fields, "traceparent": valid_traceparent(fields["traceparent"])})
