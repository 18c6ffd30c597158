"""The built-in sandbox provider, behaving like a real processor's test mode (for demos and tests).

``tok_visa`` approves, ``tok_chargeDeclined`` declines, ``tok_processingError`` fails
transiently every time, any other token declines as ``invalid_token``. Its ledger
(``SandboxCharge``) stands in for the processor's side and makes both calls idempotent.
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


class SandboxProvider(PaymentProvider):
    def charge(self, *, token: str, amount: Decimal, currency: str, idempotency_key: str) -> ChargeResult:
        with transaction.atomic():
            charge = SandboxCharge.objects.select_for_update().filter(idempotency_key=idempotency_key).first()
            if charge is None:
                if token == "tok_processingError":  # noqa: S105 - a test card, not a secret
                    raise TransientProviderError("sandbox provider: processing error")
                decline_code = "" if token == "tok_visa" else DECLINE_CODES.get(token, "invalid_token")  # noqa: S105
                charge = SandboxCharge.objects.create(
                    idempotency_key=idempotency_key,
                    reference=f"ch_test_{uuid.uuid4().hex}",
                    token=token,
                    amount=amount,
                    currency=currency,
                    is_approved=not decline_code,
                    decline_code=decline_code,
                )
        return ChargeResult(approved=charge.is_approved, reference=charge.reference, decline_code=charge.decline_code)

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
