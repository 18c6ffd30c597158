"""The worker's event consumer: takes events off the service's queues and hands each to a
local task per handler on the service's private queue, then acks.

Kept short on purpose (Celery docs, "Extensions and Bootsteps"): the handling, its retries and
its transaction happen in ``event_handle_task``. The hand-off is published with confirms before
the ack, so a crash in between means a redelivery, which the inbox turns into a no-op.
"""

import logging

from celery import bootsteps
from kombu import Consumer

from ecom_common.events.envelope import InvalidEnvelope, event_from_envelope
from ecom_common.events.registry import handler_names_for

logger = logging.getLogger(__name__)


class EventConsumerStep(bootsteps.ConsumerStep):
    def get_consumers(self, channel):
        from ecom_common.events.topology import event_queues

        queues = event_queues()
        if not queues:
            return []
        return [Consumer(channel, queues=queues, callbacks=[self.on_event], accept=["json"], prefetch_count=10)]

    def on_event(self, body, message):
        from ecom_common.events.tasks import event_handle_task

        try:
            event = event_from_envelope(body)
        except InvalidEnvelope as exc:
            logger.error("rejected a message that is not an event", extra={"error": str(exc)})
            message.reject()  # dead-lettered to the service's DLQ (on RabbitMQ)
            return
        for handler_name in handler_names_for(event.type):
            event_handle_task.apply_async((handler_name, body), headers={"correlation_id": event.correlation_id})
        message.ack()
