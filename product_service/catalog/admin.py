"""Staff catalog admin. Every change retires the cached product responses, as the API's do;
product changes go through the services, so they are announced as events too."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.html import format_html

from catalog.cache import catalog_cache_invalidate
from catalog.images import image_form_check, renditions_enqueue
from catalog.models import (
    Attribute,
    AttributeValue,
    Brand,
    Category,
    Product,
    ProductImage,
    ProductType,
    ProductVariant,
    Purchase,
    Review,
)
from catalog.reviews import reviews_set_visible
from catalog.services import (
    brand_products_announce,
    category_parent_validate,
    category_products_announce,
    product_delete,
    product_update,
    product_variants_saved,
    unique_slug,
    variant_attributes_key,
    variant_values_check,
)


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

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and {"slug", "parent"} & set(form.changed_data):
                category_products_announce(category=obj)


class ProductAdminForm(forms.ModelForm):
    """The product form, with the version it was opened at: saving it over someone else's
    later change is refused (optimistic locking), so nobody's edit is silently lost."""

    # Not required: the change list's inline "is active" form has no version to carry.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Product
        fields = ["name", "slug", "category", "brand", "product_type", "is_active", "currency", "description"]

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


class VariantInlineFormSet(forms.BaseInlineFormSet):
    """A product has at least one variant, one value per attribute on each, of the attributes its
    type varies by, and no two variants with the same combination."""

    def clean(self):
        super().clean()
        product_type = None
        if self.instance is not None:
            product_type = self.instance.product_type
        seen = {}
        for form in self.forms:
            if (not form.has_changed() and not form.instance.pk) or form.cleaned_data.get("DELETE"):
                continue
            values = list(form.cleaned_data.get("attribute_values") or [])
            try:
                variant_values_check(product_type=product_type, values=values)
            except ValidationError as error:
                form.add_error("attribute_values", error)
                continue
            key = frozenset(value.pk for value in values)
            if key in seen:
                form.add_error("attribute_values", f"Variant {seen[key]} already has these attribute values.")
            seen.setdefault(key, form.cleaned_data.get("sku"))


class VariantAdminForm(forms.ModelForm):
    class Meta:
        model = ProductVariant
        fields = ["sku", "price", "attribute_values", "is_active", "position"]

    def clean(self):
        cleaned_data = super().clean()
        # Set before the row is saved (its values are saved after it): the database's unique
        # (product, attributes_key) compares what this form is about to store.
        self.instance.attributes_key = variant_attributes_key(list(cleaned_data.get("attribute_values") or []))
        return cleaned_data


class VariantInline(admin.TabularInline):
    model = ProductVariant
    form = VariantAdminForm
    formset = VariantInlineFormSet
    fields = ["sku", "price", "attribute_values", "is_active", "position"]
    min_num = 1
    validate_min = True
    extra = 0
    autocomplete_fields = ["attribute_values"]


class ProductImageAdminForm(forms.ModelForm):
    class Meta:
        model = ProductImage
        fields = ["file", "alt", "position"]

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file and "file" in self.changed_data:
            self.instance.format = image_form_check(file)  # the API's checks, before storing
        return file


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageAdminForm
    fields = ["preview", "file", "alt", "position", "width", "height"]
    readonly_fields = ["preview", "width", "height"]
    extra = 0

    @admin.display(description="Preview")
    def preview(self, image: ProductImage):
        path = image.renditions.get("thumbnail")
        if not path:
            return "(thumbnail on its way)" if image.pk else ""
        return format_html('<img src="{}" alt="{}" style="max-height: 80px">', default_storage.url(path), image.alt)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductAdminForm
    inlines = [VariantInline, ProductImageInline]
    list_display = ["name", "brand", "category", "price", "currency", "is_active", "updated_at"]
    list_editable = ["is_active"]
    list_select_related = ["category", "brand"]
    list_filter = ["is_active", "category", "brand", "product_type", "currency"]
    search_fields = ["name", "description", "variants__sku"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["category", "brand"]
    readonly_fields = ["id", "price", "rating_average", "rating_count", "created_at", "updated_at"]
    ordering = ["name"]
    fieldsets = [
        (None, {"fields": ["id", "name", "slug", "category", "brand", "product_type", "is_active", "version"]}),
        ("Price", {"fields": ["price", "currency"], "description": "The lowest price among the active variants."}),
        ("Description", {"fields": ["description"]}),
        ("Reviews", {"fields": ["rating_average", "rating_count"]}),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        if change:
            # Only what this form changed, onto the product as it is now (product_update locks it).
            changed = {name: form.cleaned_data[name] for name in form.changed_data if name != "version"}
            product_update(product=obj, data=changed)
            return
        # The variants come from the inline, saved next; product_variants_saved announces it all.
        obj.price = 0
        obj.slug = obj.slug or unique_slug(model=Product, text=obj.name, max_length=220)
        obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        product_variants_saved(product=form.instance, created=not change)
        for image in form.instance.images.filter(renditions={}):
            transaction.on_commit(lambda image_id=image.id: renditions_enqueue(image_id))

    def delete_model(self, request, obj):
        product_delete(product=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for product in queryset:
                product_delete(product=product)


class BrandAdminForm(forms.ModelForm):
    class Meta:
        model = Brand
        fields = ["name", "slug", "description", "logo"]

    def clean_logo(self):
        logo = self.cleaned_data["logo"]
        if logo and "logo" in self.changed_data:
            image_form_check(logo)  # the product images' checks: size, pixels, real format
        return logo


@admin.register(Brand)
class BrandAdmin(CatalogCacheAdminMixin, admin.ModelAdmin):
    form = BrandAdminForm
    list_display = ["name", "slug", "updated_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and "slug" in form.changed_data:
                brand_products_announce(brand=obj)


class AttributeValueInline(admin.TabularInline):
    model = AttributeValue
    fields = ["value", "slug", "position"]
    prepopulated_fields = {"slug": ["value"]}
    extra = 1


@admin.register(Attribute)
class AttributeAdmin(CatalogCacheAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AttributeValueInline]


@admin.register(AttributeValue)
class AttributeValueAdmin(admin.ModelAdmin):
    """Listed for the variants' value pickers (their search); edit values on their attribute."""

    search_fields = ["value", "slug", "attribute__name"]
    list_display = ["value", "attribute", "slug"]
    list_select_related = ["attribute"]

    def get_model_perms(self, request):
        return {}  # not in the index: values are edited on their attribute's page


@admin.register(ProductType)
class ProductTypeAdmin(CatalogCacheAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["variant_attributes"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Moderation: hide or show reviews (the product's rating follows); their text is the buyer's."""

    list_display = ["title", "product", "rating", "is_visible", "user_id", "created_at"]
    list_filter = ["is_visible", "rating"]
    list_select_related = ["product"]
    search_fields = ["title", "body", "product__name", "user_id"]
    readonly_fields = ["id", "product", "user_id", "rating", "title", "body", "is_visible", "created_at", "updated_at"]
    actions = ["hide_selected", "show_selected"]
    ordering = ["-created_at"]

    def has_add_permission(self, request):
        return False  # reviews come from buyers, through the API

    @admin.action(description="Hide the selected reviews", permissions=["change"])
    def hide_selected(self, request, queryset):
        changed = reviews_set_visible(reviews=queryset, visible=False)
        self.message_user(request, f"{changed} review(s) hidden.")

    @admin.action(description="Show the selected reviews", permissions=["change"])
    def show_selected(self, request, queryset):
        changed = reviews_set_visible(reviews=queryset, visible=True)
        self.message_user(request, f"{changed} review(s) shown.")


@admin.register(Purchase)
class PurchaseAdmin(admin.ModelAdmin):
    """Who received what (from order.delivered): whom the API lets review."""

    list_display = ["product", "user_id", "order_id", "delivered_at"]
    list_select_related = ["product"]
    search_fields = ["user_id", "order_id", "product__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
