"""Orders, read-only: status changes go through the state machine (the API), never a form.

The change page shows the lines, the status history, the saga and its timeline: the events
of the saga's correlation id this service published (out) and handled (in).
"""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from ecom_common.admin import ReadOnlyAdminMixin
from orders.models import CheckoutSaga, Order, OrderLine, OrderStatusChange
from orders.selectors import saga_timeline


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["product_id", "name", "unit_price", "quantity", "line_total"]


class OrderStatusChangeInline(ReadOnlyInline):
    model = OrderStatusChange
    fields = ["status", "reason", "at"]
    verbose_name_plural = "status history"


class CheckoutSagaInline(ReadOnlyInline):
    model = CheckoutSaga
    fields = ["state", "deadline", "correlation_id", "created_at", "updated_at"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "user_id", "status", "cancel_reason", "total", "currency", "created_at"]
    list_filter = ["status", "cancel_reason"]
    search_fields = ["id", "user_id"]
    date_hierarchy = "created_at"
    fields = [
        "id",
        "user_id",
        "status",
        "cancel_reason",
        "total",
        "currency",
        "shipping_address",
        "idempotency_key",
        "created_at",
        "updated_at",
        "timeline",
    ]
    readonly_fields = fields
    inlines = [OrderLineInline, OrderStatusChangeInline, CheckoutSagaInline]

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
