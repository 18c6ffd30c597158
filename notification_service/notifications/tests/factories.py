import uuid

import factory

from notifications.kinds import Kind
from notifications.models import Message, Recipient


class RecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recipient

    user_id = factory.LazyFunction(uuid.uuid4)
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    name = "Ada Lovelace"


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    kind = Kind.ORDER_SHIPPED
    event_id = factory.LazyFunction(uuid.uuid4)
    event_type = "order.shipped"
    user_id = factory.LazyFunction(uuid.uuid4)
    recipient_key = factory.LazyAttribute(lambda message: str(message.user_id))
    to_email = "someone@example.com"
    subject = "Your order is on its way"
    status = Message.Status.SENT
