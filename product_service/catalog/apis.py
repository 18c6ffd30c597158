"""HTTP interface of the catalog: viewsets whose actions call selectors and services."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import status
from rest_framework.response import Response

from catalog import cache, selectors, services
from catalog.filters import ProductFilter, StableOrderingFilter
from catalog.models import Category
from catalog.serializers import (
    CategoryInputSerializer,
    CategoryOutputSerializer,
    ProductInputSerializer,
    ProductOutputSerializer,
)
from ecom_common.apis import ApiViewSet
from ecom_common.permissions import IsStaffOrReadOnly, is_staff


@extend_schema_view(
    list=extend_schema(summary="List products (active ones unless staff)"),
    retrieve=extend_schema(summary="A product"),
    create=extend_schema(summary="Create a product (staff)"),
    update=extend_schema(summary="Replace a product (staff)"),
    partial_update=extend_schema(summary="Update a product (staff)"),
    destroy=extend_schema(summary="Delete a product (staff)"),
)
@extend_validation_errors(["unique"], field_name="slug", actions=["create", "update", "partial_update"])
class ProductViewSet(ApiViewSet):
    input_serializer_class = ProductInputSerializer
    output_serializer_class = ProductOutputSerializer
    permission_classes = [IsStaffOrReadOnly]
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = ProductFilter
    ordering_fields = ["price", "name", "created_at"]

    def get_queryset(self):
        return selectors.product_list(include_inactive=is_staff(self.request.user))

    def list(self, request):
        if not cache.catalog_cache_applies(request=request):
            return self.respond_page(self.get_queryset())
        data = cache.cached_data(
            key=lambda: cache.product_list_cache_key(request=request),
            build=lambda: self.respond_page(self.get_queryset()).data,
        )
        return Response(data)

    def retrieve(self, request, pk=None):
        if not cache.catalog_cache_applies(request=request):
            return self.respond(self.get_object())
        data = cache.cached_data(
            key=lambda: cache.product_detail_cache_key(product_id=pk),
            build=lambda: self.respond(self.get_object()).data,
        )
        return Response(data)

    def create(self, request):
        product = services.product_create(**self.read_input())
        return self.respond(product, status_code=status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        product = self.get_object()
        return self.respond(services.product_update(product=product, data=self.read_input(instance=product)))

    def partial_update(self, request, pk=None):
        product = self.get_object()
        data = self.read_input(instance=product, partial=True)
        return self.respond(services.product_update(product=product, data=data))

    def destroy(self, request, pk=None):
        services.product_delete(product=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="The category tree: root categories with their children, recursively"),
    retrieve=extend_schema(summary="A category with its sub-tree"),
    create=extend_schema(summary="Create a category (staff)"),
    update=extend_schema(summary="Replace a category (staff)"),
    partial_update=extend_schema(summary="Update a category (staff)"),
    destroy=extend_schema(summary="Delete a category without products or sub-categories (staff)"),
)
@extend_validation_errors(["unique"], field_name="slug", actions=["create", "update", "partial_update"])
@extend_validation_errors(["category_cycle"], field_name="parent", actions=["update", "partial_update"])
class CategoryViewSet(ApiViewSet):
    input_serializer_class = CategoryInputSerializer
    output_serializer_class = CategoryOutputSerializer
    permission_classes = [IsStaffOrReadOnly]
    lookup_field = "slug"
    filter_backends = []

    def get_queryset(self):
        return Category.objects.select_related("parent")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request is not None and self.request.method == "GET":
            # The whole tree in one map, so nesting costs no query per node.
            context["children_map"] = selectors.category_children_map()
        return context

    def list(self, request):
        return self.respond_page(selectors.category_root_list())

    def retrieve(self, request, slug=None):
        return self.respond(self.get_object())

    def create(self, request):
        category = services.category_create(**self.read_input())
        return self.respond(category, status_code=status.HTTP_201_CREATED)

    def update(self, request, slug=None):
        category = self.get_object()
        return self.respond(services.category_update(category=category, data=self.read_input(instance=category)))

    def partial_update(self, request, slug=None):
        category = self.get_object()
        data = self.read_input(instance=category, partial=True)
        return self.respond(services.category_update(category=category, data=data))

    def destroy(self, request, slug=None):
        services.category_delete(category=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
