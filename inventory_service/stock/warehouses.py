"""Warehouses: staff create, edit and retire them; the services pick where units go."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ecom_common.errors import ConflictError
from stock.models import Warehouse

# The warehouse made on first need when there is none at all (a fresh install, a test database):
# stock always has somewhere to be. Staff rename it or add others (migration 0003 has a copy).
DEFAULT_WAREHOUSE = {"code": "main", "name": "Main warehouse", "country": "US", "priority": 10}


def warehouse_default() -> Warehouse:
    """Where units go when no warehouse is named: the active warehouse first in priority order."""
    warehouse = Warehouse.objects.filter(is_active=True).order_by("priority", "code").first()
    if warehouse is not None:
        return warehouse
    if Warehouse.objects.exists():
        raise ValidationError(
            {"warehouse": ValidationError("No warehouse is active: name one, or activate one.", code="required")}
        )
    warehouse, _ = Warehouse.objects.get_or_create(code=DEFAULT_WAREHOUSE["code"], defaults=DEFAULT_WAREHOUSE)
    return warehouse


def warehouse_named(code: str | None, *, field: str = "warehouse") -> Warehouse:
    """The warehouse with ``code``; with none given, the default one."""
    if not code:
        return warehouse_default()
    warehouse = Warehouse.objects.filter(code=code).first()
    if warehouse is None:
        raise ValidationError(
            {field: ValidationError("There is no warehouse %(code)s.", code="does_not_exist", params={"code": code})}
        )
    return warehouse


def warehouse_create(**data: Any) -> Warehouse:
    warehouse = Warehouse(**data)
    warehouse.full_clean()
    warehouse.save()
    return warehouse


@transaction.atomic
def warehouse_update(*, warehouse: Warehouse, data: dict[str, Any]) -> Warehouse:
    for name, value in data.items():
        setattr(warehouse, name, value)
    warehouse.full_clean()
    warehouse.save()
    return warehouse


@transaction.atomic
def warehouse_delete(*, warehouse: Warehouse) -> None:
    """Only a warehouse stock never went through can be deleted: the ledger names it."""
    if warehouse.movements.exists() or warehouse.stocks.exists():
        raise ConflictError("This warehouse has held stock; deactivate it instead.")
    warehouse.delete()
