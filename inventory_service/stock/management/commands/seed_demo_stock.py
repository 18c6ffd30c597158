"""Puts every variant of the demo catalog on the shelves of the demo warehouses; running it
again leaves the same stock."""

from django.core.management.base import BaseCommand
from django.db import transaction

from stock import services
from stock.models import Warehouse, WarehouseStock


class Command(BaseCommand):
    help = (
        "Creates the demo warehouses (if absent) and sets every demo variant's on_hand in each to the "
        "demo level through adjustments; safe to run again."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        from ecom_common import demo

        variants = demo.demo_variant_ids()
        adjusted = 0
        for spec in demo.DEMO_WAREHOUSES:
            fields = {key: value for key, value in spec.items() if key != "on_hand"}
            warehouse, _ = Warehouse.objects.get_or_create(code=spec["code"], defaults=fields)
            for variant_id, _sku in variants:
                place = WarehouseStock.objects.filter(variant_id=variant_id, warehouse=warehouse).first()
                delta = spec["on_hand"] - (place.on_hand if place else 0)
                if delta:
                    services.stock_adjust(
                        variant_id=variant_id,
                        delta=delta,
                        warehouse=warehouse.code,
                        reason="demo stock",
                        actor=services.SYSTEM_ACTOR,
                    )
                    adjusted += 1
        levels = ", ".join(f"{spec['on_hand']} in {spec['code']}" for spec in demo.DEMO_WAREHOUSES)
        self.stdout.write(f"Demo stock: {len(variants)} variants, {levels} ({adjusted} adjusted).")
