"""Reads of the catalog."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from catalog.models import Category, Product


def product_list(*, include_inactive: bool = False) -> QuerySet[Product]:
    """Products a caller may see: only active ones unless ``include_inactive`` (staff)."""
    products = Product.objects.select_related("category").order_by("name", "id")
    return products if include_inactive else products.filter(is_active=True)


def product_search(*, products: QuerySet[Product], query: str) -> QuerySet[Product]:
    """``products`` matching ``query`` in name, description or SKU.

    PostgreSQL: ranked full-text search (name and SKU weigh more than the description), OR-ed
    with an exact SKU and a name substring so a partial word still hits. Elsewhere: substrings.
    """
    query = query.strip()
    if not query:
        return products
    if connection.vendor != "postgresql":
        return products.filter(Q(name__icontains=query) | Q(description__icontains=query) | Q(sku__icontains=query))
    vector = (
        SearchVector("name", weight="A", config="english")
        + SearchVector("sku", weight="A", config="simple")
        + SearchVector("description", weight="B", config="english")
    )
    search_query = SearchQuery(query, search_type="websearch", config="english")
    return (
        products.annotate(search_vector=vector, search_rank=SearchRank(vector, search_query))
        .filter(Q(search_vector=search_query) | Q(sku__iexact=query) | Q(name__icontains=query))
        .order_by("-search_rank", "name", "id")
    )


def category_get(*, slug: str) -> Category | None:
    return Category.objects.filter(slug=slug).first()


def category_descendant_ids(*, category: Category) -> set:
    """The ids of ``category`` and every category below it (one query per tree level)."""
    found = {category.id}
    frontier = [category.id]
    while frontier:
        frontier = [
            child_id
            for child_id in Category.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
            if child_id not in found
        ]
        found.update(frontier)
    return found


def product_list_in_category(*, products: QuerySet[Product], category_slug: str) -> QuerySet[Product]:
    """``products`` filed under the category ``category_slug`` or any of its descendants."""
    category = category_get(slug=category_slug)
    if category is None:
        return products.none()
    return products.filter(category_id__in=category_descendant_ids(category=category))


def category_root_list() -> QuerySet[Category]:
    return Category.objects.filter(parent__isnull=True).order_by("name", "id")


def category_children_map() -> dict:
    """Every category grouped by parent id, in name order: the whole tree from one query."""
    children: dict = {}
    for category in Category.objects.select_related("parent").order_by("name", "id"):
        children.setdefault(category.parent_id, []).append(category)
    return children
