import pytest

from catalog.models import Category
from catalog.tests.factories import CategoryFactory, ProductFactory

CATEGORIES_URL = "/api/categories/"


def detail_url(slug: str) -> str:
    return f"{CATEGORIES_URL}{slug}/"


def test_list_is_the_tree_of_root_categories(api_client):
    # given
    electronics = CategoryFactory(name="Electronics", slug="electronics", description="Gadgets.")
    laptops = CategoryFactory(name="Laptops", slug="laptops", parent=electronics)
    gaming = CategoryFactory(name="Gaming", slug="gaming", parent=laptops)
    phones = CategoryFactory(name="Phones", slug="phones", parent=electronics)
    books = CategoryFactory(name="Books", slug="books")

    # when
    response = api_client.get(CATEGORIES_URL)

    # then
    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {"id": str(books.id), "name": "Books", "slug": "books", "description": "", "parent": None, "children": []},
            {
                "id": str(electronics.id),
                "name": "Electronics",
                "slug": "electronics",
                "description": "Gadgets.",
                "parent": None,
                "children": [
                    {
                        "id": str(laptops.id),
                        "name": "Laptops",
                        "slug": "laptops",
                        "description": "",
                        "parent": "electronics",
                        "children": [
                            {
                                "id": str(gaming.id),
                                "name": "Gaming",
                                "slug": "gaming",
                                "description": "",
                                "parent": "laptops",
                                "children": [],
                            }
                        ],
                    },
                    {
                        "id": str(phones.id),
                        "name": "Phones",
                        "slug": "phones",
                        "description": "",
                        "parent": "electronics",
                        "children": [],
                    },
                ],
            },
        ],
    }


def test_tree_costs_a_fixed_number_of_queries(api_client, django_assert_max_num_queries):
    # given: a deep tree
    parent = None
    for depth in range(6):
        parent = CategoryFactory(slug=f"level-{depth}", parent=parent)

    # when / then: count, page, whole tree in one
    with django_assert_max_num_queries(3):
        api_client.get(CATEGORIES_URL)


def test_detail_is_found_by_slug_with_its_subtree(api_client):
    electronics = CategoryFactory(name="Electronics", slug="electronics")
    CategoryFactory(name="Laptops", slug="laptops", parent=electronics)

    response = api_client.get(detail_url("electronics"))

    assert response.status_code == 200
    assert response.json()["slug"] == "electronics"
    assert [child["slug"] for child in response.json()["children"]] == ["laptops"]


def test_unknown_category_is_404(api_client):
    assert api_client.get(detail_url("nope")).status_code == 404


def write_requests() -> dict[str, tuple[str, str, dict]]:
    return {
        "POST": ("post", CATEGORIES_URL, {"name": "Garden"}),
        "PUT": ("put", detail_url("books"), {"name": "Books", "slug": "books", "description": "Printed."}),
        "PATCH": ("patch", detail_url("books"), {"description": "Printed."}),
        "DELETE": ("delete", detail_url("books"), {}),
    }


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(("client_fixture", "expected_status"), [("api_client", 401), ("customer_client", 403)])
def test_only_staff_may_write_categories(request, method, client_fixture, expected_status):
    # given
    client = request.getfixturevalue(client_fixture)
    CategoryFactory(name="Books", slug="books")
    verb, url, body = write_requests()[method]

    # when
    response = getattr(client, verb)(url, body)

    # then
    assert response.status_code == expected_status
    assert list(Category.objects.values_list("slug", "description")) == [("books", "")]


@pytest.mark.parametrize(("method", "expected_status"), [("POST", 201), ("PUT", 200), ("PATCH", 200), ("DELETE", 204)])
def test_staff_may_write_categories(staff_client, method, expected_status):
    CategoryFactory(name="Books", slug="books")
    verb, url, body = write_requests()[method]

    response = getattr(staff_client, verb)(url, body)

    assert response.status_code == expected_status


def test_staff_create_category_under_a_parent_generates_the_slug(staff_client):
    CategoryFactory(slug="electronics")

    response = staff_client.post(CATEGORIES_URL, {"name": "Smart Watches", "parent": "electronics"})

    assert response.status_code == 201
    assert response.json()["slug"] == "smart-watches"
    assert response.json()["parent"] == "electronics"
    assert response.json()["children"] == []
    assert Category.objects.get(slug="smart-watches").parent.slug == "electronics"


@pytest.mark.parametrize("parent", ["top", "middle", "bottom"])
def test_category_cannot_become_its_own_ancestor(staff_client, parent):
    # given: top > middle > bottom
    top = CategoryFactory(slug="top")
    middle = CategoryFactory(slug="middle", parent=top)
    CategoryFactory(slug="bottom", parent=middle)

    # when
    response = staff_client.patch(detail_url("top"), {"parent": parent})

    # then
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": "category_cycle", "detail": "A category cannot be its own ancestor.", "attr": "parent"}],
    }
    top.refresh_from_db()
    assert top.parent is None


def test_category_can_move_under_a_sibling(staff_client):
    top = CategoryFactory(slug="top")
    CategoryFactory(slug="left", parent=top)
    CategoryFactory(slug="right", parent=top)

    response = staff_client.patch(detail_url("right"), {"parent": "left"})

    assert response.status_code == 200
    assert Category.objects.get(slug="right").parent.slug == "left"


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({"parent": "no-such-category"}, "parent", "does_not_exist"),
        ({"slug": "books"}, "slug", "unique"),
        ({"slug": "not a slug"}, "slug", "invalid"),
        ({"name": ""}, "name", "blank"),
    ],
)
def test_invalid_category_is_400_with_the_field_named(staff_client, body, attr, code):
    CategoryFactory(slug="books")

    response = staff_client.post(CATEGORIES_URL, {"name": "Garden", **body})

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert [(error["attr"], error["code"]) for error in response.json()["errors"]] == [(attr, code)]


def test_deleting_a_category_with_products_is_409(staff_client):
    books = CategoryFactory(slug="books")
    ProductFactory(category=books)

    response = staff_client.delete(detail_url("books"))

    assert response.status_code == 409
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "conflict",
                "detail": "This category still has products or sub-categories; move or delete them first.",
                "attr": None,
            }
        ],
    }
    assert Category.objects.filter(slug="books").exists()


def test_deleting_a_category_with_sub_categories_is_409(staff_client):
    CategoryFactory(slug="child", parent=CategoryFactory(slug="parent"))

    response = staff_client.delete(detail_url("parent"))

    assert response.status_code == 409
    assert Category.objects.filter(slug="parent").exists()
