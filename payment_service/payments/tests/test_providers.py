from decimal import Decimal

import pytest

from payments.models import SandboxCharge
from payments.providers import ChargeResult, TransientProviderError
from payments.providers.sandbox import SandboxProvider


def charge(token: str, key: str = "key-1") -> ChargeResult:
    return SandboxProvider().charge(token=token, amount=Decimal("5.00"), currency="USD", idempotency_key=key)


def test_tok_visa_is_approved_with_a_reference():
    result = charge("tok_visa")

    assert result.approved is True
    assert result.reference == SandboxCharge.objects.get(idempotency_key="key-1").reference
    assert result.reference.startswith("ch_test_")
    assert result.decline_code == ""


@pytest.mark.parametrize(
    ("token", "decline_code"), [("tok_chargeDeclined", "card_declined"), ("tok_unknown", "invalid_token")]
)
def test_other_tokens_are_declined(token, decline_code):
    result = charge(token)

    assert result.approved is False
    assert result.decline_code == decline_code


def test_tok_processing_error_fails_transiently_every_time_and_records_nothing():
    for _ in range(3):
        with pytest.raises(TransientProviderError):
            charge("tok_processingError")

    assert SandboxCharge.objects.count() == 0


def test_a_repeated_charge_returns_the_first_result_and_charges_once():
    first = charge("tok_visa")

    again = charge("tok_visa")

    assert again == first
    assert SandboxCharge.objects.count() == 1


def test_a_repeated_refund_returns_the_same_refund_reference():
    reference = charge("tok_visa").reference
    provider = SandboxProvider()

    first = provider.refund(reference=reference, amount=Decimal("5.00"), currency="USD", idempotency_key="r-1")
    again = provider.refund(reference=reference, amount=Decimal("5.00"), currency="USD", idempotency_key="r-1")

    assert first.startswith("re_test_")
    assert again == first
    assert SandboxCharge.objects.get().refund_reference == first
