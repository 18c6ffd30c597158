"""Puts the demo catalog's products on the shelf; running it again leaves the same stock."""

from django.core.management.base import BaseCommand
from django.db import transaction

from stock import selectors, services


class Command(BaseCommand):
    help = "Sets every demo product's on_hand to the demo level through adjustments; safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        from ecom_common import demo

        target = getattr(demo, "DEMO_STOCK_ON_HAND", 50)
        adjusted = 0
        for product in demo.DEMO_PRODUCTS:
            product_id = demo.demo_product_id(product["sku"])
            stock = selectors.stock_get(product_id=product_id)
            delta = target - (stock.on_hand if stock else 0)
            if delta:
                services.stock_adjust(
                    product_id=product_id, delta=delta, reason="demo stock", actor=services.SYSTEM_ACTOR
                )
                adjusted += 1
        self.stdout.write(f"Demo stock: {len(demo.DEMO_PRODUCTS)} products at {target} on hand ({adjusted} adjusted).")
