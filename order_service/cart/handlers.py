"""product.* events keep the catalog copy checkout prices from."""

import uuid
from decimal import Decimal

from django.utils.dateparse import parse_datetime

from cart import catalog
from ecom_common.events import Event, event_handler


@event_handler("product.created", "product.updated")
def catalog_product_sync(event: Event) -> None:
    data = event.data
    catalog.catalog_product_upsert(
        product_id=uuid.UUID(data["product_id"]),
        sku=data["sku"],
        name=data["name"],
        price=Decimal(str(data["price"])),
        currency=data["currency"],
        is_active=data["is_active"],
        updated_at=parse_datetime(data["updated_at"]),
    )


@event_handler("product.deleted")
def catalog_product_delete(event: Event) -> None:
    catalog.catalog_product_mark_deleted(product_id=uuid.UUID(event.data["product_id"]), sku=event.data.get("sku", ""))
