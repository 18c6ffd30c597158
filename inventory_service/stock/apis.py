"""HTTP interface of inventory: a variant's stock, staff adjustments, transfers and movements,
and the warehouses."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny

from ecom_common.apis import ApiViewSet, CrudViewSet
from ecom_common.idempotency import (
    IDEMPOTENCY_KEY,
    IDEMPOTENCY_KEY_ERROR_CODES,
    idempotency_key,
    idempotency_key_parameter,
)
from ecom_common.permissions import IsStaff
from ecom_common.routers import UUID_PATTERN
from stock import selectors, services, warehouses
from stock.models import Stock, Warehouse
from stock.serializers import (
    StaffStockSerializer,
    StockAdjustSerializer,
    StockMovementSerializer,
    StockSerializer,
    StockTransferSerializer,
    WarehouseInputSerializer,
    WarehouseOutputSerializer,
)

VARIANT_ID = OpenApiParameter(
    "variant_id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="The variant's id (for a product without variants, the product's id).",
)
RETRY_IDEMPOTENCY_KEY = idempotency_key_parameter(
    required=False,
    description="A UUID; the same request again applies nothing more and returns the first answer; "
    "another request with it is 409 idempotency_key_reused.",
)
STOCK_WRITES = ["adjust", "transfer"]


def _stock_or_404(variant_id, *, with_warehouses: bool = False) -> Stock:
    stock = selectors.stock_get(variant_id=variant_id, with_warehouses=with_warehouses)
    if stock is None:
        raise Http404
    return stock


@extend_schema_view(
    retrieve=extend_schema(
        summary="A variant's stock",
        description="Totals over every warehouse. Staff also get `warehouses`: each one's part, "
        "in the order reservations take from them.",
        parameters=[VARIANT_ID],
    ),
    adjust=extend_schema(
        summary="Add or remove units on hand in a warehouse (staff); creates the stock record if absent",
        parameters=[VARIANT_ID, RETRY_IDEMPOTENCY_KEY],
    ),
    transfer=extend_schema(
        summary="Move available units from one warehouse to another (staff): one movement pair, atomic",
        parameters=[VARIANT_ID, RETRY_IDEMPOTENCY_KEY],
    ),
    movements=extend_schema(
        summary="A variant's stock movements, newest first (staff)",
        parameters=[VARIANT_ID],
        responses=StockMovementSerializer(many=True),  # a list: paginated, like every list
    ),
)
@extend_validation_errors(["zero", "insufficient_stock", "max_value"], field_name="delta", actions=["adjust"])
@extend_validation_errors(["does_not_exist", "required"], field_name="warehouse", actions=["adjust"])
@extend_validation_errors(["does_not_exist"], field_name="from_warehouse", actions=["transfer"])
@extend_validation_errors(["does_not_exist", "same_warehouse"], field_name="to_warehouse", actions=["transfer"])
@extend_validation_errors(["insufficient_stock"], field_name="quantity", actions=["transfer"])
@extend_validation_errors(IDEMPOTENCY_KEY_ERROR_CODES, field_name=IDEMPOTENCY_KEY, actions=STOCK_WRITES)
class StockViewSet(ApiViewSet):
    output_serializer_class = StockSerializer
    input_serializer_classes = {"adjust": StockAdjustSerializer, "transfer": StockTransferSerializer}
    output_serializer_classes = {
        "adjust": StaffStockSerializer,
        "transfer": StaffStockSerializer,
        "movements": StockMovementSerializer,
    }
    queryset = Stock.objects.none()  # lets the schema name the path parameter's type
    lookup_field = "variant_id"
    lookup_value_regex = UUID_PATTERN
    filter_backends = []

    def get_permissions(self):
        return [AllowAny()] if self.action == "retrieve" else [IsStaff()]

    def _for_staff(self) -> bool:
        return getattr(self.request.user, "is_staff", False)

    def get_output_serializer_class(self):
        if self.action == "retrieve" and self._for_staff():
            return StaffStockSerializer
        return super().get_output_serializer_class()

    def retrieve(self, request, variant_id=None):
        return self.respond(_stock_or_404(variant_id, with_warehouses=self._for_staff()))

    @action(detail=True, methods=["post"])
    def adjust(self, request, variant_id=None):
        payload = self.read_input()
        key = idempotency_key(request, required=False)
        stock = services.stock_adjust(
            variant_id=variant_id,
            delta=payload["delta"],
            reason=payload["reason"],
            warehouse=payload["warehouse"] or None,
            actor=str(request.user.id),
            idempotency_key=str(key) if key else None,
        )
        # Adjustments and transfers share one key space: their stock movements'.
        stock = selectors.stock_get(variant_id=stock.variant_id, with_warehouses=True)
        return self.respond_once(stock, scope="stock-movement", key=key)

    @action(detail=True, methods=["post"])
    def transfer(self, request, variant_id=None):
        payload = self.read_input()
        key = idempotency_key(request, required=False)
        stock = services.stock_transfer(
            variant_id=variant_id,
            source=payload["from_warehouse"],
            destination=payload["to_warehouse"],
            quantity=payload["quantity"],
            reason=payload["reason"],
            actor=str(request.user.id),
            idempotency_key=str(key) if key else None,
        )
        # Adjustments and transfers share one key space: their stock movements'.
        stock = selectors.stock_get(variant_id=stock.variant_id, with_warehouses=True)
        return self.respond_once(stock, scope="stock-movement", key=key)

    @action(detail=True, methods=["get"], url_name="movement-list")
    def movements(self, request, variant_id=None):
        stock = _stock_or_404(variant_id)
        return self.respond_page(selectors.stock_movement_list(variant_id=stock.variant_id))


@extend_schema_view(
    list=extend_schema(summary="List warehouses in allocation order (staff)"),
    retrieve=extend_schema(summary="A warehouse (staff)"),
    create=extend_schema(summary="Create a warehouse (staff)"),
    update=extend_schema(summary="Replace a warehouse (staff)"),
    partial_update=extend_schema(summary="Update a warehouse (staff)"),
    destroy=extend_schema(summary="Delete a warehouse stock never went through (staff); deactivate the others"),
)
@extend_validation_errors(["unique"], field_name="code", actions=["create", "update", "partial_update"])
class WarehouseViewSet(CrudViewSet):
    input_serializer_class = WarehouseInputSerializer
    output_serializer_class = WarehouseOutputSerializer
    permission_classes = [IsStaff]
    queryset = Warehouse.objects.order_by("priority", "code")
    lookup_field = "code"
    filter_backends = []

    def create_object(self, data):
        return warehouses.warehouse_create(**data)

    def update_object(self, warehouse, data):
        return warehouses.warehouse_update(warehouse=warehouse, data=data)

    def delete_object(self, warehouse):
        warehouses.warehouse_delete(warehouse=warehouse)
