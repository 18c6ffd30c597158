"""The event bus of ecom_common against the real RabbitMQ: relay, confirms, retries, dead letters.

The saga suite (system_tests/) runs it across real worker processes; these pin each piece.
"""

import json
import uuid
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from kombu import Connection, Queue

from ecom_common.events import event_handler, event_publish
from ecom_common.events.handling import handler_run_task, handlers_run
from ecom_common.events.registry import handler_names_for
from ecom_common.events.relay import outbox_prune, outbox_publish_pending
from ecom_common.events.topology import events_exchange
from ecom_common.models import DeadLetter, InboxEvent, OutboxEvent
from ecom_common.testing.events import deliver, event_envelope

pytestmark = pytest.mark.django_db

applied = []


@event_handler("test.happened")
def record_test_event(event):
    applied.append(event.id)
    if event.data.get("explode"):
        raise RuntimeError("handler failed")


@pytest.fixture
def listening_queue(settings):
    """A throwaway queue bound to product.events, as a consuming service's would be."""
    name = f"test.{uuid.uuid4().hex}"
    with Connection(settings.CELERY_BROKER_URL) as connection:
        queue = Queue(name, events_exchange("product.events"), routing_key="product.#", auto_delete=True)
        queue(connection.default_channel).declare()
        yield queue(connection.default_channel)
        queue(connection.default_channel).delete()


def _publish(type="product.updated", data=None):
    with transaction.atomic():
        return event_publish(type=type, data=data or {"product_id": str(uuid.uuid4())})


@pytest.mark.django_db(transaction=True)
def test_event_publish_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        event_publish(type="product.updated", data={})


def test_published_event_reaches_the_exchange_with_its_id_as_message_id(listening_queue):
    event = _publish(data={"product_id": "p-1"})

    assert outbox_publish_pending() == 1

    message = listening_queue.get(no_ack=True)
    assert message.properties["message_id"] == event.id
    assert message.delivery_info["routing_key"] == "product.updated"
    assert message.content_type == "application/json"
    body = json.loads(message.body)
    assert (body["id"], body["type"], body["source"], body["data"]) == (
        event.id,
        "product.updated",
        "product_service",
        {"product_id": "p-1"},
    )
    assert OutboxEvent.objects.get(pk=event.id).published_at is not None


def test_a_secret_reaches_the_broker_and_is_scrubbed_from_the_outbox_once_published(listening_queue):
    event = _publish(data={"product_id": "p-2", "payment_token": "tok_visa"})
    assert OutboxEvent.objects.get(pk=event.id).envelope["data"]["payment_token"] == "tok_visa"  # until sent

    outbox_publish_pending()

    message = listening_queue.get(no_ack=True)
    assert json.loads(message.body)["data"] == {"product_id": "p-2", "payment_token": "tok_visa"}
    assert OutboxEvent.objects.get(pk=event.id).envelope["data"] == {
        "product_id": "p-2",
        "payment_token": "[scrubbed once published]",
    }


@pytest.mark.django_db(transaction=True)
def test_committed_event_is_published_by_the_committing_process_at_once(listening_queue):
    event = _publish(data={"product_id": "p-2"})  # no worker runs in this test

    message = listening_queue.get(no_ack=True)
    assert message is not None and message.properties["message_id"] == event.id
    assert OutboxEvent.objects.get(pk=event.id).published_at is not None


@pytest.mark.django_db(transaction=True)
def test_rolled_back_event_is_never_published(listening_queue):
    def change_that_fails():
        with transaction.atomic():
            event = event_publish(type="product.updated", data={"product_id": "p-3"})
            raise RuntimeError(f"the change failed after publishing {event.id}")

    with pytest.raises(RuntimeError, match="the change failed after publishing") as failure:
        change_that_fails()
    event_id = str(failure.value).rsplit(" ", 1)[1]

    assert listening_queue.get(no_ack=True) is None
    assert not OutboxEvent.objects.filter(pk=event_id).exists()


def test_relay_publishes_each_event_once(listening_queue):
    _publish()

    outbox_publish_pending()
    outbox_publish_pending()

    assert listening_queue.get(no_ack=True) is not None
    assert listening_queue.get(no_ack=True) is None


def test_unreachable_broker_leaves_events_in_the_outbox():
    event = _publish()

    with Connection("amqp://guest:guest@127.0.0.1:1//", connect_timeout=1) as dead_broker:
        published = outbox_publish_pending(connection=dead_broker)

    row = OutboxEvent.objects.get(pk=event.id)
    assert published == 0
    assert (row.published_at, row.attempts) == (None, 1)
    assert "ConnectionRefused" in row.last_error or "Errno 111" in row.last_error


def test_prune_keeps_unpublished_and_recent_events(settings):
    settings.OUTBOX_RETENTION_DAYS = 7
    old, recent, pending = _publish(), _publish(), _publish()
    OutboxEvent.objects.filter(pk=old.id).update(published_at=timezone.now() - timedelta(days=8))
    OutboxEvent.objects.filter(pk=recent.id).update(published_at=timezone.now() - timedelta(days=1))

    assert outbox_prune() == 1
    assert set(OutboxEvent.objects.values_list("id", flat=True)) == {uuid.UUID(recent.id), uuid.UUID(pending.id)}


def test_a_redelivered_event_is_applied_once():
    applied.clear()
    envelope = event_envelope("test.happened", {})

    deliver(envelope)
    deliver(envelope)

    assert applied == [envelope["id"]]
    assert InboxEvent.objects.filter(event_id=envelope["id"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_worker_pool_delivery_runs_each_handler_once_and_acks():
    applied.clear()
    envelope = event_envelope("test.happened", {})
    handlers = handler_names_for("test.happened")

    first, redelivered = handlers_run(handlers, envelope), handlers_run(handlers, envelope)

    assert (first, redelivered) == (True, True)  # True: the consumer acks the event
    assert applied == [envelope["id"]]


def test_a_failing_handler_rolls_back_its_inbox_row():
    envelope = event_envelope("test.happened", {"explode": True})

    with pytest.raises(RuntimeError):
        deliver(envelope)

    assert not InboxEvent.objects.filter(event_id=envelope["id"]).exists()


def test_a_handler_failing_past_the_retry_limit_is_dead_lettered(settings):
    settings.EVENT_HANDLER_MAX_RETRIES = 0
    envelope = event_envelope("test.happened", {"explode": True})
    handler = f"{record_test_event.__module__}.record_test_event"

    handler_run_task.apply(args=(handler, envelope))

    dead_letter = DeadLetter.objects.get(event_id=envelope["id"])
    assert (dead_letter.handler, dead_letter.event_type, dead_letter.attempts) == (handler, "test.happened", 1)
    assert "handler failed" in dead_letter.error


def test_a_dead_letter_keeps_no_card_or_account_token(settings):
    from ecom_common.events.dead_letters import dead_letter_record
    from ecom_common.events.relay import SCRUBBED

    settings.EVENT_HANDLER_MAX_RETRIES = 0
    envelope = event_envelope("test.happened", {"explode": True, "payment_token": "tok_visa", "token": "reset-me"})

    handler_run_task.apply(args=(f"{record_test_event.__module__}.record_test_event", envelope))
    drained = dead_letter_record(
        handler_name="event_consumer", envelope={**envelope, "id": str(uuid.uuid4())}, error="x", attempts=1
    )

    for dead_letter in (DeadLetter.objects.get(event_id=envelope["id"]), drained):
        assert dead_letter.envelope["data"] == {"explode": True, "payment_token": SCRUBBED, "token": SCRUBBED}


def test_an_event_whose_source_does_not_own_its_type_is_refused_and_dead_lettered():
    """Only the context named by the type publishes it: order_service saying test.happened
    (as a compromised service might say payment.succeeded) is never applied."""
    forged = event_envelope("test.happened", {"explode": False}, source="order_service")

    handler_run_task.apply(args=(f"{record_test_event.__module__}.record_test_event", forged))

    assert forged["id"] not in applied
    assert not InboxEvent.objects.filter(event_id=forged["id"]).exists()
    dead_letter = DeadLetter.objects.get(event_id=forged["id"])
    assert "test.happened comes from test_service, not order_service" in dead_letter.error


def test_dead_letters_are_listed_and_replayed_by_command(settings, capsys, django_capture_on_commit_callbacks):
    settings.EVENT_HANDLER_MAX_RETRIES = 0
    envelope = event_envelope("test.happened", {"explode": True})
    handler_run_task.apply(args=(f"{record_test_event.__module__}.record_test_event", envelope))
    dead_letter = DeadLetter.objects.get()

    call_command("dead_letters", "list")
    listing = capsys.readouterr().out
    with django_capture_on_commit_callbacks() as callbacks:
        call_command("dead_letters", "replay", str(dead_letter.id))

    assert str(dead_letter.id) in listing and "1 dead letter(s)" in listing
    assert len(callbacks) == 1  # the hand-back to the handler, sent once the replay commits
    dead_letter.refresh_from_db()
    assert dead_letter.replayed_at is not None


def test_an_event_the_broker_dead_lettered_from_an_event_queue_is_replayed_to_its_handlers(
    settings, django_capture_on_commit_callbacks
):
    # given: what the dead-letter queue drain records for an event message (no task header)
    from ecom_common.events.dead_letters import CONSUMER, dead_letter_record
    from ecom_common.events.topology import task_queue

    envelope = event_envelope("test.happened", {"explode": False})
    dead_letter = dead_letter_record(handler_name=CONSUMER, envelope=envelope, error="delivery limit", attempts=11)
    with Connection(settings.CELERY_BROKER_URL) as connection:
        queue = task_queue()(connection.default_channel)
        queue.declare()
        queue.purge()

        # when: replayed, and the worker runs what the replay sent to the service's task queue
        with django_capture_on_commit_callbacks(execute=True):
            call_command("dead_letters", "replay", str(dead_letter.id))
        sent = []
        while (message := queue.get(no_ack=True)) is not None:
            sent.append(message.decode()[0])
    for args in sent:
        handler_run_task.apply(args=args)

    # then: each handler of its type got it once, and ran it
    dead_letter.refresh_from_db()
    assert dead_letter.replayed_at is not None
    assert sorted(handler for handler, _ in sent) == handler_names_for("test.happened")
    assert set(InboxEvent.objects.filter(event_id=envelope["id"]).values_list("handler", flat=True)) == set(
        handler_names_for("test.happened")
    )


def test_a_dead_letter_that_is_not_an_event_says_why_it_cannot_be_replayed(admin_client):
    from ecom_common.events.dead_letters import CONSUMER, dead_letter_record

    dead_letter = dead_letter_record(handler_name=CONSUMER, envelope={"body": "garbage"}, error="x", attempts=1)

    with pytest.raises(CommandError, match="cannot be replayed: it is not an event"):
        call_command("dead_letters", "replay", str(dead_letter.id))
    response = admin_client.post(
        "/admin/products/ecom_common/deadletter/",
        {"action": "replay", "_selected_action": [str(dead_letter.id)]},
        follow=True,
    )

    assert response.status_code == 200
    assert "cannot be replayed: it is not an event" in response.content.decode()
    dead_letter.refresh_from_db()
    assert dead_letter.replayed_at is None


@pytest.fixture
def silent_broker():
    """A broker address that accepts connections and never answers (a blackholed or hung
    RabbitMQ): counts the connection attempts made to it."""
    import socket
    import threading

    accepted = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)

    def accept():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"amqp://guest:guest@127.0.0.1:{server.getsockname()[1]}//", accepted
    server.close()


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_unreachable_commits_try_once_then_leave_their_events_to_the_sweep(silent_broker, monkeypatch):
    from ecom_common.events import publishing

    url, attempts = silent_broker
    monkeypatch.setattr(publishing, "_paused_until", float("inf"))  # these two commits publish nothing yet
    first, second = _publish(), _publish()
    monkeypatch.setattr(publishing, "_paused_until", 0.0)

    first_result = publishing.publish_after_commit(first.id, connection=Connection(url, connect_timeout=1))
    tried = len(attempts)
    second_result = publishing.publish_after_commit(second.id, connection=Connection(url, connect_timeout=1))

    # The first commit tried (within the short retry policy); the second did not wait on the broker at all.
    assert (first_result, second_result) == (False, False)
    assert 1 <= tried == len(attempts) <= 3
    assert OutboxEvent.objects.filter(published_at__isnull=True).count() == 2
    # The sweep publishes them once the broker is back.
    monkeypatch.setattr(publishing, "_paused_until", 0.0)
    assert outbox_publish_pending() == 2


@pytest.mark.django_db(transaction=True)
def test_an_event_the_sweep_published_first_does_not_pause_the_publish_after_commit(monkeypatch):
    from ecom_common.events import publishing

    monkeypatch.setattr(publishing, "_paused_until", float("inf"))
    event = _publish()
    monkeypatch.setattr(publishing, "_paused_until", 0.0)
    outbox_publish_pending()  # the sweep got there first

    assert publishing.publish_after_commit(event.id) is False
    assert publishing._paused_until == 0.0
