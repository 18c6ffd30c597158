"""Reads of stock."""

import uuid

from django.db.models import QuerySet

from stock.models import Stock, StockMovement


def stock_get(*, variant_id: uuid.UUID) -> Stock | None:
    return Stock.objects.filter(variant_id=variant_id).first()


def stock_movement_list(*, variant_id: uuid.UUID) -> QuerySet[StockMovement]:
    """The product's movements, newest first."""
    return StockMovement.objects.filter(variant_id=variant_id).order_by("-created_at", "-id")
