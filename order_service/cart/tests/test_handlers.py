"""product.* events keep the catalog copy, whatever order they arrive in."""

import uuid
from decimal import Decimal

from cart.models import CatalogVariant
from ecom_common.testing.events import deliver, event_envelope

PRODUCT_ID = str(uuid.uuid4())


def product_event(type: str, *, updated_at: str, name: str = "Kettle", price: str = "9.50", is_active: bool = True):
    return event_envelope(
        type,
        {
            "product_id": PRODUCT_ID,
            "sku": "K-1",
            "name": name,
            "price": price,
            "currency": "USD",
            "is_active": is_active,
            "updated_at": updated_at,
        },
    )


def stored() -> tuple:
    product = CatalogVariant.objects.get(product_id=PRODUCT_ID)
    return product.name, product.price, product.is_active, product.is_deleted


def test_product_created_is_copied():
    deliver(product_event("product.created", updated_at="2026-01-01T10:00:00Z"))

    assert stored() == ("Kettle", Decimal("9.50"), True, False)


def test_a_redelivered_update_has_its_effect_once():
    envelope = product_event("product.updated", updated_at="2026-01-01T10:00:00Z", name="Steel Kettle")

    assert deliver(envelope) == ["cart.handlers.catalog_product_sync"]
    assert deliver(envelope) == []

    assert stored() == ("Steel Kettle", Decimal("9.50"), True, False)


def test_an_older_update_arriving_late_is_ignored():
    deliver(product_event("product.updated", updated_at="2026-01-01T11:00:00Z", name="New", price="12.00"))

    deliver(product_event("product.updated", updated_at="2026-01-01T10:00:00Z", name="Old", price="8.00"))

    assert stored() == ("New", Decimal("12.00"), True, False)


def test_an_update_overtaking_its_create_wins():
    deliver(product_event("product.updated", updated_at="2026-01-01T11:00:00Z", name="Renamed"))

    deliver(product_event("product.created", updated_at="2026-01-01T10:00:00Z", name="Original"))

    assert stored() == ("Renamed", Decimal("9.50"), True, False)


def test_deleted_product_is_not_resurrected_by_a_late_update():
    deliver(product_event("product.created", updated_at="2026-01-01T10:00:00Z"))
    deliver(event_envelope("product.deleted", {"product_id": PRODUCT_ID, "sku": "K-1"}))

    deliver(product_event("product.updated", updated_at="2026-01-01T10:30:00Z", name="Zombie"))

    assert stored() == ("Kettle", Decimal("9.50"), False, True)


def test_delete_arriving_before_the_create_leaves_a_tombstone():
    deliver(event_envelope("product.deleted", {"product_id": PRODUCT_ID, "sku": "K-1"}))

    deliver(product_event("product.created", updated_at="2026-01-01T10:00:00Z"))

    assert stored() == ("", Decimal("0.00"), False, True)


def _variants_event(type: str, updated_at: str, *variants: tuple[str, str, str, bool]) -> dict:
    """An event of a product with variants ``(variant_id, sku, price, is_active)`` sized by SKU."""
    return event_envelope(
        type,
        {
            "product_id": PRODUCT_ID,
            "sku": variants[0][1],
            "name": "Tee",
            "price": min(v[2] for v in variants),
            "currency": "USD",
            "is_active": True,
            "updated_at": updated_at,
            "variants": [
                {
                    "variant_id": v,
                    "sku": sku,
                    "price": price,
                    "currency": "USD",
                    "is_active": active,
                    "attributes": {"size": sku[-1]},
                }
                for v, sku, price, active in variants
            ],
        },
    )


def test_each_variant_is_copied_and_a_removed_one_becomes_a_tombstone():
    small, medium = str(uuid.uuid4()), str(uuid.uuid4())

    deliver(
        _variants_event(
            "product.created", "2026-01-01T10:00:00Z", (small, "T-S", "20.00", True), (medium, "T-M", "22.00", False)
        )
    )
    first = sorted((str(v.variant_id), v.display_name, v.price, v.is_available) for v in CatalogVariant.objects.all())
    deliver(_variants_event("product.updated", "2026-01-01T11:00:00Z", (small, "T-S", "21.00", True)))
    # An older update arriving late changes nothing.
    deliver(
        _variants_event(
            "product.updated", "2026-01-01T10:30:00Z", (small, "T-S", "1.00", True), (medium, "T-M", "1.00", True)
        )
    )

    assert first == sorted([(small, "Tee (S)", Decimal("20.00"), True), (medium, "Tee (M)", Decimal("22.00"), False)])
    after = {str(v.variant_id): (v.price, v.is_available, v.is_deleted) for v in CatalogVariant.objects.all()}
    assert after == {small: (Decimal("21.00"), True, False), medium: (Decimal("22.00"), False, True)}


def test_a_deleted_product_takes_every_variant_with_it():
    small, medium = str(uuid.uuid4()), str(uuid.uuid4())
    deliver(
        _variants_event(
            "product.created", "2026-01-01T10:00:00Z", (small, "T-S", "20.00", True), (medium, "T-M", "22.00", True)
        )
    )

    deliver(
        event_envelope("product.deleted", {"product_id": PRODUCT_ID, "sku": "T-S", "variant_ids": [small, medium]})
    )

    assert set(CatalogVariant.objects.values_list("is_deleted", "is_active")) == {(True, False)}
