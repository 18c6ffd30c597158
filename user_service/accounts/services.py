"""Writes of accounts and addresses: registration, profile, addresses, the admin account."""

import uuid
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import account_flows
from accounts.models import Address, User
from accounts.selectors import user_get_by_email
from ecom_common.events import event_publish


def user_register(*, email: str, password: str, first_name: str = "", last_name: str = "") -> User:
    """A new customer account; the password must pass the configured validators (a
    ``ValidationError`` keyed by ``password``).

    An address that already has an account is answered alike (no one learns which addresses
    are customers here): the same checks, the same password hashing, and an account-shaped
    answer that is not saved; the address's owner is told by mail (``user.registration_attempted``)
    that someone tried, with what to do if it was them.
    """
    email = User.objects.normalize_email(email)
    candidate = User(email=email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from exc
    owner = user_get_by_email(email=email)
    if owner is not None:
        return _registration_of_a_taken_address(candidate=candidate, password=password, owner=owner)
    try:
        # A savepoint, so that losing a race for the same email leaves any outer transaction usable.
        with transaction.atomic():
            user = User.objects.create_user(email, password, first_name=first_name, last_name=last_name)
            # The welcome mail's link verifies the address: the event carries its token.
            event_publish(type="user.registered", data=account_flows.verification_data(user))
            return user
    except IntegrityError:  # the same address registered meanwhile
        return _registration_of_a_taken_address(
            candidate=candidate, password=password, owner=user_get_by_email(email=email)
        )


@transaction.atomic
def _registration_of_a_taken_address(*, candidate: User, password: str, owner: User | None) -> User:
    candidate.set_password(password)  # the time a new account's hashing takes; never saved
    # One mail an hour at most per account: repeated sign-ups cannot flood its owner's inbox.
    if owner is not None and owner.is_active and cache.add(f"registration_attempted:{owner.pk}", 1, timeout=3600):
        event_publish(type="user.registration_attempted", data=account_flows.recipient_data(owner))
    candidate.id = uuid.uuid4()
    return candidate


@transaction.atomic
def user_update(*, user: User, data: dict[str, Any]) -> User:
    """Changes the caller's own profile: names only (email and staff flags are not self-service).
    ``user.updated`` tells the services that keep a copy (the notifications' recipients)."""
    fields = [field for field in ("first_name", "last_name") if field in data]
    for field in fields:
        setattr(user, field, data[field])
    if fields:
        user.save(update_fields=fields)
        event_publish(type="user.updated", data=account_flows.recipient_data(user))
    return user


def user_admin_ensure(*, email: str, password: str) -> tuple[User, bool]:
    """Creates or updates the staff superuser for ``email`` and sets its password; ``(user, created)``.

    The password bypasses the validators on purpose: this is the development/operator account.
    """
    with transaction.atomic():
        user = user_get_by_email(email=email)
        created = user is None
        if created:
            user = User(email=User.objects.normalize_email(email))
        user.is_staff = True
        user.is_superuser = True
        user.is_active = True
        # The operator chose this address: it needs no verification mail.
        user.email_verified_at = user.email_verified_at or timezone.now()
        if created or not user.check_password(password):
            # A new password ends every session of the account (User.save): only when it is new,
            # so `make run` and each deploy's migration Job leave the staff signed in.
            user.set_password(password)
        user.save()
    return user, created


def _address_defaults_clear(*, user: User, keep: Address | None = None) -> None:
    others = Address.objects.filter(user=user, is_default=True)
    if keep is not None and keep.pk is not None:
        others = others.exclude(pk=keep.pk)
    others.update(is_default=False)


def _user_lock(*, user: User) -> None:
    # Serialises a user's concurrent default changes, so the one-default constraint never trips.
    User.objects.select_for_update().filter(pk=user.pk).first()


@transaction.atomic
def address_create(*, user: User, **fields: Any) -> Address:
    """A new address of ``user``; when it is the default, the previous default stops being one."""
    address = Address(user=user, **fields)
    address.full_clean(exclude=["user"], validate_constraints=False)
    _user_lock(user=user)
    if address.is_default:
        _address_defaults_clear(user=user)
    address.save()
    return address


@transaction.atomic
def address_update(*, address: Address, data: dict[str, Any]) -> Address:
    """Changes an address; making it the default un-defaults the user's other addresses."""
    for field, value in data.items():
        setattr(address, field, value)
    address.full_clean(exclude=["user"], validate_constraints=False)
    _user_lock(user=address.user)
    if address.is_default:
        _address_defaults_clear(user=address.user, keep=address)
    address.save()
    return address


def address_delete(*, address: Address) -> None:
    address.delete()
