"""The tokens of the account e-mails: verify an address, reset a password.

Both are signed (Django's signing, keyed by SECRET_KEY), expire, and work once: each carries a
hash of the state it changes (the address and whether it is verified; the password hash and last
sign-in, Django's own password-reset token), so using it makes it invalid. They are never stored:
the events that carry them to the notification service are scrubbed from the outbox once
published (settings.EVENT_SECRET_FIELDS).
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User

VERIFY_SALT = "accounts.email-verification"
RESET_SALT = "accounts.password-reset"


def _verification_state(user: User) -> str:
    return salted_hmac(VERIFY_SALT, f"{user.pk}|{user.email}|{user.email_verified_at}").hexdigest()[:32]


def email_verification_token(user: User) -> str:
    return signing.dumps({"u": str(user.pk), "s": _verification_state(user)}, salt=VERIFY_SALT, compress=True)


def email_verification_user(token: str) -> User | None:
    """The user whose address ``token`` verifies, or None (forged, expired, used, address changed)."""
    try:
        payload = signing.loads(token, salt=VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_TIMEOUT_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first() if isinstance(payload, dict) else None
    if user is None or not constant_time_compare(payload.get("s", ""), _verification_state(user)):
        return None
    return user


def password_reset_token(user: User) -> str:
    return signing.dumps({"u": str(user.pk), "t": default_token_generator.make_token(user)}, salt=RESET_SALT)


def password_reset_user(token: str) -> User | None:
    """The user whose password ``token`` may reset, or None. Expiry is PASSWORD_RESET_TIMEOUT."""
    try:
        payload = signing.loads(token, salt=RESET_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first() if isinstance(payload, dict) else None
    if user is None or not default_token_generator.check_token(user, payload.get("t", "")):
        return None
    return user
