"""Reading and replaying a saga's events across the services, as the system suites do: what an
order left in every service's tables, every event it caused, publishing them again, and waiting
for the broker's queues to be consumed."""

import subprocess
import time

from kombu import Connection

from ecom_common.service_registry import SERVICES
from system_tests.stack import RABBIT


def saga_state(stack, order_id):
    """What an order's saga left in every service's own tables."""
    return {
        "order": stack.sql('SELECT status, cancel_reason FROM "order".orders_order WHERE id = %s', [order_id]),
        "reservations": stack.sql(
            'SELECT variant_id, quantity, status FROM "inventory".stock_reservation WHERE order_id = %s ORDER BY variant_id',
            [order_id],
        ),
        "payments": stack.sql('SELECT status, amount FROM "payment".payments_payment WHERE order_id = %s', [order_id]),
        "charges": stack.sql('SELECT count(*) FROM "payment".payments_sandboxcharge'),
        "events_out": stack.sql(
            'SELECT count(*) FROM (SELECT id FROM "order".ecom_common_outboxevent UNION ALL '
            "SELECT id FROM inventory.ecom_common_outboxevent UNION ALL SELECT id FROM payment.ecom_common_outboxevent) e"
        ),
    }


def saga_events(stack, order_id):
    envelopes = []
    for schema in ("order", "inventory", "payment"):
        envelopes += [
            row[0]
            for row in stack.sql(
                f"SELECT envelope FROM \"{schema}\".ecom_common_outboxevent WHERE envelope->'data'->>'order_id' = %s",
                [order_id],
            )
        ]
    return envelopes


def republish(stack, envelopes):
    with Connection(f"amqp://guest:guest@{RABBIT}/{stack.vhost}") as connection:
        producer = connection.Producer()
        for envelope in envelopes:
            producer.publish(
                envelope,
                exchange=envelope["type"].split(".")[0] + ".events",
                routing_key=envelope["type"],
                message_id=envelope["id"],
                serializer="json",
            )


def queue_depths(stack) -> dict[str, int]:
    """Messages waiting in each queue of the stack's virtual host."""
    listing = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", stack.vhost, "name", "messages"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    depths = {}
    for line in listing.strip().splitlines()[1:]:
        name, messages = line.rsplit(maxsplit=1)
        depths[name] = int(messages)
    return depths


def wait_for_queues_to_drain(stack, *, timeout: float, message: str) -> None:
    """Waits until every message published before the call has been handled.

    Not "every queue empty at once": each service's beat puts a sweep on its task queue every
    second in the system stack, so on a loaded machine some task queue is almost always busy.
    Events go from an event queue (``inventory.order.events``) to handlers on the service's task
    queue (``inventory_service``), both FIFO with late acks: once every event queue has read
    zero, each task queue reading zero once afterwards means what came before it was acked.
    """
    deadline = time.monotonic() + timeout
    task_queues = {service.package for service in SERVICES}
    depths: dict[str, int] = {}

    def drained(names) -> bool:
        nonlocal depths
        while time.monotonic() < deadline:
            depths = queue_depths(stack)
            if all(depths.get(name, 0) == 0 for name in names(depths)):
                return True
            time.sleep(0.25)
        return False

    if drained(lambda depths: [name for name in depths if name.endswith(".events")]):
        for queue in sorted(task_queues):
            if not drained(lambda depths, queue=queue: [queue]):
                break
        else:
            return
    busy = {name: count for name, count in depths.items() if count}
    raise AssertionError(f"timed out after {timeout}s waiting for {message}; messages per queue: {busy}")
