"""The demo catalog (ecom_common.demo); running it again updates the same rows instead of adding new ones."""

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from catalog.models import Category, Product
from catalog.services import category_create, category_update, product_create, product_update
from ecom_common.demo import DEMO_CATEGORIES, DEMO_PRODUCTS, demo_product_id
from ecom_common.money import DEFAULT_CURRENCY


class Command(BaseCommand):
    help = (
        "Creates or updates the demo catalog through the catalog services (so events announce it); safe to run again."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        categories: dict[str, Category] = {}
        created_categories = created_products = 0
        for slug, name, parent_slug, description in DEMO_CATEGORIES:
            fields = {"name": name, "parent": categories.get(parent_slug), "description": description}
            existing = Category.objects.filter(slug=slug).first()
            if existing is None:
                categories[slug] = category_create(slug=slug, **fields)
                created_categories += 1
            else:
                categories[slug] = category_update(category=existing, data=fields)
        for demo in DEMO_PRODUCTS:
            fields = {
                "slug": demo["slug"],
                "name": demo["name"],
                "category": categories[demo["category"]],
                "price": Decimal(demo["price"]),
                "currency": DEFAULT_CURRENCY,
                "description": demo["description"],
                "is_active": True,
            }
            existing = Product.objects.filter(sku=demo["sku"]).first()
            if existing is None:
                product_create(id=demo_product_id(demo["sku"]), sku=demo["sku"], **fields)
                created_products += 1
            elif any(getattr(existing, name) != value for name, value in fields.items()):
                product_update(product=existing, data=fields)
        self.stdout.write(
            f"Demo catalog: {len(DEMO_CATEGORIES)} categories ({created_categories} new), "
            f"{len(DEMO_PRODUCTS)} products ({created_products} new)."
        )
