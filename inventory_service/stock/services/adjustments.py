"""Staff writes to stock: the records of a new product's variants, adjustments and transfers
between warehouses, each applied once per Idempotency-Key."""

import functools
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ecom_common.idempotency import idempotency_key_reused
from stock.models import (
    Stock,
    StockMovement,
    Warehouse,
)
from stock.services.ledger import (
    MAX_UNITS,
    locked_stock,
    not_enough,
    place_for,
    places_lock,
    stock_change,
    uuid_of,
)
from stock.warehouses import warehouse_named


# ---------------------------------------------------------------------------
# Stock records, staff adjustments and transfers
# ---------------------------------------------------------------------------
@transaction.atomic
def stock_create_for_product(*, product_id: uuid.UUID | str, variants: list[dict] | None) -> list[Stock]:
    """A stock record per variant of the product, made empty where there is none yet, each
    knowing its product (on ``product.created`` and ``product.updated``: a new variant gets its
    record). An event from before variants names none: the product's own id is its one variant."""
    product_id = uuid_of(product_id, field="product_id")
    variant_ids = [uuid_of(v["variant_id"], field="variants") for v in variants] if variants else [product_id]
    Stock.objects.bulk_create(
        [Stock(variant_id=variant_id, product_id=product_id) for variant_id in variant_ids], ignore_conflicts=True
    )
    # A record made by an adjustment before the catalog's event learns its product here.
    Stock.objects.filter(variant_id__in=variant_ids).exclude(product_id=product_id).update(
        product_id=product_id, updated_at=timezone.now()
    )
    return list(Stock.objects.filter(variant_id__in=variant_ids).order_by("variant_id"))


def _key_race_is_a_conflict(write):
    """For the writes that take an Idempotency-Key: a key raced for by two different requests
    surfaces as the unique index's error, outside the write's transaction."""

    @functools.wraps(write)
    def guarded(**kwargs):
        try:
            return write(**kwargs)
        except IntegrityError as error:
            raise idempotency_key_reused() from error  # a twin with the key, for another variant

    return guarded


def _already_applied(idempotency_key: str | None, *, expected: tuple, pair_into: Warehouse | None = None) -> bool:
    """Whether the request with ``idempotency_key`` was applied before: its movement (``expected``
    is its kind, variant id, warehouse id and on-hand delta; a transfer's pair lands in
    ``pair_into``). Looked up under the Stock row's lock, so a concurrent retry waits for the
    first and then sees it. The key used for a different request is a ConflictError."""
    if not idempotency_key:
        return False
    previous = StockMovement.objects.filter(idempotency_key=idempotency_key).first()
    if previous is None:
        return False
    same = (previous.kind, previous.variant_id, previous.warehouse_id, previous.on_hand_delta) == expected
    if same and pair_into is not None:
        same = StockMovement.objects.filter(transfer_id=previous.transfer_id, warehouse=pair_into).exists()
    if not same:
        raise idempotency_key_reused()
    return True


@_key_race_is_a_conflict
@transaction.atomic
def stock_adjust(
    *,
    variant_id: uuid.UUID | str,
    delta: int,
    reason: str,
    actor: str,
    warehouse: str | None = None,
    idempotency_key: str | None = None,
) -> Stock:
    """Adds ``delta`` (negative removes) to on_hand in ``warehouse`` (a code; by default the
    first active warehouse), creating the stock record if absent.

    A change that would leave less on hand than is reserved there is a ValidationError on
    ``delta``. With ``idempotency_key``, a retry of the same adjustment returns the stock without
    applying it again; the key reused for another request is a ConflictError.
    """
    variant_id = uuid_of(variant_id, field="variant_id")
    idempotency_key = idempotency_key or None
    if delta == 0:
        raise ValidationError(
            {"delta": ValidationError("An adjustment changes stock by at least one unit.", code="zero")}
        )
    target = warehouse_named(warehouse)
    stock = locked_stock(variant_id)
    if _already_applied(idempotency_key, expected=(StockMovement.Kind.ADJUSTMENT, variant_id, target.pk, delta)):
        return stock
    place = place_for(stock=stock, warehouse=target)
    if place.on_hand + delta < place.reserved:
        raise not_enough(place, field="delta")
    if stock.on_hand + delta > MAX_UNITS:
        raise ValidationError(
            {
                "delta": ValidationError(
                    "A variant holds at most %(max)s units.", code="max_value", params={"max": MAX_UNITS}
                )
            }
        )
    stock_change(
        stock=stock,
        place=place,
        kind=StockMovement.Kind.ADJUSTMENT,
        on_hand_delta=delta,
        reason=reason,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    return stock


@_key_race_is_a_conflict
@transaction.atomic
def stock_transfer(
    *,
    variant_id: uuid.UUID | str,
    source: str,
    destination: str,
    quantity: int,
    reason: str,
    actor: str,
    idempotency_key: str | None = None,
) -> Stock:
    """Moves ``quantity`` available units of a variant from warehouse ``source`` to
    ``destination`` (codes): two movements, one transaction, the total unchanged. Units held by
    reservations stay where they are. Retried with the same ``idempotency_key``, applied once."""
    variant_id = uuid_of(variant_id, field="variant_id")
    idempotency_key = idempotency_key or None
    if quantity < 1:
        raise ValidationError({"quantity": ValidationError("A transfer moves at least one unit.", code="min_value")})
    origin = warehouse_named(source, field="from_warehouse")
    target = warehouse_named(destination, field="to_warehouse")
    if origin.pk == target.pk:
        raise ValidationError(
            {"to_warehouse": ValidationError("A transfer goes to another warehouse.", code="same_warehouse")}
        )
    stock = locked_stock(variant_id)
    expected = (StockMovement.Kind.TRANSFER, variant_id, origin.pk, -quantity)
    if _already_applied(idempotency_key, expected=expected, pair_into=target):
        return stock
    # Both rows, locked in the one order every transaction uses (after the Stock row).
    places = {place.warehouse_id: place for place in places_lock(variant_ids=[variant_id]).get(variant_id, [])}
    out_of = places.get(origin.pk) or place_for(stock=stock, warehouse=origin)
    into = places.get(target.pk) or place_for(stock=stock, warehouse=target)
    if out_of.available < quantity:
        raise not_enough(out_of, field="quantity")
    transfer_id = uuid.uuid4()
    reason = reason or f"transfer {origin.code} → {target.code}"
    common = {"stock": stock, "kind": StockMovement.Kind.TRANSFER, "reason": reason, "actor": actor}
    stock_change(
        place=out_of, on_hand_delta=-quantity, idempotency_key=idempotency_key, transfer_id=transfer_id, **common
    )
    stock_change(place=into, on_hand_delta=quantity, transfer_id=transfer_id, **common)
    return stock
