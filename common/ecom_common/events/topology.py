"""Exchanges, queues and bindings of the event bus, declared up front by ``events_declare_topology``.

- one durable topic exchange per context (``order.events``...), whose unroutable messages go to
  the ``ecom.unroutable`` alternate exchange and queue instead of vanishing;
- per service, one durable quorum queue per exchange it listens to (``inventory.order.events``),
  bound to exactly the event types it has handlers for;
- per service, its private Celery task queue (``inventory_service``) where events are handled,
  retried and relayed, so a retry never goes back to a shared exchange;
- per service, a dead-letter exchange and queue (``inventory.dead_letter``) for what its queues reject.
"""

from django.conf import settings
from kombu import Exchange, Queue

from ecom_common import service_registry
from ecom_common.events.envelope import exchange_for
from ecom_common.events.registry import subscribed_event_types

UNROUTABLE = "ecom.unroutable"
QUORUM = {"x-queue-type": "quorum"}


def events_exchange(name: str) -> Exchange:
    return Exchange(name, type="topic", durable=True, arguments={"alternate-exchange": UNROUTABLE})


EVENT_EXCHANGES = [events_exchange(service.exchange) for service in service_registry.SERVICES]
unroutable_exchange = Exchange(UNROUTABLE, type="fanout", durable=True)
# Kept a week for inspection: nobody subscribes to these event types yet.
unroutable_queue = Queue(
    UNROUTABLE, unroutable_exchange, durable=True, queue_arguments={**QUORUM, "x-message-ttl": 7 * 24 * 3600 * 1000}
)


def dead_letter_exchange() -> Exchange:
    return Exchange(f"{settings.SERVICE_NAME}.dead_letter", type="fanout", durable=True)


def dead_letter_queue() -> Queue:
    return Queue(f"{settings.SERVICE_NAME}.dead_letter", dead_letter_exchange(), durable=True, queue_arguments=QUORUM)


def _guarded(arguments: dict) -> dict:
    """Quorum, dead-lettered to the service's DLQ after EVENT_DELIVERY_LIMIT redeliveries
    (a message that keeps killing its worker cannot loop forever)."""
    return {
        **arguments,
        **QUORUM,
        "x-dead-letter-exchange": dead_letter_exchange().name,
        "x-delivery-limit": settings.EVENT_DELIVERY_LIMIT,
    }


def task_queue() -> Queue:
    """The service's private Celery queue. Topic: Celery's native delayed delivery needs it."""
    name = settings.CELERY_TASK_DEFAULT_QUEUE
    return Queue(
        name, Exchange(name, type="topic", durable=True), routing_key=name, durable=True, queue_arguments=_guarded({})
    )


def event_queues() -> list[Queue]:
    """One queue per exchange this service listens to, bound to each event type it handles."""
    by_exchange: dict[str, list[str]] = {}
    for event_type in subscribed_event_types():
        by_exchange.setdefault(exchange_for(event_type), []).append(event_type)
    queues = []
    for exchange_name, event_types in sorted(by_exchange.items()):
        exchange = events_exchange(exchange_name)
        queues.append(
            Queue(
                f"{settings.SERVICE_NAME}.{exchange_name}",
                durable=True,
                queue_arguments=_guarded({}),
                bindings=[_binding(exchange, event_type) for event_type in event_types],
            )
        )
    return queues


def _binding(exchange: Exchange, routing_key: str):
    from kombu import binding

    return binding(exchange, routing_key=routing_key)


def topology_declare(connection) -> list[str]:
    """Declares everything this service publishes to or consumes from; returns the names."""
    channel = connection.default_channel
    declared = []
    for entity in [
        unroutable_exchange,
        unroutable_queue,
        *EVENT_EXCHANGES,
        dead_letter_exchange(),
        dead_letter_queue(),
        task_queue(),
        *event_queues(),
    ]:
        entity.maybe_bind(channel)
        entity.declare()
        declared.append(entity.name)
    return declared
