"""Staff set up pricing here: promotions, vouchers (with their uses), shipping methods, tax rates."""

from django.contrib import admin

from ecom_common.admin import ReadOnlyInline
from pricing.models import Promotion, ShippingMethod, TaxRate, Voucher, VoucherUse

RULE_FIELDSETS = [
    (None, {"fields": ["name", "kind", "value", "currency", "is_active"]}),
    ("Covers (nothing chosen: the whole order)", {"fields": ["product_ids", "category_slugs", "brand_slugs"]}),
    ("When", {"fields": ["min_subtotal", "starts_at", "ends_at"]}),
]


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "value", "min_subtotal", "starts_at", "ends_at", "priority", "is_active"]
    list_filter = ["is_active", "kind"]
    search_fields = ["name"]
    fieldsets = [*RULE_FIELDSETS, ("Between promotions", {"fields": ["priority"]})]


class VoucherUseInline(ReadOnlyInline):
    model = VoucherUse
    fields = ["order_id", "user_id", "amount", "created_at", "released_at"]
    verbose_name_plural = "uses"


@admin.register(Voucher)
class VoucherAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "value", "used_count", "usage_limit", "per_customer_limit", "is_active"]
    list_filter = ["is_active", "kind"]
    search_fields = ["code", "name"]
    readonly_fields = ["used_count"]
    fieldsets = [
        (None, {"fields": ["code"]}),
        *RULE_FIELDSETS,
        ("Uses", {"fields": ["usage_limit", "per_customer_limit", "used_count"]}),
    ]
    inlines = [VoucherUseInline]

    def save_model(self, request, obj, form, change):
        obj.code = obj.code.strip().upper()  # customers type any case; codes are kept in capitals
        super().save_model(request, obj, form, change)


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin):
    list_display = ["name", "price", "currency", "free_above", "min_days", "max_days", "countries", "is_active"]
    list_filter = ["is_active", "currency"]
    search_fields = ["name"]


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "region", "rate", "applies_to_shipping"]
    list_filter = ["country"]
    search_fields = ["name", "country", "region"]
