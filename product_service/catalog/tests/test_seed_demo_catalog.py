from io import StringIO

from django.core.management import call_command

from catalog.models import Category, Product


def test_seed_is_idempotent():
    # given
    first_output = StringIO()
    call_command("seed_demo_catalog", stdout=first_output)
    counts = (Category.objects.count(), Product.objects.count())

    # when
    second_output = StringIO()
    call_command("seed_demo_catalog", stdout=second_output)

    # then
    assert counts == (5, 12)
    assert (Category.objects.count(), Product.objects.count()) == counts
    assert first_output.getvalue() == "Demo catalog: 5 categories (5 new), 12 products (12 new).\n"
    assert second_output.getvalue() == "Demo catalog: 5 categories (0 new), 12 products (0 new).\n"


def test_seed_builds_the_category_tree():
    call_command("seed_demo_catalog", stdout=StringIO())

    assert sorted(Category.objects.filter(parent__slug="electronics").values_list("slug", flat=True)) == [
        "laptops",
        "phones",
    ]
    assert Product.objects.filter(category__slug="laptops").count() == 3
