"""Recipients (a copy of user_service's accounts, from user.* events), the messages sent to them,
each send attempt, and the staff's template overrides."""

import uuid

from django.db import models

from notifications.kinds import Kind


class Recipient(models.Model):
    """Whom a customer's messages go to; kept from ``user.*`` events, never asked for."""

    user_id = models.UUIDField(primary_key=True)
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=300, blank=True)
    email_verified = models.BooleanField(default=False)
    # Reserved for opt-outs of non-transactional mail; every kind sent today is transactional.
    preferences = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


class Message(models.Model):
    """One message of one kind to one recipient because of one event; sent once.

    ``(event_id, kind, recipient_key)`` is unique: a redelivered or reordered event finds its
    message already there (the database refuses a second, however the events interleave).
    """

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for the recipient"  # the user.* event has not arrived yet
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (dead-lettered)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    event_id = models.UUIDField(help_text="The event that caused it.")
    event_type = models.CharField(max_length=100)
    # The customer's user id, or the address of a member of staff (low stock).
    recipient_key = models.CharField(max_length=254)
    user_id = models.UUIDField(null=True, blank=True, db_index=True, help_text="The customer it is for.")
    to_email = models.EmailField(max_length=254, blank=True, help_text="The address it was (or will be) sent to.")
    subject = models.CharField(max_length=300, blank=True)
    # What the event said (the templates' context); a link's token is removed once sent.
    data = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    template_error = models.TextField(
        blank=True, help_text="Why the staff's override could not be used (the default was sent instead)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event_id", "kind", "recipient_key"], name="message_once_per_event"),
        ]
        indexes = [
            # The sweep's query: what is due to be sent.
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="queued"), name="message_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_email or self.recipient_key}"


class DeliveryAttempt(models.Model):
    """One try at handing a message to the mail backend: the delivery log."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="delivery_attempts")
    at = models.DateTimeField(auto_now_add=True)
    succeeded = models.BooleanField()
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{'sent' if self.succeeded else 'failed'} at {self.at:%Y-%m-%d %H:%M:%S}"


class TemplateOverride(models.Model):
    """The staff's own wording for a kind; the files under templates/notifications/ otherwise."""

    kind = models.CharField(max_length=32, choices=Kind.choices, unique=True)
    subject = models.CharField(max_length=300, help_text="A Django template, one line.")
    text = models.TextField("plain text body", help_text="A Django template.")
    html = models.TextField(
        "HTML body", blank=True, help_text="A Django template; blank: the mail has a plain text body only."
    )
    is_active = models.BooleanField(default=True, help_text="Unselect to send the default again.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()
