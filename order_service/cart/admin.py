"""Carts, and the read-only catalog copy the product.* events maintain."""

from django.contrib import admin

from cart.models import Cart, CartItem, CatalogVariant
from ecom_common.admin import ReadOnlyAdminMixin


@admin.register(CatalogVariant)
class CatalogVariantAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sku", "display_name", "price", "currency", "is_active", "is_deleted", "source_updated_at"]
    list_filter = ["is_active", "is_deleted", "currency"]
    search_fields = ["variant_id", "product_id", "sku", "name"]


class CartItemInline(admin.TabularInline):
    model = CartItem
    extra = 0
    fields = ["variant", "quantity", "created_at", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]
    raw_id_fields = ["variant"]


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ["id", "user_id", "updated_at"]
    search_fields = ["id", "user_id"]
    readonly_fields = ["id", "created_at", "updated_at"]
    inlines = [CartItemInline]
