"""Stock is kept per variant (a product's SKU). Every stock record so far was a product's, and that
product's one default variant has the product's id (catalog migration 0002), so the records, their
reservations and movements keep their ids: the columns are renamed, and each record learns its
product (the same id)."""

from django.db import migrations, models


def products_of_existing_stock(apps, schema_editor):
    Stock = apps.get_model("stock", "Stock")
    Stock.objects.update(product_id=models.F("variant_id"))


class Migration(migrations.Migration):
    dependencies = [("stock", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="reservation", name="stock_reservation_one_per_order_line"),
        migrations.RenameField(model_name="stock", old_name="product_id", new_name="variant_id"),
        migrations.RenameField(model_name="reservation", old_name="product", new_name="variant"),
        migrations.RenameField(model_name="stockmovement", old_name="product", new_name="variant"),
        migrations.AddField(
            model_name="stock",
            name="product_id",
            field=models.UUIDField(blank=True, db_index=True, null=True),
        ),
        migrations.RunPython(products_of_existing_stock, migrations.RunPython.noop),
        migrations.AlterModelOptions(name="stock", options={"ordering": ["variant_id"]}),
        migrations.AddConstraint(
            model_name="reservation",
            constraint=models.UniqueConstraint(
                fields=("order_id", "variant"), name="stock_reservation_one_per_order_line"
            ),
        ),
    ]
