"""The inventory service's business metrics on /metrics: reservations held, low stock."""

import pytest

from ecom_common.testing.metrics import metric_samples
from stock.models import Reservation
from stock.tests.factories import ReservationFactory, StockFactory

pytestmark = pytest.mark.django_db


def test_reservations_held_and_low_stock_variants_are_on_metrics(client):
    ReservationFactory(quantity=2, variant=StockFactory(on_hand=50))
    ReservationFactory(quantity=3, variant=StockFactory(on_hand=50))
    ReservationFactory(quantity=4, status=Reservation.Status.COMMITTED, variant=StockFactory(on_hand=50))
    StockFactory(on_hand=1, low_stock_threshold=5)

    samples = metric_samples(client)

    assert samples[("ecom_reservations_held", ())] == 2
    assert samples[("ecom_reserved_units", ())] == 5
    assert samples[("ecom_low_stock_variants", ())] == 1
