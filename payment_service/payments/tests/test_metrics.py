"""The payment service's business metrics on /metrics: payments by outcome."""

import pytest

from ecom_common.testing.metrics import metric_samples
from payments.models import Payment
from payments.tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db


def test_payments_by_status_are_on_metrics(client):
    PaymentFactory.create_batch(2, status=Payment.Status.SUCCEEDED)
    PaymentFactory(status=Payment.Status.FAILED)

    samples = metric_samples(client)

    assert samples[("ecom_payments", (("status", "succeeded"),))] == 2
    assert samples[("ecom_payments", (("status", "failed"),))] == 1
    assert samples[("ecom_payments", (("status", "refunded"),))] == 0
