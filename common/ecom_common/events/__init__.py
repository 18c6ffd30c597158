"""The event bus: transactional outbox, topic exchanges per context, idempotent handlers.

from ecom_common.events import Event, event_handler, event_publish
"""

from ecom_common.events.envelope import Event
from ecom_common.events.publishing import event_publish
from ecom_common.events.registry import event_handler

__all__ = ["Event", "event_handler", "event_publish"]
