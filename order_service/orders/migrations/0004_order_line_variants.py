"""Order lines name the variant bought and its SKU. Lines so far bought a product's one default
variant, which has the product's id (the catalog's migration 0002); their SKU comes from the
catalog copy where it still knows it."""

from django.db import migrations, models


def lines_of_default_variants(apps, schema_editor):
    OrderLine = apps.get_model("orders", "OrderLine")
    CatalogVariant = apps.get_model("cart", "CatalogVariant")
    skus = dict(CatalogVariant.objects.values_list("variant_id", "sku"))
    for line in OrderLine.objects.iterator():
        line.variant_id = line.product_id
        line.sku = skus.get(line.product_id, "")
        line.save(update_fields=["variant_id", "sku"])


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_fulfilment_and_returns"), ("cart", "0002_variants")]

    operations = [
        migrations.AddField(model_name="orderline", name="variant_id", field=models.UUIDField(null=True)),
        migrations.AddField(
            model_name="orderline", name="sku", field=models.CharField(blank=True, max_length=64, verbose_name="SKU")
        ),
        migrations.RunPython(lines_of_default_variants, migrations.RunPython.noop),
        migrations.AlterField(model_name="orderline", name="variant_id", field=models.UUIDField()),
    ]
