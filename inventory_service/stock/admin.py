"""Staff view of stock. Quantities change only through services (adjust and transfer, the
saga), so the admin shows them read-only, per warehouse, and offers the same adjust and transfer
as the API, each with its reason (forms linked from a stock's page); a variant's low-stock
threshold and the warehouses themselves are edited here."""

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from ecom_common.admin import ReadOnlyAdmin, ReadOnlyInline
from ecom_common.errors import ConflictError
from stock import services
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


def _warehouse_choices():
    return [(w.code, f"{w.code} — {w.name}") for w in Warehouse.objects.filter(is_active=True).order_by("priority")]


class AdjustForm(forms.Form):
    warehouse = forms.ChoiceField()
    delta = forms.IntegerField(help_text="Units to add (positive) or remove (negative) on hand.")
    reason = forms.CharField(max_length=255, help_text="Why: a count, damage, a delivery... (kept in the ledger).")
    key = forms.UUIDField(widget=forms.HiddenInput)  # a second submit of the same form is the same adjustment

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = _warehouse_choices()
        self.initial.setdefault("key", uuid.uuid4())


class TransferForm(forms.Form):
    from_warehouse = forms.ChoiceField()
    to_warehouse = forms.ChoiceField()
    quantity = forms.IntegerField(min_value=1)
    reason = forms.CharField(max_length=255)
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_warehouse"].choices = self.fields["to_warehouse"].choices = _warehouse_choices()
        self.initial.setdefault("key", uuid.uuid4())


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    list_display = ["variant_id", "on_hand", "reserved", "available", "low_stock_threshold", "updated_at"]
    list_filter = [LowStockFilter]
    search_fields = ["variant_id"]
    fields = [
        "variant_id",
        "on_hand",
        "reserved",
        "available",
        "low_stock_threshold",
        "change_stock",
        "history",
        "updated_at",
    ]
    readonly_fields = ["variant_id", "on_hand", "reserved", "available", "change_stock", "history", "updated_at"]
    inlines = [WarehouseStockInline]

    def get_urls(self):
        def view(function, name):
            return path(f"<uuid:variant_id>/{name}/", self.admin_site.admin_view(function), name=f"stock_stock_{name}")

        return [view(self.adjust_view, "adjust"), view(self.transfer_view, "transfer"), *super().get_urls()]

    @admin.display(description="change stock")
    def change_stock(self, stock: Stock) -> str:
        return format_html(
            '<a class="button" href="{}">Adjust</a> <a class="button" href="{}">Transfer between warehouses</a>',
            reverse("admin:stock_stock_adjust", args=[stock.variant_id]),
            reverse("admin:stock_stock_transfer", args=[stock.variant_id]),
        )

    def adjust_view(self, request, variant_id):
        return self._stock_form(
            request,
            variant_id,
            form_class=AdjustForm,
            title="Adjust stock",
            apply=lambda data, actor: services.stock_adjust(
                variant_id=variant_id,
                delta=data["delta"],
                reason=data["reason"],
                actor=actor,
                warehouse=data["warehouse"],
                idempotency_key=str(data["key"]),
            ),
            done=lambda data: f"{data['delta']:+d} unit(s) in {data['warehouse']}: {data['reason']}.",
        )

    def transfer_view(self, request, variant_id):
        return self._stock_form(
            request,
            variant_id,
            form_class=TransferForm,
            title="Transfer between warehouses",
            apply=lambda data, actor: services.stock_transfer(
                variant_id=variant_id,
                source=data["from_warehouse"],
                destination=data["to_warehouse"],
                quantity=data["quantity"],
                reason=data["reason"],
                actor=actor,
                idempotency_key=str(data["key"]),
            ),
            done=lambda data: (
                f"{data['quantity']} unit(s) moved from {data['from_warehouse']} to {data['to_warehouse']}."
            ),
        )

    def _stock_form(self, request, variant_id, *, form_class, title, apply, done):
        if not request.user.has_perm("stock.change_stock"):
            raise PermissionDenied
        stock = get_object_or_404(Stock, pk=variant_id)
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                apply(form.cleaned_data, request.user.get_username())  # the identity user id, as the API's
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except ConflictError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, done(form.cleaned_data), messages.SUCCESS)
                return redirect("admin:stock_stock_change", stock.variant_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{title}: {stock.variant_id}",
            "form": form,
            "stock": stock,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/stock/stock/change_stock.html", context)

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
