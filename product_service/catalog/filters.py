"""Query parameters of the product list; the work itself is done by selectors."""

import django_filters
from django.db.models import QuerySet
from rest_framework.filters import OrderingFilter

from catalog import selectors
from catalog.models import Product
from ecom_common.permissions import is_staff


class ProductFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="Search in name, description and SKU")
    category = django_filters.CharFilter(
        method="filter_category", label="Category slug; products of its sub-categories are included"
    )
    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte", min_value=0)
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte", min_value=0)
    is_active = django_filters.BooleanFilter(method="filter_is_active", label="Staff only")

    class Meta:
        model = Product
        fields = ["search", "category", "min_price", "max_price", "is_active"]

    def filter_search(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return selectors.product_search(products=queryset, query=value)

    def filter_category(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return selectors.product_list_in_category(products=queryset, category_slug=value)

    def filter_is_active(self, queryset: QuerySet[Product], name: str, value: bool) -> QuerySet[Product]:
        if not is_staff(getattr(self.request, "user", None)):
            return queryset  # everyone else only ever sees active products
        return queryset.filter(is_active=value)


class StableOrderingFilter(OrderingFilter):
    """``?ordering=``, with the id as the last tie-breaker so pages never overlap.

    Without ``?ordering=`` the queryset keeps its own order: by name, or by rank when searching.
    """

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if not params:
            return None
        ordering = super().get_ordering(request, queryset, view)
        return [*ordering, "id"] if ordering else None
