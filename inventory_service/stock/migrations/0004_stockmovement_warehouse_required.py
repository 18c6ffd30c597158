"""Every movement names its warehouse. A migration of its own: on PostgreSQL, rows updated in
0003 leave deferred foreign-key checks pending in that transaction, and ALTER TABLE refuses to
run while they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stock", "0003_warehouses"),
    ]

    operations = [
        migrations.AlterField(
            model_name="stockmovement",
            name="warehouse",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="movements", to="stock.warehouse"
            ),
        ),
    ]
