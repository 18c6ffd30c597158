"""What the saga needs of a card processor."""

from dataclasses import dataclass
from decimal import Decimal


class TransientProviderError(Exception):
    """The processor could not answer now (timeout, outage); the same call may succeed later."""


@dataclass(frozen=True)
class ChargeResult:
    approved: bool
    reference: str
    decline_code: str = ""


class PaymentProvider:
    """A card processor. Both calls must be idempotent per ``idempotency_key``:
    repeating one returns the first answer and moves no money again."""

    def charge(self, *, token: str, amount: Decimal, currency: str, idempotency_key: str) -> ChargeResult:
        raise NotImplementedError

    def refund(self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str) -> str:
        """Refunds the charge ``reference``; returns the refund's reference."""
        raise NotImplementedError
