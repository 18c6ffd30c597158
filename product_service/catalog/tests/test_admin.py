from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from catalog.models import Category, Product
from catalog.services import product_update
from catalog.tests.factories import CategoryFactory, ProductFactory

ADMIN = "/admin/products/catalog"


@pytest.fixture
def admin_client_logged_in(client):
    admin = get_user_model().objects.create_superuser(username="admin", email="admin@example.com", password=None)
    client.force_login(admin)
    return client


@pytest.mark.parametrize("page", ["product/", "product/add/", "category/", "category/add/"])
def test_admin_pages_load(admin_client_logged_in, page):
    CategoryFactory()
    ProductFactory()

    response = admin_client_logged_in.get(f"{ADMIN}/{page}", {"q": "product"} if page == "product/" else {})

    assert response.status_code == 200


def test_admin_product_change_retires_cached_responses(
    admin_client_logged_in, api_client, settings, django_capture_on_commit_callbacks
):
    # given: a cached detail
    settings.CATALOG_CACHE_ENABLED = True
    product = ProductFactory(sku="K-1", name="Kettle", slug="kettle", price=Decimal("9.00"))
    url = f"/api/products/{product.id}/"
    assert api_client.get(url).json()["price"] == "9.00"

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_logged_in.post(
            f"{ADMIN}/product/{product.id}/change/",
            {
                "sku": "K-1",
                "name": "Kettle",
                "slug": "kettle",
                "category": "",
                "is_active": "on",
                "price": "11.50",
                "currency": "USD",
                "description": "",
            },
        )

    # then
    assert response.status_code == 302
    assert Product.objects.get(id=product.id).price == Decimal("11.50")
    assert api_client.get(url).json()["price"] == "11.50"


def test_admin_refuses_a_category_cycle(admin_client_logged_in):
    top = CategoryFactory(name="Top", slug="top")
    bottom = CategoryFactory(name="Bottom", slug="bottom", parent=top)

    response = admin_client_logged_in.post(
        f"{ADMIN}/category/{top.id}/change/",
        {"name": "Top", "slug": "top", "parent": str(bottom.id), "description": ""},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"parent": ["A category cannot be its own ancestor."]}
    assert Category.objects.get(id=top.id).parent is None


def test_an_admin_form_opened_before_someone_else_saved_is_refused_not_applied(admin_client_logged_in):
    # given: staff A opened the product's page; then staff B changed its price
    product = ProductFactory(name="Lamp", price=Decimal("10.00"), sku="LAMP-1")
    opened = admin_client_logged_in.get(f"{ADMIN}/product/{product.pk}/change/")
    version = opened.context["adminform"].form["version"].value()
    product_update(product=Product.objects.get(pk=product.pk), data={"price": Decimal("12.00")})

    # when: A saves a new name with the page's (now stale) price
    response = admin_client_logged_in.post(
        f"{ADMIN}/product/{product.pk}/change/",
        {"version": version, "sku": "LAMP-1", "name": "Desk lamp", "slug": product.slug, "is_active": "on",
         "price": "10.00", "currency": "USD", "description": ""},
    )  # fmt: skip

    # then: nothing of A's is saved, and A is told why
    assert response.status_code == 200
    assert "changed by someone else since you opened it" in response.content.decode()
    product.refresh_from_db()
    assert (product.name, product.price) == ("Lamp", Decimal("12.00"))
