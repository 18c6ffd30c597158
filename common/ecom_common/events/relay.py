"""The outbox relay: publishes waiting events to their exchange, with publisher confirms."""

import logging
from contextlib import nullcontext
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu import Producer

from ecom_common.enqueue import BROKER_RETRY_POLICY
from ecom_common.events.topology import events_exchange
from ecom_common.models import OutboxEvent

logger = logging.getLogger(__name__)

# Bounded, so a relay never hangs on a dead broker: the outbox keeps what was not sent.
CONFIRM_TIMEOUT_SECONDS = 10


def outbox_publish_pending(
    *,
    ids: list | None = None,
    batch_size: int = 100,
    connection=None,
    retry_policy: dict = BROKER_RETRY_POLICY,
    confirm_timeout: float = CONFIRM_TIMEOUT_SECONDS,
    on_failure=None,
) -> int:
    """Publishes every unpublished event (or those of ``ids``), oldest first; returns how many.

    Rows are locked with ``SKIP LOCKED``, so several relays (the on-commit one, the sweep, other
    replicas) share the work instead of publishing the same event twice. A failure stops the
    batch; the rows it did publish are still marked (``on_failure(exc)`` hears of it).
    ``connection``: a broker other than the app's.
    """
    pending = OutboxEvent.objects.select_for_update(skip_locked=True).filter(published_at__isnull=True)
    if ids is not None:
        pending = pending.filter(id__in=ids)
    published = 0
    producers = current_app.producer_or_acquire() if connection is None else nullcontext(Producer(connection))
    with producers as producer:
        while True:
            with transaction.atomic():
                _commit_without_waiting_for_disk()
                rows = list(pending.order_by("created_at")[:batch_size])
                done = _publish_rows(producer, rows, retry_policy, confirm_timeout, on_failure)
                published += len(done)
            if len(done) < batch_size:
                return published


def _commit_without_waiting_for_disk() -> None:
    """The relay's marks need not survive a PostgreSQL crash: a lost ``published_at`` only means
    the event is published again, which every consumer's inbox ignores. Not waiting for the WAL
    flush saves a disk sync per batch."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _publish_rows(
    producer, rows: list[OutboxEvent], retry_policy: dict, confirm_timeout: float, on_failure=None
) -> list[OutboxEvent]:
    done = []
    try:
        for row in rows:
            exchange = events_exchange(row.exchange)
            producer.publish(
                row.envelope,
                exchange=exchange,
                routing_key=row.type,
                declare=[exchange],  # the embedded broker routes by the type this process declared
                serializer="json",
                delivery_mode=2,
                message_id=str(row.id),
                correlation_id=row.envelope.get("correlation_id"),
                retry=True,
                retry_policy=retry_policy,
                timeout=confirm_timeout,
            )
            row.published_at = timezone.now()
            _scrub_secrets(row)
            done.append(row)
    except Exception as exc:  # noqa: BLE001 - whatever broke the publish, the row is kept and retried
        failed = rows[len(done)]
        failed.attempts += 1
        failed.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        failed.save(update_fields=["attempts", "last_error"])
        logger.warning(
            "outbox publish failed; will retry", extra={"event_id": str(failed.id), "error": failed.last_error}
        )
        if on_failure is not None:
            on_failure(exc)
    finally:
        if done:
            OutboxEvent.objects.bulk_update(done, ["published_at"])
            scrubbed = [row for row in done if getattr(row, "secrets_scrubbed", False)]
            if scrubbed:
                OutboxEvent.objects.bulk_update(scrubbed, ["envelope"])
    return done


SCRUBBED = "[scrubbed once published]"


def envelope_without_secrets(envelope: dict) -> dict:
    """The envelope with every ``EVENT_SECRET_FIELDS`` value of its data replaced by SCRUBBED
    (the same envelope when it has none)."""
    data = envelope.get("data") if isinstance(envelope, dict) else None
    if not isinstance(data, dict):
        return envelope
    secrets = [field for field in settings.EVENT_SECRET_FIELDS if field in data and data[field] != SCRUBBED]
    if not secrets:
        return envelope
    return {**envelope, "data": {**data, **dict.fromkeys(secrets, SCRUBBED)}}


def _scrub_secrets(row: OutboxEvent) -> None:
    """A published event keeps no secret (``EVENT_SECRET_FIELDS``, e.g. the card token of
    ``order.payment_requested``) in the outbox: the broker has it, the consumer uses it, the
    stored copy only ever needed it until then."""
    scrubbed = envelope_without_secrets(row.envelope)
    if scrubbed is not row.envelope:
        row.envelope = scrubbed
        row.secrets_scrubbed = True


def outbox_prune() -> int:
    """Deletes published events older than OUTBOX_RETENTION_DAYS; returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    deleted, _ = OutboxEvent.objects.filter(published_at__lt=cutoff).delete()
    return deleted
