import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from stock.models import Reservation, Stock, WarehouseStock
from stock.warehouses import warehouse_default


class StockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stock
        skip_postgeneration_save = True

    variant_id = factory.LazyFunction(uuid.uuid4)
    on_hand = 0
    reserved = 0
    low_stock_threshold = 5

    @factory.post_generation
    def warehouse(self, create, extracted, **kwargs):
        """The numbers are in one warehouse (``warehouse=`` one, by default the default one), so
        the totals stay the sum of the warehouses."""
        if create and (self.on_hand or self.reserved):
            WarehouseStock.objects.create(
                variant=self,
                warehouse=extracted or warehouse_default(),
                on_hand=self.on_hand,
                reserved=self.reserved,
            )


class ReservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reservation

    order_id = factory.LazyFunction(uuid.uuid4)
    variant = factory.SubFactory(StockFactory)
    quantity = 1
    status = Reservation.Status.HELD
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=15))
