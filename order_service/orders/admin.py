"""Orders, read-only as records: status changes go through the state machine, never a form.

Staff with the "change order" permission ship an order (a form for carrier and tracking
number, linked from its page), mark shipped orders delivered and receive returns (actions):
the same services as the API. The change page shows the lines, the status history, the
shipment, the returns, the saga and its timeline: the events of the saga's correlation id this
service published (out) and handled (in).
"""

import uuid
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from ecom_common.admin import ReadOnlyAdminMixin, ReadOnlyInline
from ecom_common.errors import ConflictError, NotFoundError
from ecom_common.money import money_display
from orders import fulfilment, services
from orders.models import (
    CheckoutSaga,
    Customer,
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


class RefundLinesForm(forms.Form):
    """How many units of each line to refund (at most what is still returnable), and why."""

    reason = forms.CharField(max_length=200, required=False)
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, order: Order, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.returnable = fulfilment.returnable_units(order)
        self.initial.setdefault("key", uuid.uuid4())
        self.lines = list(order.lines.all())
        for line in self.lines:
            self.fields[f"line_{line.public_id}"] = forms.IntegerField(
                label=f"{line.name} ({line.sku}) — {line.quantity} bought, {self.returnable[line.public_id]} returnable",
                min_value=0,
                max_value=self.returnable[line.public_id],
                initial=0,
                required=False,
            )

    def clean(self):
        cleaned = super().clean()
        cleaned["lines"] = [
            {"line_id": line.public_id, "quantity": cleaned.get(f"line_{line.public_id}") or 0}
            for line in self.lines
            if cleaned.get(f"line_{line.public_id}")
        ]
        return cleaned

    def wanted_counter(self):
        from collections import Counter

        return Counter({item["line_id"]: item["quantity"] for item in self.cleaned_data["lines"]})


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
    fields = [
        "state",
        "deadline",
        "compensating_since",
        "stock_compensated_at",
        "payment_compensated_at",
        "correlation_id",
        "created_at",
        "updated_at",
    ]


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    fields = ["carrier", "tracking_number", "shipped_at"]


class OrderReturnInline(ReadOnlyInline):
    model = OrderReturn
    fields = ["id", "status", "reason", "refund_amount", "created_at", "received_at", "refunded_at"]
    show_change_link = True


def address_text(address: dict) -> str:
    """A shipping address as a label reads: name, street, city line, country."""
    city = " ".join(part for part in (address.get("postal_code"), address.get("city")) if part)
    lines = [address.get("full_name"), address.get("line1"), address.get("line2"), city]
    lines += [" ".join(part for part in (address.get("region"), address.get("country")) if part)]
    return "\n".join(line for line in lines if line)


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "customer",
        "status",
        "cancel_reason",
        "total_paid",
        "refunded",
        "refund_status",
        "created_at",
    ]
    list_filter = ["status", "cancel_reason", "refund_status", "saga__state"]
    search_fields = ["id", "user_id"]
    search_help_text = "An order id, a customer's id, or (part of) their e-mail or name."
    date_hierarchy = "created_at"
    fields = [
        "id",
        "customer",
        "status",
        "cancel_reason",
        "price_breakdown",
        "refunded",
        "refund_status",
        "delivered_at",
        "stock_committed_at",
        "fulfil",
        "ship_to",
        "elsewhere",
        "idempotency_key",
        "created_at",
        "updated_at",
        "timeline",
    ]
    readonly_fields = fields
    inlines = [OrderLineInline, OrderStatusChangeInline, ShipmentInline, OrderReturnInline, CheckoutSagaInline]
    actions = ["deliver_selected"]

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            customers = Customer.objects.filter(Q(email__icontains=term) | Q(name__icontains=term))
            results |= queryset.filter(user_id__in=customers.values("user_id"))
        return results, may_have_duplicates

    def get_queryset(self, request):
        # Who ordered, read with the orders (one query for a page, not one per row).
        customer = Customer.objects.filter(pk=OuterRef("user_id"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                customer_email=Subquery(customer.values("email")[:1]),
                customer_name=Subquery(customer.values("name")[:1]),
            )
        )

    @admin.display(description="customer")
    def customer(self, order: Order) -> str:
        if not order.customer_email:
            return f"(account {order.user_id})"
        return str(Customer(email=order.customer_email, name=order.customer_name or ""))

    @admin.display(description="total", ordering="total")
    def total_paid(self, order: Order) -> str:
        return money_display(order.total, order.currency)

    @admin.display(description="refunded", ordering="refunded_total")
    def refunded(self, order: Order) -> str:
        return money_display(order.refunded_total, order.currency) if order.refunded_total else "—"

    @admin.display(description="ship to")
    def ship_to(self, order: Order) -> str:
        return format_html("<address style='white-space:pre-line'>{}</address>", address_text(order.shipping_address))

    @admin.display(description="in the other admins")
    def elsewhere(self, order: Order) -> str:
        # The same gateway origin serves every admin: its payments, its stock movements.
        return format_html(
            '<a href="/admin/payments/payments/payment/?q={0}">Payments</a> · '
            '<a href="/admin/inventory/stock/stockmovement/?q={0}">Stock movements</a> · '
            '<a href="/admin/inventory/stock/reservation/?q={0}">Reservations</a> · '
            '<a href="/admin/notifications/notifications/message/?q={1}">Messages to the customer</a>',
            order.id,
            order.user_id,
        )

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
        def view(function, name):
            return path(f"<uuid:order_id>/{name}/", self.admin_site.admin_view(function), name=f"orders_order_{name}")

        return [
            view(self.ship_view, "ship"),
            view(self.cancel_view, "cancel"),
            view(self.refund_view, "refund"),
            *super().get_urls(),
        ]

    @admin.display(description="Fulfilment")
    def fulfil(self, order: Order) -> str:
        buttons = []
        if order.status == OrderStatus.CONFIRMED:
            buttons.append(("ship", "Ship this order"))
        if order.status in (OrderStatus.PENDING, OrderStatus.CONFIRMED):
            buttons.append(("cancel", "Cancel and refund"))
        if order.status == OrderStatus.DELIVERED:
            buttons.append(("refund", "Refund lines (a return)"))
        if not buttons:
            return "—"
        return format_html_join(
            " ",
            '<a class="button" href="{}">{}</a>',
            ((reverse(f"admin:orders_order_{name}", args=[order.id]), label) for name, label in buttons),
        )

    def _page(self, request, order: Order, *, template: str, title: str, **context):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "order": order,
            "opts": self.model._meta,
            **context,
        }
        return TemplateResponse(request, f"admin/orders/order/{template}", context)

    def cancel_view(self, request, order_id):
        """A confirmation page, then the API's cancel: the saga releases or restocks the units and
        voids or refunds the whole charge."""
        _require_fulfil_permission(request)
        order = get_object_or_404(Order, pk=order_id)
        if request.method == "POST":
            try:
                services.order_cancel(order_id=order.id)
            except ConflictError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Order {order.id} cancelled: {money_display(order.total, order.currency)} will be refunded "
                    "(see its payment) and the units restocked.",
                )
            return redirect("admin:orders_order_change", order.id)
        return self._page(request, order, template="cancel.html", title=f"Cancel order {order.id}?")

    def refund_view(self, request, order_id):
        """Refund chosen units of a delivered order: a return on the customer's behalf, received at
        once (refunded exactly what those units cost, restocked). The amount is shown to confirm."""
        _require_fulfil_permission(request)
        order = get_object_or_404(Order, pk=order_id)
        form = RefundLinesForm(order, request.POST or None)
        if request.method == "POST" and form.is_valid():
            if not form.cleaned_data["lines"]:
                form.add_error(None, "Choose at least one unit to refund.")
            elif "confirm" not in request.POST:
                amount = fulfilment.return_refund_amount(
                    order, returnable=form.returnable, wanted=form.wanted_counter()
                )
                return self._page(
                    request,
                    order,
                    template="refund.html",
                    title=f"Refund {money_display(amount, order.currency)}?",
                    form=form,
                    amount=money_display(amount, order.currency),
                    confirming=True,
                )
            else:
                return self._refund(request, order, form)
        return self._page(request, order, template="refund.html", title=f"Refund lines of order {order.id}", form=form)

    def _refund(self, request, order: Order, form):
        try:
            order_return = fulfilment.return_request_once(
                order_id=order.id,
                user_id=str(order.user_id),
                lines=form.cleaned_data["lines"],
                reason=form.cleaned_data["reason"] or "refunded by staff",
                idempotency_key=form.cleaned_data["key"],  # a second click is the same refund
            )
            fulfilment.return_receive(order_id=order.id, return_id=order_return.id)
        except (ConflictError, NotFoundError) as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request,
                f"{money_display(order_return.refund_amount, order.currency)} refunded for return {order_return.id}; "
                "the units are restocked.",
            )
        return redirect("admin:orders_order_change", order.id)

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


# ---------------------------------------------------------------------------
# The dashboard on the admin's index (orders/dashboard.py)
# ---------------------------------------------------------------------------
def _index_with_dashboard(index):
    def view(request, extra_context=None):
        from orders.dashboard import dashboard

        return index(request, {**(extra_context or {}), "dashboard": dashboard(request)})

    return view


admin.site.index_template = "admin/orders/dashboard_index.html"
admin.site.index = _index_with_dashboard(admin.site.index)
