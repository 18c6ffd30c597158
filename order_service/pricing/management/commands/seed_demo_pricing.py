"""The demo shop's pricing: one promotion, one voucher, two shipping methods and a tax rate.
Each is created when absent (by name, code, or country and region); running it again changes
nothing, and what staff changed since is kept."""

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from pricing.models import Promotion, ShippingMethod, TaxRate, Voucher

MONEY_FIELDS = {"value", "price", "free_above", "rate"}


def _decimals(spec: dict) -> dict:
    return {key: Decimal(value) if key in MONEY_FIELDS else value for key, value in spec.items()}


class Command(BaseCommand):
    help = "Creates the demo promotion, voucher, shipping methods and tax rate when absent; safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        from ecom_common import demo

        promotion = _decimals(demo.DEMO_PROMOTION)
        Promotion.objects.get_or_create(name=promotion.pop("name"), defaults=promotion)
        voucher = _decimals(demo.DEMO_VOUCHER)
        Voucher.objects.get_or_create(code=voucher.pop("code"), defaults=voucher)
        for spec in map(_decimals, demo.DEMO_SHIPPING_METHODS):
            ShippingMethod.objects.get_or_create(name=spec.pop("name"), defaults=spec)
        for spec in map(_decimals, demo.DEMO_TAX_RATES):
            TaxRate.objects.get_or_create(country=spec.pop("country"), region=spec.pop("region"), defaults=spec)
        self.stdout.write(
            f"Demo pricing: promotion {demo.DEMO_PROMOTION['name']!r}, voucher {demo.DEMO_VOUCHER['code']}, "
            f"{len(demo.DEMO_SHIPPING_METHODS)} shipping methods, {len(demo.DEMO_TAX_RATES)} tax rate(s)."
        )
