"""Pricing a checkout from the database: the rules that apply to a basket, and the voucher's
uses, taken in the transaction that places the order and given back when it is cancelled."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Model, ProtectedError, Q
from django.utils import timezone

from ecom_common.errors import ConflictError
from pricing import calculate
from pricing.models import Promotion, ShippingMethod, TaxRate, Voucher, VoucherUse

VOUCHER_ERRORS = {
    "voucher_invalid": "This voucher code does not apply to this order.",
    "voucher_expired": "This voucher is not valid now.",
    "voucher_used_up": "This voucher has been used as often as it may be.",
}


def _voucher_error(code: str, *, field: str = "voucher_code") -> ValidationError:
    return ValidationError({field: ValidationError(VOUCHER_ERRORS[code], code=code)})


@dataclass(frozen=True)
class Destination:
    country: str = ""
    region: str = ""

    @classmethod
    def of(cls, address: dict | None) -> "Destination":
        address = address or {}
        return cls(country=str(address.get("country") or "").upper(), region=str(address.get("region") or ""))


# ---------------------------------------------------------------------------
# What applies
# ---------------------------------------------------------------------------
def _valid_now(queryset, now: datetime):
    return (
        queryset.filter(is_active=True)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    )


def promotions_current(*, currency: str, now: datetime) -> list[calculate.Rule]:
    """Active promotions valid at ``now`` (a fixed amount only in the order's currency)."""
    promotions = _valid_now(Promotion.objects.all(), now).exclude(~Q(currency=currency), kind="fixed")
    return [promotion.as_rule() for promotion in promotions]


def shipping_methods_for(*, country: str, currency: str | None = None) -> list[ShippingMethod]:
    """Active methods delivering to ``country``, cheapest first (a shop has a handful: the
    country is matched here rather than with a JSON lookup SQLite lacks)."""
    methods = ShippingMethod.objects.filter(is_active=True).order_by("price", "name")
    if currency is not None:
        methods = methods.filter(currency=currency)
    return [method for method in methods if country.upper() in method.countries]


def shipping_method_choose(
    *, destination: Destination, currency: str, method_id: uuid.UUID | str | None
) -> ShippingMethod | None:
    """The method named (it must deliver there), else the cheapest that does; None: none does,
    and shipping is free."""
    methods = shipping_methods_for(country=destination.country, currency=currency)
    if method_id is None:
        return methods[0] if methods else None
    for method in methods:
        if str(method.id) == str(method_id):
            return method
    raise ValidationError(
        {
            "shipping_method_id": ValidationError(
                "This shipping method does not deliver to this address.", code="shipping_method_invalid"
            )
        }
    )


def tax_rate_for(destination: Destination) -> TaxRate | None:
    """The region's rate, else the country's, else none."""
    rates = {
        r.region: r for r in TaxRate.objects.filter(country=destination.country, region__in=[destination.region, ""])
    }
    return rates.get(destination.region) or rates.get("")


def voucher_find(code: str | None, *, lock: bool = False) -> Voucher | None:
    """The voucher with ``code`` (any case); an unknown or inactive one is ``voucher_invalid``."""
    if not code:
        return None
    vouchers = Voucher.objects.select_for_update() if lock else Voucher.objects.all()
    voucher = vouchers.filter(code=code.strip().upper(), is_active=True).first()
    if voucher is None:
        raise _voucher_error("voucher_invalid")
    return voucher


def _voucher_check_uses(voucher: Voucher, *, user_id) -> None:
    if voucher.usage_limit is not None and voucher.used_count >= voucher.usage_limit:
        raise _voucher_error("voucher_used_up")
    if voucher.per_customer_limit is not None:
        mine = VoucherUse.objects.filter(voucher=voucher, user_id=user_id, released_at__isnull=True).count()
        if mine >= voucher.per_customer_limit:
            raise _voucher_error("voucher_used_up")


# ---------------------------------------------------------------------------
# Pricing
# ---------------------------------------------------------------------------
@dataclass
class Priced:
    breakdown: calculate.Breakdown
    currency: str
    voucher: Voucher | None
    shipping_method: ShippingMethod | None


def price_lines_of(wanted) -> list[calculate.PriceLine]:
    """What the pricing function needs of each (variant, quantity)."""
    return [
        calculate.PriceLine(
            key=str(variant.variant_id),
            product_id=str(variant.product_id),
            unit_price=variant.price,
            quantity=quantity,
            category_slugs=tuple(variant.category_slugs or ()),
            brand_slug=variant.brand_slug or None,
        )
        for variant, quantity in wanted
    ]


def price_lines(
    *,
    lines: Sequence[calculate.PriceLine],
    currency: str,
    destination: Destination,
    user_id,
    voucher_code: str | None = None,
    shipping_method_id=None,
    for_checkout: bool = False,
    now: datetime | None = None,
) -> Priced:
    """Prices ``lines`` with what applies today. A voucher that does not apply is a
    ValidationError (``voucher_invalid``, ``voucher_expired``, ``voucher_used_up``) on
    ``voucher_code``. ``for_checkout`` locks the voucher's row until the transaction ends, so
    concurrent checkouts take its last use one at a time."""
    now = now or timezone.now()
    voucher = voucher_find(voucher_code, lock=for_checkout)
    if voucher is not None:
        _voucher_check_uses(voucher, user_id=user_id)
        if voucher.kind == calculate.FIXED and voucher.currency != currency:
            raise _voucher_error("voucher_invalid")
    method = shipping_method_choose(destination=destination, currency=currency, method_id=shipping_method_id)
    rate = tax_rate_for(destination)
    breakdown = calculate.price_checkout(
        lines=lines,
        now=now,
        promotions=promotions_current(currency=currency, now=now),
        voucher=voucher.as_rule() if voucher else None,
        shipping=method.as_shipping() if method else None,
        tax=rate.as_tax() if rate else None,
        prices_include_tax=settings.PRICES_INCLUDE_TAX,
    )
    if breakdown.voucher_rejection:
        raise _voucher_error(breakdown.voucher_rejection)
    return Priced(breakdown=breakdown, currency=currency, voucher=voucher, shipping_method=method)


def voucher_use_take(*, priced: Priced, order_id: uuid.UUID, user_id) -> VoucherUse | None:
    """The order's use of its voucher (whose row ``price_lines(for_checkout=True)`` locked)."""
    if priced.voucher is None:
        return None
    amount = sum((d.amount for d in priced.breakdown.discounts if d.source == "voucher"), calculate.ZERO)
    Voucher.objects.filter(pk=priced.voucher.pk).update(used_count=F("used_count") + 1)
    return VoucherUse.objects.create(voucher=priced.voucher, order_id=order_id, user_id=user_id, amount=amount)


def voucher_use_release(*, order_id: uuid.UUID) -> bool:
    """A cancelled order gives its voucher's use back; once (run under the order's lock)."""
    use = VoucherUse.objects.select_for_update().filter(order_id=order_id, released_at__isnull=True).first()
    if use is None:
        return False
    use.released_at = timezone.now()
    use.save(update_fields=["released_at"])
    Voucher.objects.filter(pk=use.voucher_id).update(used_count=F("used_count") - 1)
    return True


def breakdown_data(priced: Priced) -> dict:
    """The breakdown as the API and the events show it: amounts as strings."""
    breakdown = priced.breakdown
    method = priced.shipping_method
    return {
        "subtotal": str(breakdown.subtotal),
        "discount_total": str(breakdown.discount_total),
        "shipping_total": str(breakdown.shipping_total),
        "tax_total": str(breakdown.tax_total),
        "total": str(breakdown.total),
        "currency": priced.currency,
        "tax_included": breakdown.prices_include_tax,
        "discounts": [
            {"code": d.code, "name": d.name, "amount": str(d.amount), "source": d.source} for d in breakdown.discounts
        ],
        "shipping_method": (
            {"id": str(method.id), "name": method.name, "price": str(breakdown.shipping_total)} if method else None
        ),
        "tax": {"name": breakdown.tax.name, "rate": str(breakdown.tax.rate)} if breakdown.tax else None,
    }


# ---------------------------------------------------------------------------
# Staff set-up: promotions, vouchers, shipping methods, tax rates (the API's CRUD)
# ---------------------------------------------------------------------------


@transaction.atomic
def setup_create[SetUp: Model](*, model: type[SetUp], data: dict) -> SetUp:
    """A new promotion, voucher, shipping method or tax rate from its validated fields."""
    instance = model(**data)
    instance.save(force_insert=True)
    return instance


@transaction.atomic
def setup_update[SetUp: Model](*, instance: SetUp, data: dict) -> SetUp:
    for field, value in data.items():
        setattr(instance, field, value)
    instance.save()
    return instance


@transaction.atomic
def setup_delete(*, instance: Model, in_use: str) -> None:
    """Deletes what no order refers to; else a ConflictError saying ``in_use``."""
    try:
        instance.delete()
    except ProtectedError as error:
        raise ConflictError(in_use) from error
