"""Applying an event to one handler exactly once, and recording what could not be applied."""

import logging

from django.db import IntegrityError, transaction

from ecom_common.events.context import handling
from ecom_common.events.envelope import Event, event_from_envelope
from ecom_common.events.registry import handler_get, handler_names_for
from ecom_common.models import InboxEvent

logger = logging.getLogger(__name__)


class UnknownHandlerError(LookupError):
    pass


def event_apply(*, handler_name: str, envelope: dict) -> bool:
    """Runs ``handler_name`` on the event unless it already has; ``True`` when it ran now.

    The inbox row and the handler's effects commit together. A concurrent duplicate blocks
    on the unique (handler, event id) index until the first commits, then finds it taken.
    """
    handler = handler_get(handler_name)
    if handler is None:
        raise UnknownHandlerError(handler_name)
    event = event_from_envelope(envelope)
    with transaction.atomic():
        try:
            with transaction.atomic():
                InboxEvent.objects.create(
                    handler=handler_name,
                    event_id=event.id,
                    event_type=event.type,
                    correlation_id=event.correlation_id or "",
                )
        except IntegrityError:
            logger.info("duplicate event skipped", extra={"event_id": event.id, "handler": handler_name})
            return False
        with handling(event):
            handler(event)
            # Inside handling(): the line carries the saga's correlation id as its request id.
            logger.info(
                "event applied", extra={"event_id": event.id, "event_type": event.type, "handler": handler_name}
            )
    return True


def event_apply_all(envelope: dict) -> list[str]:
    """Every handler of the event's type, each exactly once (tests and replays use it)."""
    event: Event = event_from_envelope(envelope)
    return [name for name in handler_names_for(event.type) if event_apply(handler_name=name, envelope=envelope)]
