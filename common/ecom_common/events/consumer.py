"""The worker's event consumer: takes events off the service's queues and runs their handlers
in the worker's pool, acking each event once its handlers have run.

The callback stays short (Celery docs, "Extensions and Bootsteps"): it only decodes the envelope
and hands it to the pool, the same processes that run the tasks. An earlier version handed each
event over as a task through the broker instead: the saga benchmark's profile showed that hop
(a confirmed publish that blocked this loop, then a second delivery) costing a third of a
worker's CPU. A failed handler is retried as ``handler_run_task`` on the private queue. If the
pool process dies mid-event, the event is requeued; the inbox makes any redelivery a no-op.
"""

import logging
from functools import partial

from celery import bootsteps
from kombu import Consumer

from ecom_common.events.envelope import InvalidEnvelopeError, event_from_envelope
from ecom_common.events.registry import handler_names_for

logger = logging.getLogger(__name__)

# Events in flight per queue: enough to keep every pool process busy.
PREFETCH_COUNT = 10


class EventConsumerStep(bootsteps.ConsumerStep):
    def start(self, c):
        self.pool, self.hub = c.pool, c.hub
        super().start(c)

    def get_consumers(self, channel):
        from ecom_common.events.topology import event_queues

        queues = event_queues()
        if not queues:
            return []
        return [
            Consumer(channel, queues=queues, callbacks=[self.on_event], accept=["json"], prefetch_count=PREFETCH_COUNT)
        ]

    def on_event(self, body, message):
        from ecom_common.events.handling import handlers_run

        try:
            event = event_from_envelope(body)
        except InvalidEnvelopeError as exc:
            logger.exception("rejected a message that is not an event", extra={"error": str(exc)})
            message.reject()  # dead-lettered to the service's DLQ (on RabbitMQ)
            return
        handler_names = handler_names_for(event.type)
        if not handler_names:
            message.ack()
            return
        deliver = partial(
            self.pool.apply_async,
            handlers_run,
            args=(handler_names, body),
            callback=lambda delivered: _settle(message, requeue=not delivered),
            error_callback=lambda exc_info: _settle(message, requeue=True),  # the pool process died
        )
        # Events already waiting arrive while the consumer starts, before the pool has joined the
        # event loop and can take work: the loop runs the hand-over once it is up.
        if self.hub is not None:
            self.hub.call_soon(deliver)
        else:  # the embedded broker's worker has no event loop; its solo pool runs it right here
            deliver()


def _settle(message, *, requeue: bool) -> None:
    """Acks a delivered event, or returns it to the queue (RabbitMQ's delivery limit bounds how
    often); the connection it came on may be gone by now, and then RabbitMQ requeues it anyway."""
    try:
        if requeue:
            message.reject(requeue=True)
        else:
            message.ack()
    except Exception:
        logger.warning("could not settle an event; the broker will redeliver it", exc_info=True)
