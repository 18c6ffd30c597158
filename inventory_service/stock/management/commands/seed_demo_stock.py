"""Puts every variant of the demo catalog on the shelf; running it again leaves the same stock."""

from django.core.management.base import BaseCommand
from django.db import transaction

from stock import selectors, services


class Command(BaseCommand):
    help = "Sets every demo variant's on_hand to the demo level through adjustments; safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        from ecom_common import demo

        target = getattr(demo, "DEMO_STOCK_ON_HAND", 50)
        adjusted = 0
        variants = demo.demo_variant_ids()
        for variant_id, _sku in variants:
            stock = selectors.stock_get(variant_id=variant_id)
            delta = target - (stock.on_hand if stock else 0)
            if delta:
                services.stock_adjust(
                    variant_id=variant_id, delta=delta, reason="demo stock", actor=services.SYSTEM_ACTOR
                )
                adjusted += 1
        self.stdout.write(f"Demo stock: {len(variants)} variants at {target} on hand ({adjusted} adjusted).")
