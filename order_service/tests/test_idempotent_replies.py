"""The first answers kept for retries (ecom_common.idempotency): kept for a while, then pruned."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from ecom_common.events.worker import beat_schedule
from ecom_common.idempotency import idempotent_replies_prune
from ecom_common.models import IdempotentReply

pytestmark = pytest.mark.django_db


def test_answers_older_than_the_retention_are_pruned_hourly(settings):
    settings.IDEMPOTENCY_REPLY_DAYS = 30
    old, recent = (
        IdempotentReply.objects.create(scope="checkout:u", key=uuid.uuid4(), status=201, body={}) for _ in "ab"
    )
    IdempotentReply.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))

    assert idempotent_replies_prune() == 1

    assert list(IdempotentReply.objects.values_list("pk", flat=True)) == [recent.pk]
    assert beat_schedule()["idempotent-replies-prune"]["schedule"] == timedelta(hours=1)
