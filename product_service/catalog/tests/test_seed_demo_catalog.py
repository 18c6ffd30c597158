from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from catalog.models import Category, Product, ProductImage, ProductVariant


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_seed_is_idempotent():
    # given
    first_output = StringIO()
    call_command("seed_demo_catalog", stdout=first_output)
    counts = (Category.objects.count(), Product.objects.count(), ProductVariant.objects.count())

    # when
    second_output = StringIO()
    call_command("seed_demo_catalog", stdout=second_output)

    # then
    assert counts == (6, 14, 28)
    assert (Category.objects.count(), Product.objects.count(), ProductVariant.objects.count()) == counts
    assert first_output.getvalue() == (
        "Demo catalog: 6 categories, 3 brands, 14 products (14 new), 28 variants, 14 new images.\n"
    )
    assert second_output.getvalue() == (
        "Demo catalog: 6 categories, 3 brands, 14 products (0 new), 28 variants, 0 new images.\n"
    )


def test_seed_makes_a_t_shirt_in_every_size_and_colour():
    call_command("seed_demo_catalog", stdout=StringIO())

    tee = Product.objects.get(slug="northwind-organic-tee")
    combinations = {variant.attributes_key for variant in tee.variants.all()}
    assert len(combinations) == 12
    assert "color=forest-green;size=xl" in combinations
    assert (tee.brand.slug, tee.product_type.slug, tee.price) == ("northwind", "t-shirt", Decimal("24.00"))


def test_seed_builds_the_category_tree():
    call_command("seed_demo_catalog", stdout=StringIO())

    assert sorted(Category.objects.filter(parent__slug="electronics").values_list("slug", flat=True)) == [
        "laptops",
        "phones",
    ]
    assert Product.objects.filter(category__slug="laptops").count() == 3


def test_seed_draws_a_picture_of_every_product():
    call_command("seed_demo_catalog", stdout=StringIO())

    pictures = ProductImage.objects.select_related("product")
    assert pictures.count() == Product.objects.count() == 14
    assert {(p.format, p.width, p.height) for p in pictures} == {("PNG", 800, 800)}
    assert all(p.alt == p.product.name for p in pictures)
