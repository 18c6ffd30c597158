"""E-mail verification and password recovery: what user_service does and announces. The mails
themselves are the notification service's; the events carrying their links' tokens are scrubbed
from the outbox once published (settings.EVENT_SECRET_FIELDS)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts import account_tokens
from accounts.models import User
from accounts.selectors import user_get_by_email
from ecom_common.errors import ConflictError
from ecom_common.events import event_publish


def _invalid_token() -> ValidationError:
    return ValidationError(
        {"token": ValidationError("This link is invalid or has expired; ask for a new one.", code="invalid_token")}
    )


def recipient_data(user: User) -> dict:
    """Whom the notification service writes to: what every ``user.*`` event carries."""
    return {"user_id": str(user.pk), "email": user.email, "name": user.get_full_name()}


# -- verification -------------------------------------------------------------------------------
def verification_data(user: User) -> dict:
    """``user.registered``'s and ``user.verification_requested``'s data: with a fresh token."""
    return {**recipient_data(user), "token": account_tokens.email_verification_token(user)}


@transaction.atomic
def email_verification_request(*, user: User) -> None:
    """Announces ``user.verification_requested`` with a fresh token (the customer asks again; the
    first came with ``user.registered``). An address already verified is a ConflictError."""
    if user.email_verified:
        raise ConflictError("This address is verified already.", code="already_verified")
    event_publish(type="user.verification_requested", data=verification_data(user))


@transaction.atomic
def email_verify(*, token: str) -> User:
    """The address the token was sent to is the customer's: ``user.email_verified``. Once."""
    user = account_tokens.email_verification_user(token)
    if user is None:
        raise _invalid_token()
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email_verified:  # a concurrent use of the same link won
        raise _invalid_token()
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    event_publish(type="user.email_verified", data=recipient_data(user))
    return user


# -- passwords ------------------------------------------------------------------------------------
@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Announces ``user.password_reset_requested`` with a token for an active account with this
    address; for any other address nothing happens, and the caller answers the same either way."""
    user = user_get_by_email(email=email)
    if user is None or not user.is_active:
        return
    event_publish(
        type="user.password_reset_requested",
        data={**recipient_data(user), "token": account_tokens.password_reset_token(user)},
    )


def _password_set(*, user: User, password: str, field: str) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({field: error.error_list}) from error
    user.set_password(password)
    user.save(update_fields=["password"])  # every session of the account ends (User.save)
    event_publish(type="user.password_changed", data=recipient_data(user))


def sessions_end(*, user: User) -> int:
    """Every refresh token of the user stops working (blacklisted); returns how many were live.
    Access tokens expire by themselves within ACCESS_TOKEN_LIFETIME."""
    live = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    ended = [BlacklistedToken(token=token) for token in live]
    BlacklistedToken.objects.bulk_create(ended, ignore_conflicts=True)
    return len(ended)


@transaction.atomic
def account_sign_out_everywhere(*, user: User) -> None:
    """After a new password: the API's refresh tokens are blacklisted, the admins' OAuth tokens
    revoked, and every admin session ends (this one's at once, the others' by back-channel
    logout, or at their next re-check).

    Under the account's row lock, which every refresh also takes before it mints a token
    (UserTokenRefreshSerializer, StaffOAuth2Validator): a refresh racing the new password
    either finishes first, and its tokens are revoked here, or waits and is refused."""
    from accounts import oidc

    User.objects.select_for_update().filter(pk=user.pk).first()
    sessions_end(user=user)
    oidc.staff_sign_out_everywhere(user=user, unless_tokenless=True)


@transaction.atomic
def password_reset_confirm(*, token: str, new_password: str) -> User:
    """Sets the password the reset link was for, once; every session of the account ends."""
    user = account_tokens.password_reset_user(token)
    if user is None:
        raise _invalid_token()
    user = User.objects.select_for_update().get(pk=user.pk)
    if account_tokens.password_reset_user(token) is None:  # used meanwhile
        raise _invalid_token()
    _password_set(user=user, password=new_password, field="new_password")
    return user


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """The signed-in customer changes their password; every session ends, this one's too."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password):
        raise ValidationError(
            {"old_password": ValidationError("This is not your current password.", code="wrong_password")}
        )
    _password_set(user=user, password=new_password, field="new_password")
    return user
