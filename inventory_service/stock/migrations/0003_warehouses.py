"""Stock per warehouse. Existing stock, movements and reservations move to one warehouse,
``main`` (created only if there is anything to move; the services create it on first need)."""

import django.db.models.deletion
from django.db import migrations, models

# Frozen copies of stock.services.DEFAULT_WAREHOUSE.
MAIN = {"code": "main", "name": "Main warehouse", "country": "US", "priority": 10}


def stock_into_main_warehouse(apps, schema_editor):
    Stock = apps.get_model("stock", "Stock")
    StockMovement = apps.get_model("stock", "StockMovement")
    Reservation = apps.get_model("stock", "Reservation")
    if not (Stock.objects.exists() or StockMovement.objects.exists()):
        return
    Warehouse = apps.get_model("stock", "Warehouse")
    WarehouseStock = apps.get_model("stock", "WarehouseStock")
    ReservationAllocation = apps.get_model("stock", "ReservationAllocation")
    main, _ = Warehouse.objects.get_or_create(code=MAIN["code"], defaults=MAIN)
    WarehouseStock.objects.bulk_create(
        WarehouseStock(variant_id=stock.variant_id, warehouse=main, on_hand=stock.on_hand, reserved=stock.reserved)
        for stock in Stock.objects.iterator()
    )
    StockMovement.objects.update(warehouse=main)
    ReservationAllocation.objects.bulk_create(
        ReservationAllocation(reservation_id=reservation.id, warehouse=main, quantity=reservation.quantity)
        for reservation in Reservation.objects.iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("stock", "0002_variants"),
    ]

    operations = [
        migrations.CreateModel(
            name="Warehouse",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "code",
                    models.SlugField(
                        help_text="Short name used by the API, e.g. main, eu-1.", max_length=32, unique=True
                    ),
                ),
                ("name", models.CharField(max_length=120)),
                ("country", models.CharField(help_text="ISO 3166-1 alpha-2 code, e.g. US.", max_length=2)),
                (
                    "priority",
                    models.PositiveIntegerField(
                        default=100, help_text="Reservations take units from the lowest number first (ties by code)."
                    ),
                ),
                (
                    "is_active",
                    models.BooleanField(
                        default=True, help_text="An inactive warehouse keeps its stock but is not reserved from."
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["priority", "code"],
            },
        ),
        migrations.AddField(
            model_name="stockmovement",
            name="transfer_id",
            field=models.UUIDField(blank=True, db_index=True, null=True),
        ),
        migrations.AlterField(
            model_name="stockmovement",
            name="kind",
            field=models.CharField(
                choices=[
                    ("adjustment", "Adjustment"),
                    ("reservation", "Reservation"),
                    ("release", "Release"),
                    ("commit", "Commit"),
                    ("restock", "Restock"),
                    ("expiry", "Expiry"),
                    ("transfer", "Transfer"),
                ],
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="stockmovement",
            name="warehouse",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="movements", to="stock.warehouse"
            ),
        ),
        migrations.CreateModel(
            name="ReservationAllocation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("quantity", models.PositiveIntegerField()),
                ("restocked", models.PositiveIntegerField(default=0)),
                (
                    "reservation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="allocations", to="stock.reservation"
                    ),
                ),
                (
                    "warehouse",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="allocations", to="stock.warehouse"
                    ),
                ),
            ],
            options={
                "ordering": ["reservation_id", "warehouse__priority", "warehouse__code"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("reservation", "warehouse"), name="stock_allocation_one_per_warehouse"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("quantity__gt", 0)), name="stock_allocation_quantity_positive"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("restocked__lte", models.F("quantity"))),
                        name="stock_allocation_restocked_within",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="WarehouseStock",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("on_hand", models.PositiveIntegerField(default=0)),
                ("reserved", models.PositiveIntegerField(default=0)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "variant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="warehouse_stocks", to="stock.stock"
                    ),
                ),
                (
                    "warehouse",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="stocks", to="stock.warehouse"
                    ),
                ),
            ],
            options={
                "ordering": ["variant_id", "warehouse__priority", "warehouse__code"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("variant", "warehouse"), name="stock_warehousestock_one_per_warehouse"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("on_hand__gte", 0)), name="stock_warehousestock_on_hand_non_negative"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("reserved__gte", 0)), name="stock_warehousestock_reserved_non_negative"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("reserved__lte", models.F("on_hand"))),
                        name="stock_warehousestock_reserved_within_on_hand",
                    ),
                ],
            },
        ),
        migrations.RunPython(stock_into_main_warehouse, migrations.RunPython.noop),
    ]
