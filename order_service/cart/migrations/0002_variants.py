"""The catalog copy holds variants. Every product so far has one default variant with the
product's id (the catalog's migration 0002), so each copied product becomes that variant under
the same id, knowing its product (the same id), and cart lines keep pointing at it."""

from django.db import migrations, models


def products_of_existing_variants(apps, schema_editor):
    CatalogVariant = apps.get_model("cart", "CatalogVariant")
    CatalogVariant.objects.update(product_id=models.F("variant_id"))


class Migration(migrations.Migration):
    dependencies = [("cart", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="cartitem", name="cart_item_one_line_per_product"),
        migrations.RenameModel(old_name="CatalogProduct", new_name="CatalogVariant"),
        migrations.RenameField(model_name="catalogvariant", old_name="product_id", new_name="variant_id"),
        migrations.AddField(
            model_name="catalogvariant",
            name="product_id",
            field=models.UUIDField(db_index=True, null=True),
        ),
        migrations.RunPython(products_of_existing_variants, migrations.RunPython.noop),
        migrations.AlterField(model_name="catalogvariant", name="product_id", field=models.UUIDField(db_index=True)),
        migrations.AddField(
            model_name="catalogvariant",
            name="attributes",
            field=models.JSONField(blank=True, default=dict, help_text='The variant\'s values, e.g. {"size": "M"}.'),
        ),
        migrations.AlterField(
            model_name="catalogvariant",
            name="name",
            field=models.CharField(blank=True, help_text="The product's name.", max_length=200),
        ),
        migrations.RenameField(model_name="cartitem", old_name="product", new_name="variant"),
        migrations.AddConstraint(
            model_name="cartitem",
            constraint=models.UniqueConstraint(fields=("cart", "variant"), name="cart_item_one_line_per_variant"),
        ),
    ]
