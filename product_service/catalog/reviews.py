"""Reviews: who may write one (a customer an order of the product was delivered to, told by
``order.delivered``), the one review per customer and product, and the product's rating, kept
current on every change to its visible reviews (never counted per request)."""

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils.dateparse import parse_datetime

from catalog.cache import catalog_cache_invalidate
from catalog.models import Product, Purchase, Review
from ecom_common.errors import ConflictError, NotAllowedError


def purchases_record(
    *, order_id: uuid.UUID | str, user_id: uuid.UUID | str, delivered_at: str, items: list[dict]
) -> int:
    """Remembers that ``user_id`` received each product of ``items`` (on ``order.delivered``);
    products the catalog no longer has are skipped. Returns how many were new."""
    product_ids = {str(item["product_id"]) for item in items}
    known = set(Product.objects.filter(pk__in=product_ids).values_list("pk", flat=True))
    new = 0
    for product_id in known:
        _, created = Purchase.objects.get_or_create(
            user_id=user_id,
            product_id=product_id,
            order_id=order_id,
            defaults={"delivered_at": parse_datetime(delivered_at)},
        )
        new += created
    return new


def _rating_refresh(product_id) -> None:
    """The product's rating from its visible reviews, with the product row locked so two
    changes at once cannot store a stale count. The average is rounded half-up to 2 places."""
    product = Product.objects.select_for_update().get(pk=product_id)
    figures = Review.objects.filter(product_id=product_id, is_visible=True).aggregate(
        average=Avg("rating"), count=Count("id")
    )
    average = figures["average"]
    product.rating_count = figures["count"]
    product.rating_average = (
        None if average is None else Decimal(str(average)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    )
    product.save(update_fields=["rating_count", "rating_average"])  # not updated_at: no product change
    catalog_cache_invalidate()


@transaction.atomic
def review_create(*, product: Product, user_id: uuid.UUID | str, rating: int, title: str, body: str = "") -> Review:
    if not Purchase.objects.filter(product=product, user_id=user_id).exists():
        raise NotAllowedError("Only a customer who received this product can review it.", code="review_not_allowed")
    try:
        with transaction.atomic():
            review = Review.objects.create(product=product, user_id=user_id, rating=rating, title=title, body=body)
    except IntegrityError as error:
        if not Review.objects.filter(product=product, user_id=user_id).exists():
            raise
        raise ConflictError("You have already reviewed this product.", code="already_reviewed") from error
    _rating_refresh(product.pk)
    return review


@transaction.atomic
def reviews_set_visible(*, reviews, visible: bool) -> int:
    """Staff moderation: hides or shows ``reviews``; each product's rating follows."""
    reviews = list(reviews)
    changed = [review for review in reviews if review.is_visible != visible]
    Review.objects.filter(pk__in=[review.pk for review in changed]).update(is_visible=visible)
    for product_id in sorted({review.product_id for review in changed}):
        _rating_refresh(product_id)
    return len(changed)
