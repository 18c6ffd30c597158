"""The built-in sandbox provider, behaving like a real processor's test mode (for demos and tests).

``tok_visa`` approves, ``tok_chargeDeclined`` declines, ``tok_processingError`` fails
transiently every time, ``tok_timeoutAfterCharge`` approves the charge but times out before
answering (the ambiguous case: only ``charge_lookup`` shows the money moved), any other token
declines as ``invalid_token``. Its ledger (``SandboxCharge``, ``SandboxRefund``) stands in for
the processor's side and makes every call idempotent.
"""

import uuid
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from payments.models import SandboxCharge, SandboxRefund
from payments.providers.base import (
    ChargeResult,
    PaymentProvider,
    TransientProviderError,
)

DECLINE_CODES = {"tok_chargeDeclined": "card_declined"}
TIMEOUT_AFTER_CHARGE = "tok_timeoutAfterCharge"


def _result(charge: SandboxCharge) -> ChargeResult:
    return ChargeResult(approved=charge.is_approved, reference=charge.reference, decline_code=charge.decline_code)


class SandboxProvider(PaymentProvider):
    is_sandbox = True

    def charge(self, *, token: str, amount: Decimal, currency: str, idempotency_key: str) -> ChargeResult:
        with transaction.atomic():
            charge = SandboxCharge.objects.select_for_update().filter(idempotency_key=idempotency_key).first()
            timed_out = charge is None and token == TIMEOUT_AFTER_CHARGE
            if charge is None:
                if token == "tok_processingError":  # noqa: S105 - a test card, not a secret
                    raise TransientProviderError("sandbox provider: processing error")
                approved = token in ("tok_visa", TIMEOUT_AFTER_CHARGE)
                decline_code = "" if approved else DECLINE_CODES.get(token, "invalid_token")
                charge = SandboxCharge.objects.create(
                    idempotency_key=idempotency_key,
                    reference=f"ch_test_{uuid.uuid4().hex}",
                    token=token,
                    amount=amount,
                    currency=currency,
                    is_approved=not decline_code,
                    decline_code=decline_code,
                )
        if timed_out:
            # Outside the ledger's savepoint: the charge is kept, as a real processor keeps it.
            raise TransientProviderError("sandbox provider: timed out after charging")
        return _result(charge)

    def charge_lookup(self, *, idempotency_key: str) -> ChargeResult | None:
        charge = SandboxCharge.objects.filter(idempotency_key=idempotency_key).first()
        return _result(charge) if charge is not None else None

    def refund(self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str) -> str:
        """Refunds ``amount`` of the charge, once per key; never more than was charged in all."""
        with transaction.atomic():
            charge = SandboxCharge.objects.select_for_update().get(reference=reference, is_approved=True)
            existing = SandboxRefund.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing.reference
            refunded = charge.refunds.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
            if refunded + amount > charge.amount:
                raise ValueError(f"sandbox provider: refunding {amount} would exceed charge {charge.reference}")
            refund = SandboxRefund.objects.create(
                idempotency_key=idempotency_key,
                charge=charge,
                reference=f"re_test_{uuid.uuid4().hex}",
                amount=amount,
            )
            charge.refund_reference = refund.reference
            charge.refund_idempotency_key = idempotency_key
            charge.refunded_at = timezone.now()
            charge.save(update_fields=["refund_reference", "refund_idempotency_key", "refunded_at"])
        return refund.reference
