"""What the saga needs of a card processor."""

from dataclasses import dataclass
from decimal import Decimal


class TransientProviderError(Exception):
    """The processor did not answer (timeout, outage): the same call may succeed later, and the
    charge may or may not have gone through; ``charge_lookup`` tells."""


@dataclass(frozen=True)
class ChargeResult:
    approved: bool
    reference: str
    decline_code: str = ""


class PaymentProvider:
    """A card processor. Both calls must be idempotent per ``idempotency_key``:
    repeating one returns the first answer and moves no money again."""

    # A test-mode processor that approves published test cards: production refuses it unless
    # PAYMENT_ALLOW_SANDBOX says a demo wants it (payments.checks).
    is_sandbox = False

    def charge(self, *, token: str, amount: Decimal, currency: str, idempotency_key: str) -> ChargeResult:
        raise NotImplementedError

    def charge_lookup(self, *, idempotency_key: str) -> ChargeResult | None:
        """What a charge with ``idempotency_key`` did at the processor, or ``None`` if it never
        arrived: how an ambiguous error (a timeout after the money moved) is resolved."""
        raise NotImplementedError

    def refund(self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str) -> str:
        """Refunds the charge ``reference``; returns the refund's reference."""
        raise NotImplementedError
