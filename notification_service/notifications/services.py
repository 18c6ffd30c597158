"""What the notification service does: keeps its recipients, records each message once, and
sends it, retrying with backoff until it is sent or dead-lettered (status failed).

A message is sent by a task right after the transaction that records it commits, and by the
periodic sweep (``messages_send_due``) when that task is lost or the send failed and its next
attempt is due. Both go through ``message_send``, which takes the message's row lock and sends
only a queued message: however many tasks race, a message is handed to the backend once per
attempt. (A crash between the mail server accepting a message and the commit that records it
sends it again on the next attempt: delivery is at-least-once; its Message-ID stays the same, so
a receiving system can tell.)
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from ecom_common.enqueue import enqueue_or_leave_to_sweep
from ecom_common.events import Event
from notifications.kinds import LINK_KINDS
from notifications.models import DeliveryAttempt, Message, Recipient
from notifications.rendering import message_context, message_render
from notifications.tasks import message_send_task

logger = logging.getLogger(__name__)

SCRUBBED = "[removed once sent]"
# Before the sweep sends a message whose task should already have: that task's head start.
SWEEP_GRACE = timedelta(seconds=30)


# ---------------------------------------------------------------------------
# Recipients
# ---------------------------------------------------------------------------
@transaction.atomic
def recipient_save(*, user_id: uuid.UUID, email: str, name: str | None = None, email_verified: bool | None = None):
    """The customer's address (and name) as the latest ``user.*`` event says; messages that were
    waiting for it (their event came first) are queued."""
    fields: dict = {"email": email}
    if name is not None:
        fields["name"] = name
    if email_verified is not None:
        fields["email_verified"] = email_verified
    recipient = Recipient.objects.filter(user_id=user_id).first()
    if recipient is None:
        recipient = Recipient.objects.create(user_id=user_id, **fields)
    elif any(getattr(recipient, field) != value for field, value in fields.items()):
        # Only a real change is written: a redelivered event leaves the row as it was.
        for field, value in fields.items():
            setattr(recipient, field, value)
        recipient.save()
    waiting = list(Message.objects.filter(user_id=user_id, status=Message.Status.WAITING).values_list("pk", flat=True))
    if waiting:
        Message.objects.filter(pk__in=waiting).update(
            status=Message.Status.QUEUED, to_email=email, next_attempt_at=timezone.now() + SWEEP_GRACE
        )
        for pk in waiting:
            _send_after_commit(pk)
    return recipient


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------
def message_create(
    *, event: Event, kind: str, data: dict, user_id: uuid.UUID | None = None, staff_email: str = ""
) -> Message | None:
    """The message of ``kind`` that ``event`` causes for a customer (``user_id``) or a member of
    staff (``staff_email``), unless it exists already (then ``None``): the unique key decides."""
    recipient = Recipient.objects.filter(user_id=user_id).first() if user_id else None
    to_email = staff_email or (recipient.email if recipient else "")
    context = message_context(kind=kind, data=data, name=recipient.name if recipient else "", email=to_email)
    message = Message(
        kind=kind,
        event_id=event.id,
        event_type=event.type,
        recipient_key=str(user_id) if user_id else staff_email,
        user_id=user_id,
        to_email=to_email,
        subject=message_render(kind, context).subject,
        data=data,
        status=Message.Status.QUEUED if to_email else Message.Status.WAITING,
        next_attempt_at=timezone.now() + SWEEP_GRACE if to_email else None,
    )
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        logger.info("message exists already", extra={"event_id": str(event.id), "kind": kind})
        return None
    if message.status == Message.Status.QUEUED:
        _send_after_commit(message.pk)
    return message


def _send_after_commit(message_id: uuid.UUID) -> None:
    transaction.on_commit(
        lambda: enqueue_or_leave_to_sweep(message_send_task, (str(message_id),), what=f"send of message {message_id}")
    )


def retry_delay(attempts: int) -> timedelta:
    """After the ``attempts``-th failed send: NOTIFICATION_RETRY_SECONDS doubling, capped."""
    seconds = settings.NOTIFICATION_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.NOTIFICATION_RETRY_MAX_SECONDS))


def _email_of(message: Message, context: dict, rendered) -> EmailMultiAlternatives:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        # The same Message-ID on every attempt: a receiver can tell a repeated delivery.
        headers={"Message-ID": f"<{message.pk}@{domain}>", "X-Shop-Message-Kind": message.kind},
    )
    if rendered.html:
        email.attach_alternative(rendered.html, "text/html")
    return email


@transaction.atomic
def message_send(*, message_id: uuid.UUID) -> Message | None:
    """One attempt at sending a queued message; ``None`` when it is not queued (sent, failed,
    waiting) or another worker holds it. A failed send is recorded and scheduled again, and after
    NOTIFICATION_MAX_ATTEMPTS becomes ``failed``: dead-lettered, in the delivery log, resendable."""
    message = (
        Message.objects.select_for_update(skip_locked=True).filter(pk=message_id, status=Message.Status.QUEUED).first()
    )
    if message is None:
        return None
    recipient = Recipient.objects.filter(user_id=message.user_id).first() if message.user_id else None
    if recipient is not None:
        message.to_email = recipient.email  # the address as it is now
    context = message_context(
        kind=message.kind, data=message.data, name=recipient.name if recipient else "", email=message.to_email
    )
    rendered = message_render(message.kind, context)
    message.subject, message.template_error = rendered.subject, rendered.template_error
    message.attempts += 1
    try:
        _email_of(message, context, rendered).send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        DeliveryAttempt.objects.create(message=message, succeeded=False, error=error)
        message.last_error = error
        if message.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            message.status, message.next_attempt_at = Message.Status.FAILED, None
            logger.exception("message dead-lettered", extra={"message_id": str(message.pk), "error": error})
        else:
            message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
            logger.warning("message not sent; retrying", extra={"message_id": str(message.pk), "error": error})
    else:
        DeliveryAttempt.objects.create(message=message, succeeded=True)
        message.status, message.sent_at, message.next_attempt_at = Message.Status.SENT, timezone.now(), None
        message.last_error = ""
        if message.kind in LINK_KINDS and "token" in message.data:
            # Delivered: the link's token is the customer's alone and not kept here.
            message.data = {**message.data, "token": SCRUBBED}
    message.save()
    return message


def messages_waiting_release() -> int:
    """Queues, due now, every waiting message whose recipient is known after all; returns how many.

    A customer's message waits when its event finds no recipient, and ``recipient_save`` queues
    it when the account's event arrives. Handled at the same moment in two pool processes, each
    transaction misses the other's uncommitted row: the message would wait forever beside its
    recipient. The sweep closes that gap instead of a lock every event would pay for."""
    recipient = Recipient.objects.filter(user_id=OuterRef("user_id"))
    return Message.objects.filter(Exists(recipient), status=Message.Status.WAITING).update(
        status=Message.Status.QUEUED,
        to_email=Subquery(recipient.values("email")[:1]),
        next_attempt_at=timezone.now(),
    )


def messages_send_due(*, limit: int = 200) -> int:
    """Sends every queued message whose attempt is due (the periodic sweep), after queuing those left
    waiting beside a known recipient; returns how many were tried."""
    messages_waiting_release()
    due = Message.objects.filter(status=Message.Status.QUEUED, next_attempt_at__lte=timezone.now())
    ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    return sum(message_send(message_id=pk) is not None for pk in ids)


@transaction.atomic
def message_resend(*, message: Message) -> Message:
    """Staff send a message again (a failed one, or a copy of a sent one). A sent link is not:
    its token is gone; the customer asks for a new link."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.data.get("token") == SCRUBBED:
        raise ValidationError("This link was delivered and is not kept; the customer can ask for a new one.")
    if message.status == Message.Status.WAITING:
        raise ValidationError("The recipient is not known yet; it is sent when their account's event arrives.")
    # A fresh budget of attempts; the delivery log keeps the earlier ones.
    message.status, message.attempts = Message.Status.QUEUED, 0
    message.next_attempt_at = timezone.now() + SWEEP_GRACE
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    _send_after_commit(message.pk)
    return message
