"""The provider is called with no transaction open: a charge that takes the bank seconds holds no
lock on the payment, and what happens meanwhile (a cancellation) is not overwritten."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from payments import services
from payments.models import Payment, Refund
from payments.providers.sandbox import SandboxProvider
from payments.tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db(transaction=True)


class HeldProvider(SandboxProvider):
    """The sandbox, answering a charge only when the test lets it (a bank asking its customer)."""

    called = threading.Event()
    answer = threading.Event()

    def charge(self, **kwargs):
        self.called.set()
        assert self.answer.wait(30), "the test never let the provider answer"
        return super().charge(**kwargs)


@pytest.fixture
def held_provider(settings):
    settings.PAYMENT_PROVIDER = f"{__name__}.{HeldProvider.__name__}"
    HeldProvider.called.clear()
    HeldProvider.answer.clear()
    yield HeldProvider
    HeldProvider.answer.set()


def _charge_in_a_thread(pool, payment_id):
    def charge():
        try:
            return services.payment_charge(payment_id=payment_id)
        finally:
            connections.close_all()  # the thread's own connection

    return pool.submit(charge)


def test_the_payment_can_be_read_and_locked_while_the_provider_answers(held_provider):
    payment = PaymentFactory(status=Payment.Status.PROCESSING, token="tok_visa")

    with ThreadPoolExecutor(1) as pool:
        charging = _charge_in_a_thread(pool, payment.id)
        assert held_provider.called.wait(30)
        try:
            with transaction.atomic():  # NOWAIT: raises at once if the charge held the row's lock
                meanwhile = Payment.objects.select_for_update(nowait=True).get(id=payment.id)
        finally:
            held_provider.answer.set()
        charging.result(timeout=30)

    assert (meanwhile.status, meanwhile.attempts) == (Payment.Status.PROCESSING, 1)  # the attempt was committed
    payment.refresh_from_db()
    assert (payment.status, payment.attempts) == (Payment.Status.SUCCEEDED, 1)


def test_a_cancellation_while_the_provider_answers_stands_and_the_charge_is_refunded(held_provider, settings):
    settings.PAYMENT_REFUND_RETRY_SECONDS = 1
    payment = PaymentFactory(status=Payment.Status.PROCESSING, token="tok_visa")

    with ThreadPoolExecutor(1) as pool:
        charging = _charge_in_a_thread(pool, payment.id)
        assert held_provider.called.wait(30)
        services.payment_cancel(order_id=payment.order_id)  # not blocked by the charge in flight
        held_provider.answer.set()
        charging.result(timeout=30)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.VOIDED  # the approval that came late did not overwrite it
    Payment.objects.filter(id=payment.id).update(void_recheck_at=timezone.now() - timedelta(seconds=1))

    assert services.payment_voided_charges_recheck() == 1

    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, payment.amount)
    assert list(Refund.objects.values_list("status", "amount")) == [(Refund.Status.SUCCEEDED, payment.amount)]
