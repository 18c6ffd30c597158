"""Orders, read-only as records: status changes go through the state machine, never a form.

Staff with the "change order" permission ship an order (a form for carrier and tracking
number, linked from its page), mark shipped orders delivered and receive returns (actions):
the same services as the API. The change page shows the lines, the status history, the
shipment, the returns, the saga and its timeline: the events of the saga's correlation id this
service published (out) and handled (in).
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from ecom_common.admin import ReadOnlyAdminMixin, ReadOnlyInline
from ecom_common.errors import ConflictError, NotFoundError
from orders import fulfilment
from orders.models import (
    CheckoutSaga,
    Order,
    OrderLine,
    OrderReturn,
    OrderReturnLine,
    OrderStatus,
    OrderStatusChange,
    Shipment,
)
from orders.selectors import saga_timeline

FULFIL_PERMISSION = "orders.change_order"


def _require_fulfil_permission(request) -> None:
    if not request.user.has_perm(FULFIL_PERMISSION):
        raise PermissionDenied


class ShipForm(forms.Form):
    carrier = forms.CharField(max_length=100)
    tracking_number = forms.CharField(max_length=100)


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = [
        "sku",
        "name",
        "variant_id",
        "product_id",
        "unit_price",
        "quantity",
        "line_total",
        "discount_total",
        "tax_total",
        "paid_total",
    ]


class OrderStatusChangeInline(ReadOnlyInline):
    model = OrderStatusChange
    fields = ["status", "reason", "at"]
    verbose_name_plural = "status history"


class CheckoutSagaInline(ReadOnlyInline):
    model = CheckoutSaga
    fields = ["state", "deadline", "correlation_id", "created_at", "updated_at"]


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    fields = ["carrier", "tracking_number", "shipped_at"]


class OrderReturnInline(ReadOnlyInline):
    model = OrderReturn
    fields = ["id", "status", "reason", "refund_amount", "created_at", "received_at", "refunded_at"]
    show_change_link = True


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "user_id", "status", "cancel_reason", "total", "refunded_total", "currency", "created_at"]
    list_filter = ["status", "cancel_reason"]
    search_fields = ["id", "user_id"]
    date_hierarchy = "created_at"
    fields = [
        "id",
        "user_id",
        "status",
        "cancel_reason",
        "price_breakdown",
        "refunded_total",
        "delivered_at",
        "fulfil",
        "shipping_address",
        "idempotency_key",
        "created_at",
        "updated_at",
        "timeline",
    ]
    readonly_fields = fields
    inlines = [OrderLineInline, OrderStatusChangeInline, ShipmentInline, OrderReturnInline, CheckoutSagaInline]
    actions = ["deliver_selected"]

    @admin.display(description="Price")
    def price_breakdown(self, order: Order) -> str:
        """The priced breakdown as the customer saw it, money with its currency."""
        rows = [("Subtotal", order.subtotal)]
        rows += [
            (f"{d['name']} ({d['code']})" if d.get("code") else d["name"], -Decimal(d["amount"]))
            for d in order.pricing.get("discounts", [])
        ]
        shipping = order.shipping_method_name or "Shipping"
        rows += [(shipping, order.shipping_total)]
        tax = order.pricing.get("tax")
        tax_label = f"{tax['name']} {tax['rate']}%" if tax else "Tax"
        if order.pricing.get("tax_included"):
            tax_label += " (included)"
        rows += [(tax_label, order.tax_total), ("Total", order.total)]
        return format_html_join(
            "",
            '<div style="display:flex;gap:2em;justify-content:space-between;max-width:28em">'
            "<span>{}</span><span>{} {}</span></div>",
            ((label, f"{amount:.2f}", order.currency) for label, amount in rows),
        )

    def get_urls(self):
        ship = path("<uuid:order_id>/ship/", self.admin_site.admin_view(self.ship_view), name="orders_order_ship")
        return [ship, *super().get_urls()]

    @admin.display(description="Fulfilment")
    def fulfil(self, order: Order) -> str:
        if order.status != OrderStatus.CONFIRMED:
            return "—"
        return format_html(
            '<a class="button" href="{}">Ship this order</a>', reverse("admin:orders_order_ship", args=[order.id])
        )

    def ship_view(self, request, order_id):
        _require_fulfil_permission(request)
        order = get_object_or_404(Order, pk=order_id)
        form = ShipForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                fulfilment.order_ship(order_id=order.id, **form.cleaned_data)
            except ConflictError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, f"Order {order.id} shipped with {form.cleaned_data['carrier']}.")
                return redirect("admin:orders_order_change", order.id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Ship order {order.id}",
            "form": form,
            "order": order,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/orders/order/ship.html", context)

    @admin.action(description="Mark the selected shipped orders delivered")
    def deliver_selected(self, request, queryset):
        _require_fulfil_permission(request)
        delivered = 0
        for order in queryset:
            try:
                fulfilment.order_deliver(order_id=order.id)
            except ConflictError as error:
                self.message_user(request, f"{order.id}: {error.message}", messages.ERROR)
            else:
                delivered += 1
        self.message_user(request, f"{delivered} order(s) marked delivered.", messages.SUCCESS)

    @admin.display(description="Saga timeline (events out and in)")
    def timeline(self, order: Order) -> str:
        saga = CheckoutSaga.objects.filter(order=order).first()
        if saga is None:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (entry.direction, entry.type, entry.at.isoformat(), entry.event_id, entry.handler)
                for entry in saga_timeline(saga=saga)
            ),
        )
        return format_html(
            "<table><thead><tr><th>direction</th><th>type</th><th>time</th><th>event id</th><th>handler</th>"
            "</tr></thead><tbody>{}</tbody></table>",
            rows,
        )


class OrderReturnLineInline(ReadOnlyInline):
    model = OrderReturnLine
    fields = ["order_line", "quantity"]


@admin.register(OrderReturn)
class OrderReturnAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "order", "status", "refund_amount", "reason", "created_at", "received_at", "refunded_at"]
    list_filter = ["status"]
    search_fields = ["id", "order__id"]
    fields = ["id", "order", "status", "reason", "refund_amount", "created_at", "received_at", "refunded_at"]
    readonly_fields = fields
    inlines = [OrderReturnLineInline]
    actions = ["receive_selected"]

    @admin.action(description="Receive the selected returns (refunds them and restocks their units)")
    def receive_selected(self, request, queryset):
        _require_fulfil_permission(request)
        received = 0
        for order_return in queryset:
            try:
                fulfilment.return_receive(order_id=order_return.order_id, return_id=order_return.id)
            except (ConflictError, NotFoundError) as error:
                self.message_user(request, f"{order_return.id}: {error.message}", messages.ERROR)
            else:
                received += 1
        self.message_user(
            request, f"{received} return(s) received: refunds and restocking are under way.", messages.SUCCESS
        )
