"""Reads of accounts and addresses."""

import uuid

from django.db.models import QuerySet

from accounts.models import Address, User


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email__iexact=User.objects.normalize_email(email)).first()


def user_get(*, user_id: uuid.UUID | str) -> User | None:
    """The user with this id, or ``None`` (also for an id that is not a UUID)."""
    try:
        return User.objects.filter(id=uuid.UUID(str(user_id))).first()
    except ValueError:
        return None


def user_token_claims(*, user: User) -> dict:
    """What other services learn about the caller from an access token, without asking us."""
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "email_verified": user.email_verified,
        "groups": sorted(user.groups.values_list("name", flat=True)),
    }


def address_list(*, user: User) -> QuerySet[Address]:
    return Address.objects.filter(user=user).order_by("-is_default", "created_at", "id")
