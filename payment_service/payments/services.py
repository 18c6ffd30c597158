"""Payment's steps of the checkout saga, which order_service drives: charge on
``order.payment_requested``, refund or void on ``order.cancelled``. Each is idempotent, so
redeliveries and retries are safe."""

import logging
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ecom_common.enqueue import enqueue_or_leave_to_sweep
from ecom_common.events import event_publish
from ecom_common.money import cents, money_str
from payments.models import Payment, PaymentOrder, Refund
from payments.providers import ChargeResult, TransientProviderError, payment_provider
from payments.tasks import payment_charge_task

logger = logging.getLogger(__name__)


def payment_charge_enqueue(payment_id: uuid.UUID) -> None:
    """Asks a worker to charge the payment; never raises (a lost request is swept up later)."""
    # When the broker is down, the stalled-charge sweep (payment_charge_resume_stalled_task) enqueues it again.
    enqueue_or_leave_to_sweep(payment_charge_task, (str(payment_id),), what=f"charge of payment {payment_id}")


def payment_charge_now(payment_id: uuid.UUID) -> None:
    """Charges right away, in the worker that took the payment request (one broker round trip
    less than a task); a charge still in doubt is handed to the retrying task."""
    try:
        payment = payment_charge(payment_id=payment_id)
    except Exception:
        logger.warning("charge failed in place; enqueued", extra={"payment_id": str(payment_id)}, exc_info=True)
        payment = None
    if payment is None or payment.status == Payment.Status.PROCESSING:
        payment_charge_enqueue(payment_id)


def _payment_publish(*, type: str, payment: Payment, **extra: str) -> None:
    """``payment.<outcome>`` with what every payment event carries, plus ``extra``."""
    data = {
        "order_id": str(payment.order_id),
        "user_id": str(payment.user_id),  # whom the notification service tells
        "payment_id": str(payment.id),
        "amount": money_str(payment.amount),
        "currency": payment.currency,
        **extra,
    }
    event_publish(type=type, data=data)


def _publish_failed(*, payment: Payment, reason: str) -> None:
    _payment_publish(type="payment.failed", payment=payment, reason=reason)


@transaction.atomic
def payment_request(*, order_id: uuid.UUID, user_id: uuid.UUID, amount: Decimal, currency: str, token: str) -> Payment:
    """The order asks for its charge: a new payment is enqueued for charging, once. An order
    whose cancellation arrived first gets a voided payment instead, and is never charged."""
    cancelled = PaymentOrder.objects.lock(order_id).is_cancelled
    payment, created = Payment.objects.get_or_create(
        order_id=order_id,
        defaults={
            "user_id": user_id,
            "amount": cents(amount),
            "currency": currency,
            "token": token,
            "status": Payment.Status.VOIDED if cancelled else Payment.Status.PROCESSING,
        },
    )
    if created and payment.status == Payment.Status.PROCESSING:
        payment_id = payment.id
        transaction.on_commit(lambda: payment_charge_now(payment_id))
    return payment


def _settle(*, payment: Payment, result: ChargeResult) -> None:
    """Records the provider's answer on the locked payment and announces it."""
    payment.provider_reference = result.reference
    if result.approved:
        payment.status = Payment.Status.SUCCEEDED
        _payment_publish(type="payment.succeeded", payment=payment, provider_reference=payment.provider_reference)
    else:
        payment.status = Payment.Status.FAILED
        payment.failure_reason = result.decline_code or "declined"
        _publish_failed(payment=payment, reason="declined")
    payment.save(update_fields=["attempts", "status", "provider_reference", "failure_reason", "updated_at"])


def _charge_already_made(payment: Payment) -> ChargeResult | None:
    """What the provider did with this payment's idempotency key, if anything: a timeout may
    have hidden a charge that went through (or a crash came between the charge and our save)."""
    return payment_provider().charge_lookup(idempotency_key=str(payment.id))


def payment_charge(*, payment_id: uuid.UUID) -> Payment | None:
    """Charges a processing payment through the provider, once (the payment id is the idempotency key).

    In three steps, so that no lock is held while the provider answers (seconds, with a card
    processor and a bank asking its customer): the attempt is counted and committed; the
    provider is called with no transaction open; its answer is recorded in a new transaction,
    if the payment is still processing. A crash between the steps leaves the payment
    processing, and the stalled-charge sweep charges it again under the same key; a
    cancellation that came meanwhile voided it, and the voided-charge recheck refunds a charge
    that went through.

    Returns the payment: still ``processing`` after a transient provider error when attempts
    remain (the caller retries later; the retry with the same key cannot charge twice), else
    ``succeeded`` or ``failed`` with its event published. A transient error is ambiguous (the
    charge may have gone through): before giving up the provider is asked what it did with the
    key, so a charge that was made is never reported failed. Any other status means there is
    nothing to do (already charged, voided...).
    """
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(id=payment_id).first()
        if payment is None or payment.status != Payment.Status.PROCESSING:
            return payment
        payment.attempts += 1
        payment.save(update_fields=["attempts", "updated_at"])
    outcome = _charge_outcome(payment)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(id=payment_id)
        if payment.status != Payment.Status.PROCESSING or outcome is None:
            return payment  # settled by a twin, voided meanwhile, or still in doubt
        if outcome is PROCESSING_ERROR:
            payment.status = Payment.Status.FAILED
            payment.failure_reason = "processing_error"
            _publish_failed(payment=payment, reason="processing_error")
            payment.save(update_fields=["status", "failure_reason", "updated_at"])
            return payment
        _settle(payment=payment, result=outcome)
        return payment


# The provider failed every attempt and knows of no charge under the payment's key.
PROCESSING_ERROR = ChargeResult(approved=False, reference="", decline_code="processing_error")


def _charge_outcome(payment: Payment) -> ChargeResult | None:
    """What the provider answers to the charge, asked with no transaction open: its result,
    ``PROCESSING_ERROR`` after the last attempt failed with nothing charged, or ``None`` while
    the charge is in doubt (attempts remain, or the provider cannot even say what it did)."""
    try:
        return payment_provider().charge(
            token=payment.token, amount=payment.amount, currency=payment.currency, idempotency_key=str(payment.id)
        )
    except TransientProviderError as error:
        logger.warning("payment provider error", extra={"payment_id": str(payment.id), "error": repr(error)})
        if payment.attempts < settings.PAYMENT_MAX_ATTEMPTS:
            return None
    try:
        made = _charge_already_made(payment)
    except TransientProviderError:
        return None  # still no answer: the stalled-charge sweep asks again
    return made if made is not None else PROCESSING_ERROR


def _publish_voided(*, order_id: uuid.UUID, user_id: uuid.UUID | str | None, payment: Payment | None) -> None:
    """Payment's answer to a cancellation that leaves nothing charged (no payment yet, a declined
    or voided one): the order's saga records that payment has compensated."""
    owner = payment.user_id if payment is not None else user_id
    event_publish(
        type="payment.voided",
        data={
            "order_id": str(order_id),
            "user_id": str(owner) if owner else None,
            "payment_id": str(payment.id) if payment is not None else None,
        },
    )


@transaction.atomic
def payment_cancel(*, order_id: uuid.UUID, user_id: uuid.UUID | str | None = None) -> Payment | None:
    """The order was cancelled: refund a succeeded payment (or one whose charge went through
    unanswered), void one never charged.

    With no payment yet, the cancellation is remembered so a late ``order.payment_requested`` is
    never charged. Nothing here raises for a provider outage: a refund the provider cannot make
    now is owed (swept until it can), and a charge the provider cannot tell us about is voided
    and looked up again later (payment_voided_charges_recheck).

    Every cancellation is answered, for the order's saga: ``payment.refunded`` when the refund is
    made, else ``payment.voided`` at once (nothing is charged).
    """
    order = PaymentOrder.objects.lock(order_id)
    order.cancel()
    payment = Payment.objects.select_for_update().filter(order_id=order_id).first()
    if payment is None:
        _publish_voided(order_id=order_id, user_id=user_id, payment=None)
        return None
    if payment.status == Payment.Status.PROCESSING:
        # Not yet answered is not "not charged": a timeout or a crash may have hidden a charge.
        try:
            made = _charge_already_made(payment)
        except TransientProviderError:
            made = None
        if made is not None and made.approved:
            payment.status = Payment.Status.SUCCEEDED
            payment.provider_reference = made.reference
            payment.save(update_fields=["status", "provider_reference", "updated_at"])
        else:
            # The charge may still be in flight at the provider: look again later.
            now = timezone.now()
            payment.status = Payment.Status.VOIDED
            payment.voided_at = now
            payment.void_recheck_at = now + timedelta(seconds=settings.PAYMENT_REFUND_RETRY_SECONDS)
            payment.save(update_fields=["status", "voided_at", "void_recheck_at", "updated_at"])
            _publish_voided(order_id=order_id, user_id=user_id, payment=payment)
            return payment
    if payment.status in (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED):
        # All that is still charged, less any refund already owed (made later by the sweep).
        _refund_owe(payment=payment, amount=_refundable(payment), idempotency_key=f"refund-{payment.id}")
    else:  # declined, voided, refunded already: nothing is charged
        _publish_voided(order_id=order_id, user_id=user_id, payment=payment)
    return payment


@transaction.atomic
def payment_refund_return(*, order_id: uuid.UUID, return_id: uuid.UUID, amount: Decimal) -> Payment | None:
    """A return was received: refund exactly ``amount`` of the order's charge, once per return
    (the provider's idempotency key is the return's id). ``payment.refunded`` carries the amount,
    when the provider has made it (it is owed until then); a zero amount is announced at once."""
    PaymentOrder.objects.lock(order_id)
    payment = Payment.objects.select_for_update().filter(order_id=order_id).first()
    if payment is None or payment.status not in (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED):
        logger.warning("return refund for an order with no charge to refund", extra={"order_id": str(order_id)})
        return payment
    if Refund.objects.filter(payment=payment, return_id=return_id).exists():
        return payment
    amount = cents(amount)
    left = _refundable(payment)
    if amount < 0 or amount > left:
        raise ValueError(f"cannot refund {amount} of payment {payment.id}: {left} is left")
    _refund_owe(payment=payment, amount=amount, return_id=return_id, idempotency_key=f"return-{return_id}")
    return payment


def _refundable(payment: Payment) -> Decimal:
    """What may still be given back: the charge, less what was refunded and what is owed."""
    owed = payment.refunds.filter(status=Refund.Status.OWED).aggregate(total=Sum("amount"))["total"] or 0
    return payment.amount - payment.refunded_amount - owed


def _refund_owe(
    *, payment: Payment, amount: Decimal, idempotency_key: str, return_id: uuid.UUID | None = None
) -> Refund:
    """Records the refund as owed and tries it at once; the caller holds the payment's lock."""
    refund = Refund.objects.create(
        payment=payment,
        amount=amount,
        return_id=return_id,
        idempotency_key=idempotency_key,
        status=Refund.Status.OWED,
        next_attempt_at=timezone.now(),
    )
    _refund_attempt(payment=payment, refund=refund)
    return refund


def _refund_retry_seconds(attempts: int) -> float:
    """The wait after the ``attempts``-th failure: doubling from PAYMENT_REFUND_RETRY_SECONDS up
    to PAYMENT_REFUND_RETRY_MAX_SECONDS, and never giving up."""
    first, ceiling = settings.PAYMENT_REFUND_RETRY_SECONDS, settings.PAYMENT_REFUND_RETRY_MAX_SECONDS
    return min(ceiling, first * 2 ** min(attempts - 1, 32))


def _refund_attempt(*, payment: Payment, refund: Refund) -> bool:
    """Asks the provider for an owed refund (the payment and refund locked by the caller).

    Made: recorded, added to the payment's refunded amount and announced (``payment.refunded``).
    A transient provider error leaves it owed, due again after a backoff. A zero refund never
    reaches the provider."""
    refund.attempts += 1
    if refund.amount > 0:
        try:
            refund.provider_reference = payment_provider().refund(
                reference=payment.provider_reference,
                amount=refund.amount,
                currency=payment.currency,
                idempotency_key=refund.idempotency_key,
            )
        except TransientProviderError as error:
            logger.warning("refund owed: provider error", extra={"refund_id": str(refund.id), "error": repr(error)})
            refund.last_error = repr(error)[:200]
            refund.next_attempt_at = timezone.now() + timedelta(seconds=_refund_retry_seconds(refund.attempts))
            refund.save(update_fields=["attempts", "last_error", "next_attempt_at", "updated_at"])
            return False
    refund.status = Refund.Status.SUCCEEDED
    refund.next_attempt_at = None
    refund.save(update_fields=["attempts", "provider_reference", "status", "next_attempt_at", "updated_at"])
    payment.refunded_amount += refund.amount
    if refund.provider_reference:
        payment.refund_reference = refund.provider_reference
    payment.refunded_at = timezone.now()
    if payment.refunded_amount == payment.amount:
        payment.status = Payment.Status.REFUNDED
    elif payment.refunded_amount > 0:
        payment.status = Payment.Status.PARTIALLY_REFUNDED
    payment.save(update_fields=["refunded_amount", "refund_reference", "refunded_at", "status", "updated_at"])
    _payment_publish(
        type="payment.refunded",
        payment=payment,
        amount=money_str(refund.amount),
        refunded_amount=money_str(payment.refunded_amount),
        return_id=str(refund.return_id) if refund.return_id else None,
        provider_reference=payment.provider_reference,
    )
    return True


def payment_refunds_owed_retry() -> int:
    """Beat: asks the provider again for every owed refund that is due, each in a transaction of
    its own; returns how many were made."""
    due = Refund.objects.filter(status=Refund.Status.OWED, next_attempt_at__lte=timezone.now())
    made = 0
    for refund_id, payment_id in due.order_by("next_attempt_at").values_list("id", "payment_id"):
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(id=payment_id)
            refund = Refund.objects.select_for_update().filter(id=refund_id, status=Refund.Status.OWED).first()
            if refund is not None and refund.next_attempt_at <= timezone.now():
                made += _refund_attempt(payment=payment, refund=refund)
    return made


def payment_voided_charges_recheck() -> int:
    """Beat: looks up again the charges of payments voided while in flight; one the provider
    settled after all is refunded in full (owed until made). Returns how many were found."""
    now = timezone.now()
    found = 0
    for payment_id in Payment.objects.filter(status=Payment.Status.VOIDED, void_recheck_at__lte=now).values_list(
        "id", flat=True
    ):
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(id=payment_id)
            if payment.status != Payment.Status.VOIDED or payment.void_recheck_at is None:
                continue
            try:
                made = _charge_already_made(payment)
            except TransientProviderError:
                made = None
            now = timezone.now()
            if made is not None and made.approved:
                found += 1
                payment.status = Payment.Status.SUCCEEDED
                payment.provider_reference = made.reference
                payment.void_recheck_at = None
                payment.save(update_fields=["status", "provider_reference", "void_recheck_at", "updated_at"])
                _refund_owe(payment=payment, amount=payment.amount, idempotency_key=f"refund-{payment.id}")
                continue
            waited = (now - payment.voided_at).total_seconds()
            if waited >= settings.PAYMENT_VOID_RECHECK_SECONDS:
                payment.void_recheck_at = None
            else:  # less often as it ages: after as long again as it has waited
                payment.void_recheck_at = now + timedelta(seconds=max(settings.PAYMENT_REFUND_RETRY_SECONDS, waited))
            payment.save(update_fields=["void_recheck_at", "updated_at"])
    return found
