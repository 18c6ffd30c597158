"""Staff catalog admin. Every change retires the cached product responses, as the API's do;
product changes go through the services, so they are announced as events too."""

from django import forms
from django.contrib import admin
from django.db import transaction

from catalog.cache import catalog_cache_invalidate
from catalog.models import Category, Product
from catalog.services import category_parent_validate, product_create, product_delete, product_update


class CatalogCacheAdminMixin:
    """The admin saves through its forms (already validated); it bumps the cache generation."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            catalog_cache_invalidate()

    def delete_model(self, request, obj):
        with transaction.atomic():
            super().delete_model(request, obj)
            catalog_cache_invalidate()

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            catalog_cache_invalidate()


class CategoryAdminForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "slug", "parent", "description"]

    def clean(self):
        cleaned_data = super().clean()
        category_parent_validate(category=self.instance, parent=cleaned_data.get("parent"))
        return cleaned_data


@admin.register(Category)
class CategoryAdmin(CatalogCacheAdminMixin, admin.ModelAdmin):
    form = CategoryAdminForm
    list_display = ["name", "slug", "parent", "updated_at"]
    list_select_related = ["parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    ordering = ["name"]


class ProductAdminForm(forms.ModelForm):
    """The product form, with the version it was opened at: saving it over someone else's
    later change is refused (optimistic locking), so nobody's edit is silently lost."""

    # Not required: the change list's inline "is active" form has no version to carry.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Product
        fields = ["sku", "name", "slug", "category", "is_active", "price", "currency", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.updated_at and not self.is_bound:
            self.initial["version"] = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned_data = super().clean()
        version = cleaned_data.get("version")
        if version and self.instance.pk:
            current = Product.objects.filter(pk=self.instance.pk).values_list("updated_at", flat=True).first()
            if current is not None and current.isoformat() != version:
                raise forms.ValidationError(
                    "This product was changed by someone else since you opened it: reload the page and "
                    "make your change again.",
                    code="stale",
                )
        return cleaned_data


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductAdminForm
    list_display = ["sku", "name", "category", "price", "currency", "is_active", "updated_at"]
    list_editable = ["is_active"]
    list_select_related = ["category"]
    list_filter = ["is_active", "category", "currency"]
    search_fields = ["sku", "name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["category"]
    readonly_fields = ["id", "created_at", "updated_at"]
    ordering = ["name"]
    fieldsets = [
        (None, {"fields": ["id", "sku", "name", "slug", "category", "is_active", "version"]}),
        ("Price", {"fields": ["price", "currency"]}),
        ("Description", {"fields": ["description"]}),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        if change:
            # Only what this form changed, onto the product as it is now (product_update locks it).
            changed = {name: form.cleaned_data[name] for name in form.changed_data if name != "version"}
            product_update(product=obj, data=changed)
            return
        product_create(
            id=obj.id,
            sku=obj.sku,
            name=obj.name,
            slug=obj.slug,
            description=obj.description,
            price=obj.price,
            currency=obj.currency,
            category=obj.category,
            is_active=obj.is_active,
        )

    def delete_model(self, request, obj):
        product_delete(product=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for product in queryset:
                product_delete(product=product)
