"""The events the notification service listens to, and the message each causes.

Every ``user.*`` event carries the account's address and name: the recipient is kept from
whichever arrives first, so a mail never waits on a particular order of events.
"""

import uuid

from django.conf import settings

from ecom_common.events import Event, event_handler
from notifications import services
from notifications.kinds import Kind

USER_EVENT_KINDS = {
    "user.registered": Kind.WELCOME,
    "user.verification_requested": Kind.VERIFY_EMAIL,
    "user.password_reset_requested": Kind.PASSWORD_RESET,
    "user.password_changed": Kind.PASSWORD_CHANGED,
    # Registration answers a taken address as a new one: its owner hears of it here.
    "user.registration_attempted": Kind.REGISTRATION_ATTEMPTED,
}
ORDER_EVENT_KINDS = {
    "order.confirmed": Kind.ORDER_CONFIRMED,
    "order.shipped": Kind.ORDER_SHIPPED,
    "order.delivered": Kind.ORDER_DELIVERED,
    "order.cancelled": Kind.ORDER_CANCELLED,
    "payment.refunded": Kind.REFUND_ISSUED,
}


def _recipient_save(event: Event, **extra) -> uuid.UUID:
    user_id = uuid.UUID(event.data["user_id"])
    services.recipient_save(user_id=user_id, email=event.data["email"], name=event.data.get("name"), **extra)
    return user_id


@event_handler(*USER_EVENT_KINDS)
def message_on_user_event(event: Event) -> None:
    user_id = _recipient_save(event)
    data = {"token": event.data["token"]} if "token" in event.data else {}
    services.message_create(event=event, kind=USER_EVENT_KINDS[event.type], data=data, user_id=user_id)


@event_handler("user.updated")
def recipient_on_user_updated(event: Event) -> None:
    _recipient_save(event)


@event_handler("user.email_verified")
def recipient_on_email_verified(event: Event) -> None:
    _recipient_save(event, email_verified=True)


@event_handler(*ORDER_EVENT_KINDS)
def message_on_order_event(event: Event) -> None:
    services.message_create(
        event=event,
        kind=ORDER_EVENT_KINDS[event.type],
        data=event.data,
        user_id=uuid.UUID(event.data["user_id"]),
    )


@event_handler("inventory.low_stock")
def message_on_low_stock(event: Event) -> None:
    for address in settings.NOTIFICATION_STAFF_EMAILS:
        services.message_create(event=event, kind=Kind.LOW_STOCK, data=event.data, staff_email=address)
