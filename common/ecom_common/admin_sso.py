"""Staff single sign-on for every service's Django admin.

The admin login form's email and password go to the identity service's token endpoint; a
staff account gets a local *shadow* user (keyed by the identity user id, no usable password)
whose name, staff/superuser flags and group memberships are copied from the signed claims on
every sign-in. Local groups of the same names carry this service's admin permissions.
"""

import logging

import requests
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

logger = logging.getLogger(__name__)


class EmailAuthenticationForm(AdminAuthenticationForm):
    """The admin login form, labelled for the identity service's email sign-in."""

    username = forms.CharField(label="Email", max_length=254, widget=forms.EmailInput(attrs={"autofocus": True}))
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Please enter the correct email and password for a staff account.",
    }


def identity_access_token(*, email: str, password: str) -> str | None:
    """Asks the identity service for an access token; ``None`` when it says no or cannot be reached."""
    try:
        response = requests.post(
            f"{settings.IDENTITY_SERVICE_URL}/api/auth/token/",
            json={"email": email, "password": password},
            timeout=5,
        )
    except requests.RequestException:
        logger.warning("identity service unreachable for admin sign-in")
        return None
    if response.status_code != 200:
        return None
    return response.json().get("access")


@transaction.atomic
def staff_shadow_user_sync(*, claims) -> "User":  # noqa: F821 - the local auth user model
    user, _ = get_user_model().objects.update_or_create(
        username=str(claims["user_id"]),
        defaults={
            "email": claims.get("email", ""),
            "first_name": claims.get("first_name", ""),
            "last_name": claims.get("last_name", ""),
            "is_staff": bool(claims.get("is_staff")),
            "is_superuser": bool(claims.get("is_superuser")),
            "is_active": True,
        },
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in claims.get("groups", [])])
    return user


class IdentityServiceBackend(ModelBackend):
    """Authenticates against the identity service; permissions come from the local shadow user."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        access = identity_access_token(email=username, password=password)
        if access is None:
            return None
        try:
            claims = AccessToken(access)
        except TokenError:
            logger.warning("identity service returned a token this service cannot verify")
            return None
        if not claims.get("is_staff"):
            return None
        return staff_shadow_user_sync(claims=claims)
