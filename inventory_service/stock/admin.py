"""Staff view of stock. Quantities change only through services (adjust and transfer APIs, the
saga), so the admin shows them read-only, per warehouse; a variant's low-stock threshold and the
warehouses themselves are edited here."""

from django.contrib import admin
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html

from ecom_common.admin import ReadOnlyAdmin, ReadOnlyInline
from stock.models import (
    InventoryOrder,
    Reservation,
    ReservationAllocation,
    Stock,
    StockMovement,
    Warehouse,
    WarehouseStock,
)


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "country", "priority", "is_active", "updated_at"]
    list_editable = ["priority", "is_active"]
    list_filter = ["is_active", "country"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request, obj=None):
        # The ledger names every warehouse stock went through: those are deactivated instead.
        return obj is None or not (obj.movements.exists() or obj.stocks.exists())


class WarehouseStockInline(ReadOnlyInline):
    model = WarehouseStock
    fields = ["warehouse", "on_hand", "reserved", "available"]
    verbose_name_plural = "in each warehouse"

    @admin.display(description="available")
    def available(self, place: WarehouseStock) -> int:
        return place.available


class ReservationAllocationInline(ReadOnlyInline):
    model = ReservationAllocation
    fields = ["warehouse", "quantity", "restocked"]
    verbose_name_plural = "taken from"


class LowStockFilter(admin.SimpleListFilter):
    title = "low stock"
    parameter_name = "low_stock"

    def lookups(self, request, model_admin):
        return [("yes", "At or below threshold"), ("no", "Above threshold")]

    def queryset(self, request, queryset):
        at_or_below = {"on_hand__lte": F("reserved") + F("low_stock_threshold")}
        if self.value() == "yes":
            return queryset.filter(**at_or_below)
        if self.value() == "no":
            return queryset.exclude(**at_or_below)
        return queryset


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    list_display = ["variant_id", "on_hand", "reserved", "available", "low_stock_threshold", "updated_at"]
    list_filter = [LowStockFilter]
    search_fields = ["variant_id"]
    fields = ["variant_id", "on_hand", "reserved", "available", "low_stock_threshold", "history", "updated_at"]
    readonly_fields = ["variant_id", "on_hand", "reserved", "available", "history", "updated_at"]
    inlines = [WarehouseStockInline]

    def has_add_permission(self, request):
        return False  # made by product.created or the first adjustment

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="available")
    def available(self, stock: Stock) -> int:
        return stock.available

    @admin.display(description="history")
    def history(self, stock: Stock) -> str:
        return format_html(
            '<a href="{}?variant__variant_id__exact={}">Reservations ({})</a> · '
            '<a href="{}?variant__variant_id__exact={}">Movements ({})</a>',
            reverse("admin:stock_reservation_changelist"),
            stock.variant_id,
            stock.reservations.count(),
            reverse("admin:stock_stockmovement_changelist"),
            stock.variant_id,
            stock.movements.count(),
        )


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ["order_id", "variant_id", "quantity", "status", "expires_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["order_id"]
    date_hierarchy = "created_at"
    inlines = [ReservationAllocationInline]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "variant_id",
        "warehouse",
        "kind",
        "on_hand_delta",
        "reserved_delta",
        "actor",
        "order_id",
        "reason",
    ]
    list_filter = ["kind", "warehouse"]
    list_select_related = ["warehouse"]
    search_fields = ["variant__variant_id", "order_id", "transfer_id"]
    date_hierarchy = "created_at"


@admin.register(InventoryOrder)
class InventoryOrderAdmin(ReadOnlyAdmin):
    list_display = ["order_id", "cancelled_at", "created_at"]
    list_filter = [("cancelled_at", admin.EmptyFieldListFilter)]
    search_fields = ["order_id"]
