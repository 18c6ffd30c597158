"""Query parameters of the product list; the work itself is done by selectors."""

import re

import django_filters
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from catalog import selectors
from catalog.models import Product
from ecom_common.permissions import is_staff

ATTRIBUTE_FILTER = re.compile(r"^(?P<attribute>[-a-zA-Z0-9_]+):(?P<values>[-a-zA-Z0-9_,]+)$")


class ProductFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        label=(
            'Words of the name or description (web search syntax: "a OR b", "-word", quotes; stemmed), '
            'the last one possibly unfinished ("steel kett"), or the beginning of a variant\'s SKU; '
            "best matches first"
        ),
    )
    category = django_filters.CharFilter(
        method="filter_category", label="Category slug; products of its sub-categories are included"
    )
    brand = django_filters.CharFilter(method="filter_brand", label="Brand slug; several separated by commas (any of)")
    attr = django_filters.CharFilter(
        method="filter_attributes",
        label=(
            "attribute:value (slugs), e.g. color:red; repeat it for more attributes (all must match, on one variant) "
            "and separate values by commas for any of them: color:red,blue"
        ),
    )
    min_price = django_filters.NumberFilter(
        method="filter_price", min_value=0, label="An active variant costs at least this"
    )
    max_price = django_filters.NumberFilter(
        method="filter_price", min_value=0, label="An active variant costs at most this"
    )
    variant = django_filters.UUIDFilter(field_name="variants__id", label="The product that has this variant id")
    is_active = django_filters.BooleanFilter(method="filter_is_active", label="Staff only")
    facets = django_filters.BooleanFilter(
        method="filter_nothing",
        label="true: the response adds facet counts (brands, attribute values) for this filter",
    )

    class Meta:
        model = Product
        fields = ["search", "category", "brand", "attr", "min_price", "max_price", "variant", "is_active", "facets"]

    def filter_search(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return selectors.product_search(products=queryset, query=value)

    def filter_category(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return selectors.product_list_in_category(products=queryset, category_slug=value)

    def filter_brand(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return selectors.product_list_by_brands(products=queryset, brand_slugs=[s for s in value.split(",") if s])

    def filter_attributes(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        wanted: dict[str, list[str]] = {}
        for given in self.request.query_params.getlist("attr") if self.request else [value]:
            match = ATTRIBUTE_FILTER.match(given.strip())
            if match is None:
                raise ValidationError(
                    {"attr": [f"{given!r} is not attribute:value (slugs, values separated by commas)."]},
                    code="invalid",
                )
            values = [v for v in match["values"].lower().split(",") if v]
            wanted.setdefault(match["attribute"].lower(), []).extend(values)
        return selectors.product_list_by_attributes(products=queryset, wanted=wanted)

    def filter_price(self, queryset: QuerySet[Product], name: str, value) -> QuerySet[Product]:
        if name == "max_price" and self.form.cleaned_data.get("min_price") is not None:
            return queryset  # already applied with the minimum, on the same variant
        return selectors.product_list_by_price(
            products=queryset,
            minimum=self.form.cleaned_data.get("min_price"),
            maximum=self.form.cleaned_data.get("max_price"),
        )

    def filter_is_active(self, queryset: QuerySet[Product], name: str, value: bool) -> QuerySet[Product]:
        if not is_staff(getattr(self.request, "user", None)):
            return queryset  # everyone else only ever sees active products
        return queryset.filter(is_active=value)

    def filter_nothing(self, queryset: QuerySet[Product], name: str, value) -> QuerySet[Product]:
        return queryset  # read by the view


class StableOrderingFilter(OrderingFilter):
    """``?ordering=``, with the id as the last tie-breaker so pages never overlap.

    Without ``?ordering=`` the queryset keeps its own order: by name, or by rank when searching.
    """

    ordering_description = (
        "price, name or created_at; a leading - for descending (-price). "
        "Without it: by name, or best match first when searching"
    )

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if not params:
            return None
        ordering = super().get_ordering(request, queryset, view)
        return [*ordering, "id"] if ordering else None
