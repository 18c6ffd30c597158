"""Staff single sign-on for every service's Django admin.

The admin login form's email and password go to the identity service's token endpoint; a
staff account gets a local *shadow* user (keyed by the identity user id, no usable password)
whose name, staff/superuser flags and group memberships are copied from the signed claims on
every sign-in. Local groups of the same names carry this service's admin permissions.
"""

import functools
import logging
import math
import time

import requests
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model, logout, user_logged_in, user_logged_out
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import reverse
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from ecom_common import service_registry
from ecom_common.throttling import CellRateThrottleMixin

logger = logging.getLogger(__name__)


class EmailAuthenticationForm(AdminAuthenticationForm):
    """The admin login form, labelled for the identity service's email sign-in."""

    username = forms.CharField(label="Email", max_length=254, widget=forms.EmailInput(attrs={"autofocus": True}))
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Please enter the correct email and password for a staff account.",
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            # The identity service said why (a locked account): say that, not "wrong password".
            refusal = getattr(self.request, "sign_in_refusal", None)
            if refusal:
                raise ValidationError(refusal, code="account_locked") from None
            raise


def client_address(request) -> str:
    """The client's address as this service's throttles see it (``NUM_PROXIES``)."""
    return BaseThrottle().get_ident(request)


def identity_tokens(*, email: str, password: str, request=None) -> dict | None:
    """Asks the identity service for an access and refresh token; ``None`` when it says no or
    cannot be reached.

    The client's address goes along (X-Forwarded-For), so the identity service throttles each
    client, not this service as one; when it refuses a locked account, its words are kept on
    the request for the sign-in form.
    """
    headers = {"X-Forwarded-For": client_address(request)} if request is not None else {}
    try:
        response = requests.post(
            f"{settings.IDENTITY_SERVICE_URL}/api/auth/token/",
            json={"email": email, "password": password},
            headers=headers,
            timeout=5,
        )
    except requests.RequestException:
        logger.warning("identity service unreachable for admin sign-in")
        return None
    if response.status_code == 429 and request is not None:
        request.sign_in_refusal = _refusal(response)
    if response.status_code != 200:
        return None
    return response.json()


def _refusal(response) -> str:
    try:
        return response.json()["errors"][0]["detail"]
    except (ValueError, KeyError, IndexError, TypeError):
        return "Too many sign-in attempts: try again later."


class AdminSignInThrottle(CellRateThrottleMixin, SimpleRateThrottle):
    """The admin's sign-in form, per client address: THROTTLE_ADMIN_SIGN_IN_RATE."""

    scope = "admin_sign_in"

    def get_rate(self) -> str:
        return settings.THROTTLE_ADMIN_SIGN_IN_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


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
        tokens = identity_tokens(email=username, password=password, request=request)
        claims = _staff_claims(tokens)
        if claims is None:
            return None
        if request is not None:
            request.identity_tokens = tokens  # kept in the session (staff_signed_in)
        return staff_shadow_user_sync(claims=claims)


def _staff_claims(tokens: dict | None):
    """The access token's claims when it is a staff member's; else ``None``."""
    if not tokens or "access" not in tokens:
        return None
    try:
        claims = AccessToken(tokens["access"])
    except TokenError:
        logger.warning("identity service returned a token this service cannot verify")
        return None
    return claims if claims.get("is_staff") else None


# ---------------------------------------------------------------------------
# Revocation: staff status re-checked at least every STAFF_RECHECK_SECONDS
# ---------------------------------------------------------------------------
SESSION_REFRESH = "identity_refresh"
SESSION_ACCESS = "identity_access"  # at most STAFF_RECHECK_SECONDS old on any admin request
SESSION_CHECKED_AT = "identity_checked_at"


def _session_keep(request, tokens: dict) -> None:
    request.session[SESSION_REFRESH] = tokens["refresh"]
    request.session[SESSION_ACCESS] = tokens["access"]
    request.session[SESSION_CHECKED_AT] = time.time()


@receiver(user_logged_in)
def staff_signed_in(sender, request, user, **kwargs):
    tokens = getattr(request, "identity_tokens", None)
    if tokens:
        _session_keep(request, tokens)


def staff_access_token(request) -> str | None:
    """The signed-in member of staff's access token, for the admin to call another service's
    staff API on their behalf (the order admin's dashboard)."""
    return request.session.get(SESSION_ACCESS)


@receiver(user_logged_out)
def staff_signed_out(sender, request, user, **kwargs):
    """Signing out here also revokes this session's refresh token at the identity service."""
    refresh = request.session.get(SESSION_REFRESH) if request is not None else None
    if refresh:
        try:
            requests.post(f"{settings.IDENTITY_SERVICE_URL}/api/auth/logout/", json={"refresh": refresh}, timeout=5)
        except requests.RequestException:
            logger.warning("identity service unreachable at admin sign-out")


def staff_access_recheck(request) -> bool:
    """``False`` when the signed-in member of staff no longer is one (demoted, deactivated,
    signed out everywhere): the identity service is asked again once STAFF_RECHECK_SECONDS have
    passed, with the session's refresh token, whose new pair carries the current claims; the
    shadow user follows them. While the identity service cannot be reached the session stays
    (an outage there does not sign every admin out) and the next request asks again.

    Refresh tokens are single use: of the requests of one session arriving together, one asks
    (a cache lock) and the others go on; one that lost a race anyway finds the session holding
    the pair its twin got, and is not signed out for it."""
    refresh = request.session.get(SESSION_REFRESH)
    if not refresh:
        return False  # a session from before re-checking: sign in again
    if time.time() - request.session.get(SESSION_CHECKED_AT, 0) < settings.STAFF_RECHECK_SECONDS:
        return True
    lock = f"staff_recheck:{request.session.session_key}"
    if not cache.add(lock, 1, timeout=10):
        return True  # another request of this session is asking right now
    try:
        return _recheck(request, refresh)
    finally:
        cache.delete(lock)


def _recheck(request, refresh: str) -> bool:
    try:
        response = requests.post(
            f"{settings.IDENTITY_SERVICE_URL}/api/auth/token/refresh/",
            json={"refresh": refresh},
            headers={"X-Forwarded-For": client_address(request)},
            timeout=5,
        )
    except requests.RequestException:
        logger.warning("identity service unreachable for the staff re-check")
        return True
    if response.status_code >= 500 or response.status_code == 429:
        return True
    tokens = response.json() if response.status_code == 200 else None
    claims = _staff_claims(tokens)
    if claims is None:
        # Refused: not staff any more, or this token was traded by a twin request just now.
        return response.status_code == 401 and _rotated_meanwhile(request, refresh)
    staff_shadow_user_sync(claims=claims)
    _session_keep(request, tokens)
    return True


def _rotated_meanwhile(request, refresh: str) -> bool:
    """Whether another request of this session already traded ``refresh`` for a new pair."""
    stored = type(request.session)(request.session.session_key).load()
    if stored.get(SESSION_REFRESH, refresh) == refresh:
        return False
    for key in (SESSION_REFRESH, SESSION_ACCESS, SESSION_CHECKED_AT):
        request.session[key] = stored[key]
    return True


class StaffAccessMiddleware:
    """On the admin's pages, signs out a member of staff the identity service no longer knows
    as staff (``staff_access_recheck``). Not in the identity service, whose admin reads its own
    accounts on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith("/admin/")
            and settings.SERVICE_NAME != service_registry.IDENTITY
            and request.user.is_authenticated
            and not staff_access_recheck(request)
        ):
            logout(request)
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return self.get_response(request)


def throttled_sign_in(login_view):
    """Wraps an admin site's login view: a client past THROTTLE_ADMIN_SIGN_IN_RATE gets a 429 page
    for its sign-in attempts (the form itself is always shown)."""

    @functools.wraps(login_view)
    def view(request, *args, **kwargs):
        if request.method == "POST":
            throttle = AdminSignInThrottle()
            if not throttle.allow_request(request, None):
                minutes = math.ceil((throttle.wait() or 60) / 60)
                response = HttpResponse(
                    f"<p>Too many sign-in attempts from your address: try again in {minutes} minute(s).</p>",
                    status=429,
                )
                response["Retry-After"] = str(math.ceil(throttle.wait() or 60))
                return response
        return login_view(request, *args, **kwargs)

    view.throttled = True
    return view
