"""The demo catalog (ecom_common.demo); running it again updates the same rows instead of adding new ones."""

import io
import zlib
from decimal import Decimal
from functools import partial

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from PIL import Image, ImageColor, ImageDraw, ImageFont

from catalog import images, taxonomy
from catalog.models import Attribute, Brand, Category, Product, ProductType
from catalog.services import category_create, category_update, product_create, product_update, variant_update
from ecom_common import demo
from ecom_common.money import DEFAULT_CURRENCY


class Command(BaseCommand):
    help = (
        "Creates or updates the demo catalog through the catalog services (so events announce it); safe to run again."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        categories = self._categories()
        brands = {
            slug: Brand.objects.filter(slug=slug).first()
            or taxonomy.brand_create(name=name, slug=slug, description=description)
            for slug, name, description in demo.DEMO_BRANDS
        }
        for slug, (name, values) in demo.DEMO_ATTRIBUTES.items():
            attribute = Attribute.objects.filter(slug=slug).first()
            if attribute is None:
                taxonomy.attribute_create(name=name, slug=slug, values=values)
            else:
                taxonomy.attribute_update(attribute=attribute, data={"name": name, "values": values})
        types = {}
        for slug, name, attribute_slugs in demo.DEMO_PRODUCT_TYPES:
            attributes = list(Attribute.objects.filter(slug__in=attribute_slugs))
            existing = ProductType.objects.filter(slug=slug).first()
            types[slug] = (
                taxonomy.product_type_create(name=name, slug=slug, variant_attributes=attributes)
                if existing is None
                else taxonomy.product_type_update(product_type=existing, data={"variant_attributes": attributes})
            )
        created = sum(self._product(demo_product, categories, brands, types) for demo_product in demo.DEMO_PRODUCTS)
        pictured = self._images()
        self.stdout.write(
            f"Demo catalog: {len(demo.DEMO_CATEGORIES)} categories, {len(demo.DEMO_BRANDS)} brands, "
            f"{len(demo.DEMO_PRODUCTS)} products ({created} new), {len(demo.demo_variant_ids())} variants, "
            f"{pictured} new images."
        )

    def _categories(self) -> dict[str, Category]:
        categories: dict[str, Category] = {}
        for slug, name, parent_slug, description in demo.DEMO_CATEGORIES:
            fields = {"name": name, "parent": categories.get(parent_slug), "description": description}
            existing = Category.objects.filter(slug=slug).first()
            if existing is None:
                categories[slug] = category_create(slug=slug, **fields)
            else:
                categories[slug] = category_update(category=existing, data=fields)
        return categories

    def _product(self, demo_product: dict, categories, brands, types) -> bool:
        """Creates or brings up to date one demo product; ``True`` when it was new."""
        fields = {
            "slug": demo_product["slug"],
            "name": demo_product["name"],
            "category": categories[demo_product["category"]],
            "brand": brands.get(demo_product.get("brand")),
            "product_type": types.get(demo_product.get("product_type")),
            "currency": DEFAULT_CURRENCY,
            "description": demo_product["description"],
            "is_active": True,
        }
        variants = demo_product.get("variants")
        product_id = demo.demo_product_id(demo_product["slug"] if variants else demo_product["sku"])
        existing = Product.objects.filter(pk=product_id).first()
        if existing is None:
            if variants:
                product_create(
                    id=product_id,
                    variants=[{**variant, "id": demo.demo_product_id(variant["sku"])} for variant in variants],
                    **fields,
                )
            else:
                product_create(id=product_id, sku=demo_product["sku"], price=Decimal(demo_product["price"]), **fields)
            return True
        if any(getattr(existing, name) != value for name, value in fields.items()):
            product_update(product=existing, data=fields)
        for variant in existing.variants.all():
            wanted = next((v for v in variants or [] if v["sku"] == variant.sku), None)
            price = Decimal(wanted["price"] if wanted else demo_product.get("price", variant.price))
            if variant.price != price:
                variant_update(variant=variant, data={"price": price})
        return False

    def _images(self) -> int:
        """One picture per demo product without any, drawn here with Pillow (nothing downloaded)."""
        added = 0
        for product in Product.objects.filter(images__isnull=True, pk__in=self._demo_ids()):
            add_image = partial(images.product_image_add, product=product, alt=product.name)
            add_image(file=ContentFile(demo_picture(product.name), name=f"{product.slug}.png"))
            added += 1
        return added

    def _demo_ids(self) -> list:
        return [demo.demo_product_id(p["slug"] if "variants" in p else p["sku"]) for p in demo.DEMO_PRODUCTS]


def demo_picture(name: str, size: int = 800) -> bytes:
    """A square PNG in a colour of the name's own, with the name written on it."""
    hue = zlib.crc32(name.encode()) % 360
    image = Image.new("RGB", (size, size), ImageColor.getrgb(f"hsl({hue}, 55%, 60%)"))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=size // 14)
    draw.multiline_text(
        (size // 2, size // 2), name.replace(" ", "\n", 2), fill="white", font=font, anchor="mm", align="center"
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
