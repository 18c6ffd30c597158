import uuid

import pytest

from stock import services
from stock.models import Stock


@pytest.fixture
def stock_on_hand():
    """``stock_on_hand(10)`` → a variant's stock with 10 on hand, put there by an adjustment
    (so its movements add up to it)."""

    def make(on_hand: int, *, threshold: int = 5) -> Stock:
        variant_id = uuid.uuid4()
        services.stock_create_for_product(product_id=variant_id, variants=None)
        Stock.objects.filter(variant_id=variant_id).update(low_stock_threshold=threshold)
        return services.stock_adjust(variant_id=variant_id, delta=on_hand, reason="initial", actor="system")

    return make
