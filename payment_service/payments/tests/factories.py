import uuid
from decimal import Decimal

import factory

from payments.models import Payment


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    order_id = factory.LazyFunction(uuid.uuid4)
    user_id = factory.LazyFunction(uuid.uuid4)
    amount = Decimal("19.99")
    currency = "USD"
    token = "tok_visa"
    status = Payment.Status.PROCESSING
