import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.models import Category, Product, ProductImage
from catalog.services import product_update
from catalog.tests.factories import AttributeFactory, AttributeValueFactory, CategoryFactory, ProductFactory
from ecom_common.testing.events import published_data

ADMIN = "/admin/products/catalog"


def _variants_form(*variants, initial: int | None = None) -> dict:
    """The variant inline's POST fields: ``variants`` are dicts of a variant's fields (with its
    ``id`` when it exists)."""
    data = {
        "variants-TOTAL_FORMS": str(len(variants)),
        "variants-INITIAL_FORMS": str(sum(1 for v in variants if v.get("id")) if initial is None else initial),
        "variants-MIN_NUM_FORMS": "1",
        "variants-MAX_NUM_FORMS": "1000",
        # The images inline, left empty.
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
    }
    for index, variant in enumerate(variants):
        for field, value in variant.items():
            if field == "attribute_values":
                data[f"variants-{index}-{field}"] = [str(v) for v in value]
            elif value is True:
                data[f"variants-{index}-{field}"] = "on"
            elif value is not False:
                data[f"variants-{index}-{field}"] = str(value)
    return data


@pytest.mark.parametrize(
    "page",
    ["product/", "product/add/", "category/", "category/add/", "brand/", "attribute/add/", "producttype/add/"],
)
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
    variant = product.variants.get()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_logged_in.post(
            f"{ADMIN}/product/{product.id}/change/",
            {
                "name": "Kettle",
                "slug": "kettle",
                "category": "",
                "is_active": "on",
                "currency": "USD",
                "description": "",
                **_variants_form(
                    {
                        "id": variant.id,
                        "product": product.id,
                        "sku": "K-1",
                        "price": "11.50",
                        "is_active": True,
                        "position": 0,
                    }
                ),
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
    variant = product.variants.get()
    product_update(product=Product.objects.get(pk=product.pk), data={"price": Decimal("12.00")})

    # when: A saves a new name with the page's (now stale) price
    response = admin_client_logged_in.post(
        f"{ADMIN}/product/{product.pk}/change/",
        {"version": version, "name": "Desk lamp", "slug": product.slug, "is_active": "on", "currency": "USD",
         "description": "",
         **_variants_form({"id": variant.id, "product": product.id, "sku": "LAMP-1", "price": "10.00", "is_active": True, "position": 0})},
    )  # fmt: skip

    # then: nothing of A's is saved, and A is told why
    assert response.status_code == 200
    assert "changed by someone else since you opened it" in response.content.decode()
    product.refresh_from_db()
    assert (product.name, product.price) == ("Lamp", Decimal("12.00"))


def test_admin_adds_a_product_with_two_variants_and_announces_both(
    admin_client_logged_in, django_capture_on_commit_callbacks
):
    size = AttributeFactory(name="Size", slug="size")
    small, large = AttributeValueFactory(attribute=size, value="S"), AttributeValueFactory(attribute=size, value="L")

    response = admin_client_logged_in.post(
        f"{ADMIN}/product/add/",
        {
            "name": "Tee",
            "slug": "tee",
            "is_active": "on",
            "currency": "USD",
            "description": "",
            **_variants_form(
                {"sku": "TEE-S", "price": "15.00", "attribute_values": [small.pk], "is_active": True, "position": 0},
                {"sku": "TEE-L", "price": "17.00", "attribute_values": [large.pk], "is_active": True, "position": 1},
            ),
        },
    )

    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    product = Product.objects.get(slug="tee")
    assert product.price == Decimal("15.00")
    [created] = published_data("product.created")
    assert [(v["sku"], v["price"], v["attributes"]) for v in created["variants"]] == [
        ("TEE-S", "15.00", {"size": "S"}),
        ("TEE-L", "17.00", {"size": "L"}),
    ]


def test_admin_refuses_two_variants_with_the_same_attribute_values(admin_client_logged_in):
    small = AttributeValueFactory(attribute=AttributeFactory(name="Size", slug="size"), value="S")

    response = admin_client_logged_in.post(
        f"{ADMIN}/product/add/",
        {
            "name": "Tee",
            "slug": "tee",
            "is_active": "on",
            "currency": "USD",
            "description": "",
            **_variants_form(
                {"sku": "TEE-1", "price": "15.00", "attribute_values": [small.pk], "is_active": True, "position": 0},
                {"sku": "TEE-2", "price": "15.00", "attribute_values": [small.pk], "is_active": True, "position": 1},
            ),
        },
    )

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert errors[1] == {"attribute_values": ["Variant TEE-1 already has these attribute values."]}
    assert not Product.objects.exists()


def test_admin_refuses_a_text_file_as_an_image_and_stores_nothing(admin_client_logged_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = ProductFactory(name="Lamp", sku="LAMP-9")
    variant = product.variants.get()
    opened = admin_client_logged_in.get(f"{ADMIN}/product/{product.pk}/change/")
    form = {
        "version": opened.context["adminform"].form["version"].value(),
        "name": "Lamp",
        "slug": product.slug,
        "is_active": "on",
        "currency": "USD",
        "description": "",
        **_variants_form(
            {
                "id": variant.id,
                "product": product.id,
                "sku": "LAMP-9",
                "price": "10.00",
                "is_active": True,
                "position": 0,
            }
        ),
        "images-TOTAL_FORMS": "1",
        "images-0-file": SimpleUploadedFile("lamp.png", b"not an image at all", content_type="image/png"),
        "images-0-alt": "Lamp",
        "images-0-position": "0",
    }

    response = admin_client_logged_in.post(f"{ADMIN}/product/{product.pk}/change/", form)

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][1].formset.errors
    assert errors == [
        {"file": ["Upload a valid image. The file you uploaded was either not an image or a corrupted image."]}
    ]
    assert not ProductImage.objects.exists()
    assert list(tmp_path.rglob("*.*")) == []


def test_staff_give_a_brand_a_logo_in_the_admin_and_the_api_shows_it(
    admin_client_logged_in, api_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), (0, 0, 0)).save(buffer, format="PNG")
    logo = SimpleUploadedFile("acme.png", buffer.getvalue(), content_type="image/png")

    response = admin_client_logged_in.post(
        f"{ADMIN}/brand/add/", {"name": "Acme", "slug": "acme", "description": "", "logo": logo}
    )

    assert response.status_code == 302
    shown = api_client.get("/api/brands/acme/").json()["logo"]
    assert shown.startswith("/media/brands/") and shown.endswith(".png")
    assert (tmp_path / shown.removeprefix("/media/")).read_bytes() == buffer.getvalue()
