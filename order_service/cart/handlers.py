"""product.* events keep the catalog copy checkout prices from."""

import uuid

from cart import catalog
from ecom_common.events import Event, event_handler


@event_handler("product.created", "product.updated")
def catalog_product_sync(event: Event) -> None:
    catalog.catalog_product_store(product_id=uuid.UUID(event.data["product_id"]), data=event.data)


@event_handler("product.deleted")
def catalog_product_delete(event: Event) -> None:
    catalog.catalog_product_mark_deleted(
        product_id=uuid.UUID(event.data["product_id"]),
        sku=event.data.get("sku", ""),
        variant_ids=event.data.get("variant_ids"),
    )
