"""The dashboard on the order admin's index: this service's figures, and every other service's
summary (``ecom_common.staff_summary``), asked on the signed-in member of staff's behalf."""

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from ecom_common import service_registry
from ecom_common.admin_sso import staff_access_token
from ecom_common.staff_summary import staff_summary
from orders.models import CheckoutSaga, Order, OrderStatus, SagaState

logger = logging.getLogger(__name__)

PAID = [OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURNED]
IN_FLIGHT = [SagaState.AWAITING_STOCK, SagaState.AWAITING_PAYMENT]


def _period(since) -> dict:
    orders = Order.objects.filter(created_at__gte=since)
    counts = orders.aggregate(placed=Count("id"), paid=Count("id", filter=Q(status__in=PAID)))
    revenue = orders.filter(status__in=PAID).values("currency").annotate(total=Sum("total")).order_by("currency")
    return {**counts, "revenue": {row["currency"]: f"{row['total']:.2f}" for row in revenue}}


def figures() -> dict:
    now = timezone.now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    cancelled = (
        Order.objects.filter(status=OrderStatus.CANCELLED, updated_at__gte=now - timedelta(days=7))
        .values("cancel_reason")
        .annotate(count=Count("id"))
        .order_by("cancel_reason")
    )
    sagas = CheckoutSaga.objects.filter(state__in=IN_FLIGHT)
    return {
        **compensation_figures(now),
        "today": _period(midnight),
        "last_7_days": _period(now - timedelta(days=7)),
        "cancelled_7d": {row["cancel_reason"] or "": row["count"] for row in cancelled},
        "sagas_in_flight": sagas.count(),
        "sagas_stuck": sagas.filter(deadline__lt=now).count(),
    }


def compensation_figures(now) -> dict:
    """Cancelled orders whose stock or money is not back yet, and those of them waiting longer
    than ORDER_COMPENSATION_ALERT_SECONDS (a refund the provider keeps refusing, a worker down)."""
    compensating = CheckoutSaga.objects.filter(state=SagaState.COMPENSATING)
    overdue = compensating.filter(
        compensating_since__lt=now - timedelta(seconds=settings.ORDER_COMPENSATION_ALERT_SECONDS)
    )
    return {"sagas_compensating": compensating.count(), "compensations_overdue": overdue.count()}


def _remote_summary(name: str, token: str | None) -> dict:
    try:
        response = requests.get(
            f"{settings.SERVICE_URLS[name]}/internal/staff-summary/",
            headers={"Authorization": f"Bearer {token}"} if token else {},
            timeout=3,
        )
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.warning("staff summary unavailable", extra={"service": name, "error": repr(exc)})
        return {"service": name, "unavailable": True}


def dashboard(request) -> dict:
    token = staff_access_token(request)
    others = [service.name for service in service_registry.SERVICES if service.name != settings.SERVICE_NAME]
    with ThreadPoolExecutor(max_workers=len(others)) as pool:
        remote = dict(zip(others, pool.map(lambda name: _remote_summary(name, token), others), strict=True))
    summaries = {settings.SERVICE_NAME: staff_summary(), **remote}
    titles = {service.name: service.title for service in service_registry.SERVICES}
    rows = [{"title": titles[name], **summaries[name]} for name in titles]
    payment = summaries.get("payment", {}).get("figures", {})
    inventory = summaries.get("inventory", {}).get("figures", {})
    return {
        "orders": summaries[settings.SERVICE_NAME]["figures"],
        "payments": payment,
        "low_stock": inventory.get("low_stock", []),
        "low_stock_count": inventory.get("low_stock_count"),
        "services": rows,
    }
