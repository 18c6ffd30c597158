"""The tables every service has in its own schema: the event bus's outbox, inbox and dead
letters, when staff accounts last signed out of every admin, and the first answers to writes
that took an Idempotency-Key."""

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class OutboxEvent(models.Model):
    """An event written in the same transaction as the change it announces, until relayed."""

    id = models.UUIDField(primary_key=True, help_text="The event id (AMQP message_id).")
    exchange = models.CharField(max_length=100)
    type = models.CharField(max_length=100, help_text="The routing key, e.g. order.created.")
    envelope = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            # The relay's hot query: what is still waiting, oldest first.
            models.Index(fields=["created_at"], condition=models.Q(published_at__isnull=True), name="outbox_pending"),
            models.Index(fields=["published_at"], name="outbox_published_at"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class InboxEvent(models.Model):
    """An event a handler has applied; the unique pair makes redelivery a no-op."""

    handler = models.CharField(max_length=200)
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=100)
    correlation_id = models.CharField(max_length=128, blank=True)
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-processed_at"]
        constraints = [models.UniqueConstraint(fields=["handler", "event_id"], name="inbox_once_per_handler")]
        indexes = [models.Index(fields=["correlation_id"], name="inbox_correlation")]

    def __str__(self) -> str:
        return f"{self.handler} ← {self.event_type} {self.event_id}"


class DeadLetter(models.Model):
    """An event a handler could not apply after every retry; replayable from admin or command."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    handler = models.CharField(max_length=200)
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=100)
    envelope = models.JSONField()
    error = models.TextField()
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    replayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The same failure reaching us twice (e.g. from the broker's dead-letter queue too) is one row.
            models.UniqueConstraint(
                fields=["handler", "event_id"],
                condition=models.Q(replayed_at__isnull=True),
                name="dead_letter_open_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.handler} ✗ {self.event_type} {self.event_id}"


class StaffSignOut(models.Model):
    """When a staff account last signed out of every admin (the identity service's back-channel
    logout, ecom_common.admin_sso): this service's admin sessions of that account begun before
    then are ended. The time is this service's own clock, like the sessions' start."""

    user_id = models.CharField(primary_key=True, max_length=64, help_text="The identity service's user id.")
    signed_out_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} signed out at {self.signed_out_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def record(cls, *, user_id: str) -> None:
        cls.objects.update_or_create(user_id=str(user_id), defaults={"signed_out_at": timezone.now()})


class IdempotentReply(models.Model):
    """The first answer to a write that took an ``Idempotency-Key``, given back to its retries
    as it was (ecom_common.idempotency.idempotent_reply). The write itself is made once by the
    service's own record of the key (the order, the return, the stock movement)."""

    scope = models.CharField(max_length=200, help_text="The write and whose key space it is.")
    key = models.UUIDField()
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotent_reply_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.status}"
