"""Reads of stock."""

import uuid

from django.db.models import QuerySet

from stock.models import Stock, StockMovement


def stock_get(*, product_id: uuid.UUID) -> Stock | None:
    return Stock.objects.filter(product_id=product_id).first()


def stock_movement_list(*, product_id: uuid.UUID) -> QuerySet[StockMovement]:
    """The product's movements, newest first."""
    return StockMovement.objects.filter(product_id=product_id).order_by("-created_at", "-id")
