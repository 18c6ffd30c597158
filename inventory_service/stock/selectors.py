"""Reads of stock."""

import uuid

from django.db.models import Prefetch, QuerySet

from stock.models import Stock, StockMovement, WarehouseStock


def stock_get(*, variant_id: uuid.UUID, with_warehouses: bool = False) -> Stock | None:
    """The variant's stock; ``with_warehouses``, each warehouse's part (allocation order) at hand
    too (what staff see; others are not shown it, so it is not read for them)."""
    stocks = Stock.objects.all()
    if with_warehouses:
        parts = WarehouseStock.objects.select_related("warehouse").order_by("warehouse__priority", "warehouse__code")
        stocks = stocks.prefetch_related(Prefetch("warehouse_stocks", queryset=parts))
    return stocks.filter(variant_id=variant_id).first()


def stock_movement_list(*, variant_id: uuid.UUID) -> QuerySet[StockMovement]:
    """The variant's movements, newest first."""
    return (
        StockMovement.objects.filter(variant_id=variant_id).select_related("warehouse").order_by("-created_at", "-id")
    )
