"""The demo shop that `make run` seeds: one list every service's seed command reads.

Ids are derived from SKUs (UUID 5), so the catalog and the inventory seed the same variants
without asking each other: a product without variants is its one variant (the product's id,
from its SKU); a product with variants has an id from its slug and one per variant's SKU.
"""

import uuid

_NAMESPACE = uuid.UUID("6f1c1a52-8f0e-4d7a-9d65-2f3c8b1e4a10")


def demo_product_id(sku: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, sku)


def demo_variant_ids() -> list[tuple[uuid.UUID, str]]:
    """(id, SKU) of every variant the demo catalog sells: what inventory puts on the shelf."""
    ids = []
    for product in DEMO_PRODUCTS:
        if "variants" in product:
            ids += [(demo_product_id(variant["sku"]), variant["sku"]) for variant in product["variants"]]
        else:
            ids.append((demo_product_id(product["sku"]), product["sku"]))
    return ids


# Two warehouses; every variant has 30 units in the first and 20 in the second (50 in total), so
# a big enough order shows a reservation split across them.
DEMO_WAREHOUSES = [
    {"code": "main", "name": "Main warehouse", "country": "US", "priority": 10, "on_hand": 30},
    {"code": "eu", "name": "EU warehouse", "country": "DE", "priority": 20, "on_hand": 20},
]
DEMO_STOCK_ON_HAND = sum(warehouse["on_hand"] for warehouse in DEMO_WAREHOUSES)

# (slug, name, parent slug, description)
DEMO_CATEGORIES = [
    ("electronics", "Electronics", None, "Computers, phones and the gear around them."),
    ("laptops", "Laptops", "electronics", "Notebooks for work, study and play."),
    ("phones", "Phones", "electronics", "Smartphones and accessories."),
    ("books", "Books", None, "Printed books across every genre."),
    ("home", "Home", None, "Kitchen and household essentials."),
    ("clothing", "Clothing", None, "T-shirts, hoodies and layers for every season."),
]

# (slug, name, description)
DEMO_BRANDS = [
    ("aero", "Aero", "Laptops and phones designed in Lisbon."),
    ("pulse", "Pulse", "Audio gear and accessories."),
    ("northwind", "Northwind", "Clothing for everyday weather."),
]

# slug: (name, values in display order)
DEMO_ATTRIBUTES = {
    "size": ("Size", ["S", "M", "L", "XL"]),
    "color": ("Colour", ["Black", "White", "Forest green"]),
}

# (slug, name, the attributes its variants vary by)
DEMO_PRODUCT_TYPES = [("t-shirt", "T-shirt", ["size", "color"]), ("hoodie", "Hoodie", ["size"])]


def _variants(prefix: str, price: str, sizes: list[str], colors: list[str | None]) -> list[dict]:
    variants = []
    for color in colors:
        for size in sizes:
            attributes = {"size": size} | ({"color": color} if color else {})
            suffix = "-".join(part.upper().replace(" ", "") for part in (color, size) if part)
            variants.append({"sku": f"{prefix}-{suffix}", "price": price, "attributes": attributes})
    return variants


# A product without variants: its id is demo_product_id(sku), and so is its one variant's.
# With variants: the product's id is demo_product_id(slug), each variant's demo_product_id(its sku).
DEMO_PRODUCTS = [
    {
        "slug": "northwind-organic-tee",
        "name": "Northwind Organic Tee",
        "category": "clothing",
        "brand": "northwind",
        "product_type": "t-shirt",
        "description": "A heavyweight organic cotton T-shirt, cut for every day.",
        "variants": _variants("TEE-ORG", "24.00", ["S", "M", "L", "XL"], ["Black", "White", "Forest green"]),
    },
    {
        "slug": "northwind-storm-hoodie",
        "name": "Northwind Storm Hoodie",
        "category": "clothing",
        "brand": "northwind",
        "product_type": "hoodie",
        "description": "A brushed-fleece hoodie with a water-repellent finish.",
        "variants": [
            *_variants("HOOD-STORM", "69.00", ["S", "M", "L"], [None]),
            {"sku": "HOOD-STORM-XL", "price": "74.00", "attributes": {"size": "XL"}},
        ],
    },
    {
        "sku": "LAP-AIR-13",
        "brand": "aero",
        "slug": "aero-13-ultrabook",
        "name": "Aero 13 Ultrabook",
        "category": "laptops",
        "price": "1099.00",
        "description": "A 13-inch ultrabook with a 2.8K display, 16 GB of RAM and an all-day battery.",
    },
    {
        "sku": "LAP-PRO-16",
        "brand": "aero",
        "slug": "forge-16-pro-laptop",
        "name": "Forge 16 Pro Laptop",
        "category": "laptops",
        "price": "2399.00",
        "description": "A 16-inch workstation laptop with a dedicated graphics card for creative work.",
    },
    {
        "sku": "LAP-CHR-14",
        "slug": "slate-14-chromebook",
        "name": "Slate 14 Chromebook",
        "category": "laptops",
        "price": "349.99",
        "description": "A light 14-inch Chromebook for browsing, streaming and schoolwork.",
    },
    {
        "sku": "PHN-NOVA-6",
        "brand": "aero",
        "slug": "nova-6-smartphone",
        "name": "Nova 6 Smartphone",
        "category": "phones",
        "price": "799.00",
        "description": "A 6.1-inch OLED smartphone with a triple camera and 128 GB of storage.",
    },
    {
        "sku": "PHN-LITE-5",
        "brand": "aero",
        "slug": "nova-lite-5-smartphone",
        "name": "Nova Lite 5 Smartphone",
        "category": "phones",
        "price": "299.00",
        "description": "An affordable smartphone with a two-day battery and a 50 MP camera.",
    },
    {
        "sku": "ACC-USBC-65",
        "brand": "pulse",
        "slug": "65w-usb-c-charger",
        "name": "65W USB-C Charger",
        "category": "electronics",
        "price": "39.90",
        "description": "A compact gallium nitride charger that powers a laptop and a phone at once.",
    },
    {
        "sku": "ACC-BUDS-2",
        "brand": "pulse",
        "slug": "pulse-wireless-earbuds",
        "name": "Pulse Wireless Earbuds",
        "category": "electronics",
        "price": "129.00",
        "description": "Noise-cancelling wireless earbuds with a pocket-sized charging case.",
    },
    {
        "sku": "BK-PRAG-PROG",
        "slug": "the-pragmatic-programmer",
        "name": "The Pragmatic Programmer",
        "category": "books",
        "price": "44.95",
        "description": "The classic guide to the craft of software development, 20th anniversary edition.",
    },
    {
        "sku": "BK-DDD",
        "slug": "domain-driven-design",
        "name": "Domain-Driven Design",
        "category": "books",
        "price": "59.99",
        "description": "Tackling complexity in the heart of software with a shared model and language.",
    },
    {
        "sku": "BK-DUNE",
        "slug": "dune",
        "name": "Dune",
        "category": "books",
        "price": "18.99",
        "description": "Frank Herbert's science fiction epic of politics and ecology on the desert planet Arrakis.",
    },
    {
        "sku": "HOM-KETL-17",
        "slug": "steel-electric-kettle",
        "name": "Steel Electric Kettle",
        "category": "home",
        "price": "49.00",
        "description": "A 1.7-litre stainless steel kettle with temperature presets for tea and coffee.",
    },
    {
        "sku": "HOM-CHEF-8",
        "slug": "chefs-knife-8-inch",
        "name": "Chef's Knife 8-inch",
        "category": "home",
        "price": "89.50",
        "description": "A forged German steel chef's knife, balanced for everyday chopping.",
    },
]


# -- pricing (order_service: seed_demo_pricing) ----------------------------------------------------
DEMO_PROMOTION = {
    "name": "Winter sale: 10% off clothing",
    "kind": "percentage",
    "value": "10.00",
    "category_slugs": ["clothing"],
    "priority": 10,
}
# Printed by `make run`.
DEMO_VOUCHER = {
    "code": "WELCOME10",
    "name": "10% off your first order",
    "kind": "percentage",
    "value": "10.00",
    "per_customer_limit": 1,
}
_SHIPPED_TO = ["US", "CA", "GB", "DE", "FR"]
# Standard costs nothing, so a client that knows nothing of shipping pays what it always did.
DEMO_SHIPPING_METHODS = [
    {"name": "Standard", "price": "0.00", "min_days": 3, "max_days": 5, "countries": _SHIPPED_TO},
    {
        "name": "Express",
        "price": "14.90",
        "free_above": "200.00",
        "min_days": 1,
        "max_days": 2,
        "countries": _SHIPPED_TO,
    },
]
DEMO_TAX_RATES = [
    {"name": "California sales tax", "country": "US", "region": "CA", "rate": "7.25", "applies_to_shipping": False},
]
