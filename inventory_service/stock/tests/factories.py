import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from stock.models import Reservation, Stock


class StockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stock

    variant_id = factory.LazyFunction(uuid.uuid4)
    on_hand = 0
    reserved = 0
    low_stock_threshold = 5


class ReservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reservation

    order_id = factory.LazyFunction(uuid.uuid4)
    variant = factory.SubFactory(StockFactory)
    quantity = 1
    status = Reservation.Status.HELD
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=15))
