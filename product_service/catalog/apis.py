"""HTTP interface of the catalog: thin viewsets over selectors and services."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import viewsets
from rest_framework.response import Response

from catalog import cache, selectors, services
from catalog.filters import ProductFilter, StableOrderingFilter
from catalog.models import Category, Product
from catalog.serializers import CategorySerializer, ProductSerializer
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
class ProductViewSet(viewsets.ModelViewSet):
    serializer_class = ProductSerializer
    permission_classes = [IsStaffOrReadOnly]
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = ProductFilter
    ordering_fields = ["price", "name", "created_at"]

    def get_queryset(self):
        return selectors.product_list(include_inactive=is_staff(self.request.user))

    def list(self, request, *args, **kwargs):
        if not cache.catalog_cache_applies(request=request):
            return super().list(request, *args, **kwargs)
        data = cache.cached_data(
            key=lambda: cache.product_list_cache_key(request=request),
            build=lambda: super(ProductViewSet, self).list(request, *args, **kwargs).data,
        )
        return Response(data)

    def retrieve(self, request, *args, **kwargs):
        if not cache.catalog_cache_applies(request=request):
            return super().retrieve(request, *args, **kwargs)
        product_id = kwargs[self.lookup_field]
        data = cache.cached_data(
            key=lambda: cache.product_detail_cache_key(product_id=product_id),
            build=lambda: super(ProductViewSet, self).retrieve(request, *args, **kwargs).data,
        )
        return Response(data)

    def perform_create(self, serializer):
        serializer.instance = services.product_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.product_update(product=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance: Product):
        services.product_delete(product=instance)


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
class CategoryViewSet(viewsets.ModelViewSet):
    serializer_class = CategorySerializer
    permission_classes = [IsStaffOrReadOnly]
    lookup_field = "slug"
    filter_backends = []

    def get_queryset(self):
        if self.action == "list":
            return selectors.category_root_list()
        return Category.objects.select_related("parent")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request is not None and self.request.method == "GET":
            context["children_map"] = selectors.category_children_map()
        return context

    def perform_create(self, serializer):
        serializer.instance = services.category_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.category_update(category=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance: Category):
        services.category_delete(category=instance)
