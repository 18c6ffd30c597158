"""Inventory's figures on the order admin's dashboard (ecom_common.staff_summary)."""

from django.db.models import F

from stock.models import Stock

LISTED = 10


def figures() -> dict:
    """The variants at or below their low-stock threshold, fewest available first."""
    low = Stock.objects.annotate(units=F("on_hand") - F("reserved")).filter(units__lte=F("low_stock_threshold"))
    return {
        "low_stock_count": low.count(),
        "low_stock": [
            {"variant_id": str(stock.variant_id), "available": stock.units, "threshold": stock.low_stock_threshold}
            for stock in low.order_by("units", "variant_id")[:LISTED]
        ],
    }
