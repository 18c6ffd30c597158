"""Reads of the catalog."""

import re
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from catalog.models import AttributeValue, Brand, Category, Product, ProductVariant, Review, product_search_vector


def product_list(*, include_inactive: bool = False) -> QuerySet[Product]:
    """Products a caller may see: only active ones unless ``include_inactive`` (staff), with
    what their responses show (category, brand, type, variants and their values) prefetched."""
    products = (
        Product.objects.select_related("category", "brand", "product_type")
        .prefetch_related(
            "images",
            Prefetch(
                "variants",
                queryset=ProductVariant.objects.prefetch_related(
                    Prefetch("attribute_values", queryset=AttributeValue.objects.select_related("attribute"))
                ),
            ),
        )
        .order_by("name", "id")
    )
    return products if include_inactive else products.filter(is_active=True)


def variant_list(*, product: Product) -> QuerySet[ProductVariant]:
    return (
        ProductVariant.objects.filter(product=product)
        .select_related("product")
        .prefetch_related(Prefetch("attribute_values", queryset=AttributeValue.objects.select_related("attribute")))
    )


def _variants_of_product(**conditions) -> Exists:
    return Exists(ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True, **conditions))


def _as_typed(query: str) -> SearchQuery | None:
    """``query`` as someone still typing it: its last word (three characters or more, at its very
    end) as the beginning of a word, after the rest in web search syntax ("steel kett" finds
    "Steel Kettle"). None when it does not end with such a word. The word is letters and digits
    only, so no input is a tsquery syntax error."""
    match = re.search(r"\w{3,}$", query)
    if match is None:
        return None
    beginning = SearchQuery(f"{match[0]}:*", search_type="raw", config="english")
    rest = query[: match.start()].strip()
    return SearchQuery(rest, search_type="websearch", config="english") & beginning if rest else beginning


def product_search(*, products: QuerySet[Product], query: str) -> QuerySet[Product]:
    """``products`` matching ``query`` in name, description or any variant's SKU.

    PostgreSQL: ranked full-text search of the name (weighing more) and the description, in web
    search syntax ("laptop OR tea", stemmed: "planets" finds "planet"), or as typed so far, its last
    word the beginning of a word ("steel kett"); or an active variant whose SKU begins with
    ``query``, whatever its case. Each is read from an index (the GIN index of the words, the
    SKU's prefix index): the matches are one union of ids, since an OR of the conditions themselves
    would compute every product's words on every search (seconds at 100 000 products).
    Elsewhere (the embedded SQLite): substrings.
    """
    query = query.strip()
    if not query:
        return products
    if connection.vendor != "postgresql":
        sku_hits = ProductVariant.objects.filter(is_active=True, sku__icontains=query).values("product_id")
        return products.filter(Q(name__icontains=query) | Q(description__icontains=query) | Q(pk__in=sku_hits))
    search_query = SearchQuery(query, search_type="websearch", config="english")
    if as_typed := _as_typed(query):
        search_query |= as_typed
    text_hits = Product.objects.annotate(words=product_search_vector()).filter(words=search_query)
    sku_hits = ProductVariant.objects.filter(is_active=True, sku__istartswith=query)
    hits = text_hits.order_by().values("pk").union(sku_hits.order_by().values("product_id"))
    return (
        products.filter(pk__in=hits)
        .annotate(search_rank=SearchRank(product_search_vector(), search_query))
        .order_by("-search_rank", "name", "id")
    )


def product_list_by_brands(*, products: QuerySet[Product], brand_slugs: list[str]) -> QuerySet[Product]:
    return products.filter(brand__slug__in=brand_slugs)


def product_list_by_price(
    *, products: QuerySet[Product], minimum: Decimal | None, maximum: Decimal | None
) -> QuerySet[Product]:
    """Products with an active variant priced within [minimum, maximum]."""
    conditions = {}
    if minimum is not None:
        conditions["price__gte"] = minimum
    if maximum is not None:
        conditions["price__lte"] = maximum
    return products.filter(_variants_of_product(**conditions)) if conditions else products


def product_list_by_attributes(*, products: QuerySet[Product], wanted: dict[str, list[str]]) -> QuerySet[Product]:
    """Products with an active variant that has, for every attribute in ``wanted``, one of the
    values given (``{"color": ["red", "blue"], "size": ["m"]}``: red or blue, and M, on one variant)."""
    variants = ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True)
    for attribute_slug, value_slugs in wanted.items():
        variants = variants.filter(
            Exists(
                ProductVariant.attribute_values.through.objects.filter(
                    productvariant_id=OuterRef("pk"),
                    attributevalue__attribute__slug=attribute_slug,
                    attributevalue__slug__in=value_slugs,
                )
            )
        )
    return products.filter(Exists(variants))


def product_facets(*, products: QuerySet[Product]) -> dict:
    """How many of ``products`` (the list's current filter) have each brand and each attribute
    value (on an active variant): two grouped queries, whatever the catalog's size."""
    ids = products.order_by().values("pk")
    brands = (
        Brand.objects.filter(products__in=ids)
        .annotate(count=Count("products", distinct=True))
        .order_by("name")
        .values("slug", "name", "count")
    )
    values = (
        AttributeValue.objects.filter(variants__product__in=ids, variants__is_active=True)
        .annotate(count=Count("variants__product", distinct=True))
        .order_by("attribute__name", "position", "value")
        .values("attribute__slug", "attribute__name", "slug", "value", "count")
    )
    attributes: dict[str, dict] = {}
    for row in values:
        attribute = attributes.setdefault(
            row["attribute__slug"], {"slug": row["attribute__slug"], "name": row["attribute__name"], "values": []}
        )
        attribute["values"].append({"slug": row["slug"], "value": row["value"], "count": row["count"]})
    return {"brands": list(brands), "attributes": list(attributes.values())}


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


def review_list(*, product: Product) -> QuerySet[Review]:
    """The product's reviews customers see: the visible ones, newest first."""
    return Review.objects.filter(product=product, is_visible=True).order_by("-created_at", "id")
