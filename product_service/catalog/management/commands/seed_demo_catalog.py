"""A small demo catalog; running it again updates the same rows instead of adding new ones."""

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from catalog.cache import catalog_cache_invalidate
from catalog.models import Category, Product

# (slug, name, parent slug, description)
CATEGORIES = [
    ("electronics", "Electronics", None, "Computers, phones and the gear around them."),
    ("laptops", "Laptops", "electronics", "Notebooks for work, study and play."),
    ("phones", "Phones", "electronics", "Smartphones and accessories."),
    ("books", "Books", None, "Printed books across every genre."),
    ("home", "Home", None, "Kitchen and household essentials."),
]

# (sku, slug, name, category slug, price, description)
PRODUCTS = [
    ("LAP-AIR-13", "aero-13-ultrabook", "Aero 13 Ultrabook", "laptops", "1099.00",
     "A 13-inch ultrabook with a 2.8K display, 16 GB of RAM and an all-day battery."),
    ("LAP-PRO-16", "forge-16-pro-laptop", "Forge 16 Pro Laptop", "laptops", "2399.00",
     "A 16-inch workstation laptop with a dedicated graphics card for creative work."),
    ("LAP-CHR-14", "slate-14-chromebook", "Slate 14 Chromebook", "laptops", "349.99",
     "A light 14-inch Chromebook for browsing, streaming and schoolwork."),
    ("PHN-NOVA-6", "nova-6-smartphone", "Nova 6 Smartphone", "phones", "799.00",
     "A 6.1-inch OLED smartphone with a triple camera and 128 GB of storage."),
    ("PHN-LITE-5", "nova-lite-5-smartphone", "Nova Lite 5 Smartphone", "phones", "299.00",
     "An affordable smartphone with a two-day battery and a 50 MP camera."),
    ("ACC-USBC-65", "65w-usb-c-charger", "65W USB-C Charger", "electronics", "39.90",
     "A compact gallium nitride charger that powers a laptop and a phone at once."),
    ("ACC-BUDS-2", "pulse-wireless-earbuds", "Pulse Wireless Earbuds", "electronics", "129.00",
     "Noise-cancelling wireless earbuds with a pocket-sized charging case."),
    ("BK-PRAG-PROG", "the-pragmatic-programmer", "The Pragmatic Programmer", "books", "44.95",
     "The classic guide to the craft of software development, 20th anniversary edition."),
    ("BK-DDD", "domain-driven-design", "Domain-Driven Design", "books", "59.99",
     "Tackling complexity in the heart of software with a shared model and language."),
    ("BK-DUNE", "dune", "Dune", "books", "18.99",
     "Frank Herbert's science fiction epic of politics and ecology on the desert planet Arrakis."),
    ("HOM-KETL-17", "steel-electric-kettle", "Steel Electric Kettle", "home", "49.00",
     "A 1.7-litre stainless steel kettle with temperature presets for tea and coffee."),
    ("HOM-CHEF-8", "chefs-knife-8-inch", "Chef's Knife 8-inch", "home", "89.50",
     "A forged German steel chef's knife, balanced for everyday chopping."),
]


class Command(BaseCommand):
    help = "Creates or updates a small demo catalog (categories and products); safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        categories: dict[str, Category] = {}
        created_categories = created_products = 0
        for slug, name, parent_slug, description in CATEGORIES:
            categories[slug], created = Category.objects.update_or_create(
                slug=slug,
                defaults={"name": name, "parent": categories.get(parent_slug), "description": description},
            )
            created_categories += created
        for sku, slug, name, category_slug, price, description in PRODUCTS:
            _, created = Product.objects.update_or_create(
                sku=sku,
                defaults={
                    "slug": slug,
                    "name": name,
                    "category": categories[category_slug],
                    "price": Decimal(price),
                    "currency": "USD",
                    "description": description,
                    "is_active": True,
                },
            )
            created_products += created
        catalog_cache_invalidate()
        self.stdout.write(
            f"Demo catalog: {len(CATEGORIES)} categories ({created_categories} new), "
            f"{len(PRODUCTS)} products ({created_products} new)."
        )
