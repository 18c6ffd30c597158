"""The event being handled right now, so what a handler publishes is caused by it."""

from contextlib import contextmanager
from contextvars import ContextVar

from ecom_common.events.envelope import Event
from ecom_common.request_id import request_id_var

current_event_var: ContextVar[Event | None] = ContextVar("current_event", default=None)


@contextmanager
def handling(event: Event):
    """Within: events published carry this one as cause, and logs its correlation id as request id."""
    event_token = current_event_var.set(event)
    request_token = request_id_var.set(event.correlation_id)
    try:
        yield
    finally:
        request_id_var.reset(request_token)
        current_event_var.reset(event_token)
