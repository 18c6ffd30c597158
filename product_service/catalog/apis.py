"""HTTP interface of the catalog: viewsets whose actions call selectors and services."""

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from catalog import cache, images, reviews, selectors, services, taxonomy
from catalog.filters import ProductFilter, StableOrderingFilter
from catalog.models import Attribute, Brand, Category, ProductImage, ProductType, ProductVariant, Review
from catalog.serializers import (
    AttributeInputSerializer,
    AttributeOutputSerializer,
    BrandInputSerializer,
    BrandOutputSerializer,
    CategoryInputSerializer,
    CategoryOutputSerializer,
    ProductImageInputSerializer,
    ProductImageOutputSerializer,
    ProductImageUpdateSerializer,
    ProductInputSerializer,
    ProductOutputSerializer,
    ProductPageSerializer,
    ProductTypeInputSerializer,
    ProductTypeOutputSerializer,
    ReviewInputSerializer,
    ReviewOutputSerializer,
    VariantInputSerializer,
    VariantOutputSerializer,
)
from ecom_common.apis import ApiViewSet, CrudViewSet
from ecom_common.permissions import IsStaffOrReadOnly, is_staff
from ecom_common.routers import UUID_PATTERN


@extend_schema_view(
    list=extend_schema(
        summary="List products (active ones unless staff); ?facets=true adds counts per brand and attribute value"
    ),
    retrieve=extend_schema(summary="A product"),
    create=extend_schema(summary="Create a product with its variants, or with sku and price for one variant (staff)"),
    update=extend_schema(summary="Replace a product (staff)"),
    partial_update=extend_schema(summary="Update a product (staff)"),
    destroy=extend_schema(summary="Delete a product (staff)"),
)
@extend_validation_errors(["unique"], field_name="slug", actions=["create", "update", "partial_update"])
@extend_validation_errors(["several_variants"], field_name="sku", actions=["update", "partial_update"])
@extend_validation_errors(["required"], field_name="sku", actions=["create"])
@extend_validation_errors(["required"], field_name="price", actions=["create"])
@extend_validation_errors(
    ["required", "read_only"], field_name="variants", actions=["create", "update", "partial_update"]
)
@extend_validation_errors(
    ["unknown_value", "attribute_not_in_type", "duplicate_attributes"],
    field_name="variants.INDEX.attributes",
    actions=["create"],
)
@extend_validation_errors(["invalid"], field_name="attr", actions=["list"])
class ProductViewSet(ApiViewSet):
    input_serializer_class = ProductInputSerializer
    output_serializer_class = ProductOutputSerializer
    permission_classes = [IsStaffOrReadOnly]
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = ProductFilter
    ordering_fields = ["price", "name", "created_at"]

    def get_queryset(self):
        return selectors.product_list(include_inactive=is_staff(self.request.user))

    def get_serializer_context(self):
        # Staff see every variant; everyone else the ones for sale.
        return {**super().get_serializer_context(), "include_inactive_variants": is_staff(self.request.user)}

    def _page(self) -> dict:
        data = self.respond_page(self.get_queryset()).data
        if self.request.query_params.get("facets", "").lower() in ("true", "1"):
            data["facets"] = selectors.product_facets(products=self.filter_queryset(self.get_queryset()))
        return data

    # A page with facets is not a plain list, so the schema is told about its query parameters:
    # the filters (filters=True) and the page ones.
    @extend_schema(
        responses=ProductPageSerializer,
        operation_id="products_list",
        filters=True,
        parameters=[
            OpenApiParameter("page", int, description="A page number within the paginated result set."),
            OpenApiParameter("page_size", int, description="Number of results to return per page."),
        ],
    )
    def list(self, request):
        if cache.catalog_cache_applies(request=request):
            data = cache.cached_data(key=lambda: cache.product_list_cache_key(request=request), build=self._page)
        else:
            data = self._page()
        return cache.shared_for_a_moment(Response(data), request=request)

    def retrieve(self, request, pk=None):
        if not cache.catalog_cache_applies(request=request):
            return cache.shared_for_a_moment(self.respond(self.get_object()), request=request)
        data = cache.cached_data(
            key=lambda: cache.product_detail_cache_key(product_id=pk),
            build=lambda: self.respond(self.get_object()).data,
        )
        return cache.shared_for_a_moment(Response(data), request=request)

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
class CategoryViewSet(CrudViewSet):
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

    def create_object(self, data):
        return services.category_create(**data)

    def update_object(self, category, data):
        return services.category_update(category=category, data=data)

    def delete_object(self, category):
        services.category_delete(category=category)


class ProductPartsMixin:
    """For the resources under /api/products/{product_pk}/: the product they belong to (404 when
    the caller cannot see it; staff see inactive products too)."""

    def _product(self):
        products = selectors.product_list(include_inactive=is_staff(self.request.user))
        return get_object_or_404(products, pk=self.kwargs["product_pk"])


# ------------------------------------------------------------------------------------------------
# Variants, at /api/products/{product_id}/variants/
# ------------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary="A product's variants (the active ones unless staff)"),
    retrieve=extend_schema(summary="A variant"),
    create=extend_schema(summary="Add a variant to a product (staff)"),
    update=extend_schema(summary="Replace a variant (staff)"),
    partial_update=extend_schema(summary="Update a variant (staff)"),
    destroy=extend_schema(summary="Remove a variant; a product keeps at least one (staff)"),
)
@extend_validation_errors(
    ["unknown_value", "attribute_not_in_type", "duplicate_attributes"],
    field_name="attributes",
    actions=["create", "update", "partial_update"],
)
class VariantViewSet(ProductPartsMixin, ApiViewSet):
    lookup_value_regex = UUID_PATTERN
    input_serializer_class = VariantInputSerializer
    output_serializer_class = VariantOutputSerializer
    permission_classes = [IsStaffOrReadOnly]
    filter_backends = []
    queryset = ProductVariant.objects.none()  # lets the schema name the path parameter's type

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProductVariant.objects.none()
        variants = selectors.variant_list(product=self._product())
        return variants if is_staff(self.request.user) else variants.filter(is_active=True)

    def list(self, request, product_pk=None):
        return self.respond_page(self.get_queryset())

    def retrieve(self, request, product_pk=None, pk=None):
        return self.respond(self.get_object())

    def create(self, request, product_pk=None):
        variant = services.variant_create(product=self._product(), **self.read_input())
        return self.respond(variant, status_code=status.HTTP_201_CREATED)

    def update(self, request, product_pk=None, pk=None):
        variant = self.get_object()
        return self.respond(services.variant_update(variant=variant, data=self.read_input(instance=variant)))

    def partial_update(self, request, product_pk=None, pk=None):
        variant = self.get_object()
        return self.respond(services.variant_update(variant=variant, data=self.read_input(partial=True)))

    def destroy(self, request, product_pk=None, pk=None):
        services.variant_delete(variant=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------------------------------------
# Brands, attributes and product types (staff write, anyone reads)
# ------------------------------------------------------------------------------------------------
class _SlugCrudViewSet(CrudViewSet):
    """CRUD by slug through the taxonomy services: ``create``, ``update``, ``delete``."""

    permission_classes = [IsStaffOrReadOnly]
    lookup_field = "slug"
    filter_backends = []
    create_service = update_service = delete_service = None

    def create_object(self, data):
        return type(self).create_service(**data)

    def update_object(self, instance, data):
        return type(self).update_service(instance, data)

    def delete_object(self, instance):
        type(self).delete_service(instance)


def _crud_schema(noun: str, plural: str):
    return extend_schema_view(
        list=extend_schema(summary=f"List {plural}"),
        retrieve=extend_schema(summary=f"A {noun}"),
        create=extend_schema(summary=f"Create a {noun} (staff)"),
        update=extend_schema(summary=f"Replace a {noun} (staff)"),
        partial_update=extend_schema(summary=f"Update a {noun} (staff)"),
        destroy=extend_schema(summary=f"Delete a {noun} no product uses (staff)"),
    )


@_crud_schema("brand", "brands")
@extend_validation_errors(["unique"], field_name="slug", actions=["create", "update", "partial_update"])
class BrandViewSet(_SlugCrudViewSet):
    input_serializer_class = BrandInputSerializer
    output_serializer_class = BrandOutputSerializer
    queryset = Brand.objects.order_by("name", "id")
    create_service = staticmethod(taxonomy.brand_create)
    update_service = staticmethod(lambda brand, data: taxonomy.brand_update(brand=brand, data=data))
    delete_service = staticmethod(lambda brand: taxonomy.brand_delete(brand=brand))


@_crud_schema("attribute (size, colour...) with its values", "attributes with their values")
@extend_validation_errors(["unique"], field_name="slug", actions=["create", "update", "partial_update"])
@extend_validation_errors(
    ["invalid", "duplicate"], field_name="values", actions=["create", "update", "partial_update"]
)
class AttributeViewSet(_SlugCrudViewSet):
    input_serializer_class = AttributeInputSerializer
    output_serializer_class = AttributeOutputSerializer
    queryset = Attribute.objects.prefetch_related("values").order_by("name", "id")
    create_service = staticmethod(taxonomy.attribute_create)
    update_service = staticmethod(lambda attribute, data: taxonomy.attribute_update(attribute=attribute, data=data))
    delete_service = staticmethod(lambda attribute: taxonomy.attribute_delete(attribute=attribute))


@_crud_schema("product type (the attributes its variants vary by)", "product types")
@extend_validation_errors(["unique"], field_name="slug", actions=["create", "update", "partial_update"])
class ProductTypeViewSet(_SlugCrudViewSet):
    input_serializer_class = ProductTypeInputSerializer
    output_serializer_class = ProductTypeOutputSerializer
    queryset = ProductType.objects.prefetch_related("variant_attributes").order_by("name", "id")
    create_service = staticmethod(taxonomy.product_type_create)
    update_service = staticmethod(
        lambda product_type, data: taxonomy.product_type_update(product_type=product_type, data=data)
    )
    delete_service = staticmethod(lambda product_type: taxonomy.product_type_delete(product_type=product_type))


# ------------------------------------------------------------------------------------------------
# Reviews, at /api/products/{product_id}/reviews/
# ------------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary="A product's visible reviews, newest first"),
    create=extend_schema(
        summary="Review a product: once, and only after an order of it was delivered to you",
        responses={201: ReviewOutputSerializer},
    ),
)
class ReviewViewSet(ProductPartsMixin, ApiViewSet):
    input_serializer_class = ReviewInputSerializer
    output_serializer_class = ReviewOutputSerializer
    filter_backends = []
    queryset = Review.objects.none()  # lets the schema name the path parameter's type

    def get_permissions(self):
        return [AllowAny()] if self.action == "list" else [IsAuthenticated()]

    def list(self, request, product_pk=None):
        return self.respond_page(selectors.review_list(product=self._product()))

    def create(self, request, product_pk=None):
        review = reviews.review_create(product=self._product(), user_id=request.user.id, **self.read_input())
        return self.respond(review, status_code=status.HTTP_201_CREATED)


# ------------------------------------------------------------------------------------------------
# Images, at /api/products/{product_id}/images/
# ------------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary="A product's images, in display order"),
    retrieve=extend_schema(summary="An image of a product"),
    create=extend_schema(
        summary="Upload an image (staff; multipart/form-data): validated by its content, resized by the worker",
        responses={201: ProductImageOutputSerializer},
    ),
    partial_update=extend_schema(summary="Change an image's alt text or position (staff)"),
    destroy=extend_schema(summary="Delete an image and its renditions (staff)"),
)
@extend_validation_errors(["too_large", "invalid_image", "too_many_pixels"], field_name="file", actions=["create"])
class ProductImageViewSet(ProductPartsMixin, ApiViewSet):
    lookup_value_regex = UUID_PATTERN
    input_serializer_class = ProductImageInputSerializer
    input_serializer_classes = {"partial_update": ProductImageUpdateSerializer}
    output_serializer_class = ProductImageOutputSerializer
    permission_classes = [IsStaffOrReadOnly]
    parser_classes = [MultiPartParser, JSONParser]
    filter_backends = []
    http_method_names = ["get", "post", "patch", "delete", "options", "head"]
    queryset = ProductImage.objects.none()  # lets the schema name the path parameter's type

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProductImage.objects.none()
        return ProductImage.objects.filter(product=self._product())

    def list(self, request, product_pk=None):
        return self.respond_page(self.get_queryset())

    def retrieve(self, request, product_pk=None, pk=None):
        return self.respond(self.get_object())

    def create(self, request, product_pk=None):
        image = images.product_image_add(product=self._product(), **self.read_input())
        return self.respond(image, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, product_pk=None, pk=None):
        image = self.get_object()
        return self.respond(images.product_image_update(image=image, data=self.read_input(partial=True)))

    def destroy(self, request, product_pk=None, pk=None):
        images.product_image_delete(image=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
