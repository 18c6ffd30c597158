"""Staff single sign-on for every service's Django admin: OpenID Connect.

The identity service (user_service) is the OpenID provider (django-oauth-toolkit, see
user_service/accounts/oidc.py); every other service's admin is its client ``<service>-admin``
(mozilla-django-oidc): authorization code with PKCE, a public client bound to its registered
redirect URIs. Staff type their password once, on the identity service's sign-in page; every
other admin then signs them in with a redirect. The access token of the code exchange is the
identity service's RS256 JWT, so a staff account gets a local *shadow* user (keyed by the
identity user id, no usable password) whose name, staff/superuser flags and group memberships
come from its verified claims; local groups of the same names carry this service's admin
permissions.

Signing out of any admin signs out of every admin: the identity service ends its own session,
revokes the account's tokens and tells every admin at once (OpenID Connect back-channel
logout, ``staff_backchannel_sign_out``); an admin it cannot reach finds the tokens revoked at
its next re-check (``STAFF_RECHECK_SECONDS``), which also signs out demoted or deactivated staff.
"""

import functools
import logging
import math
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode

import jwt
import requests
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model, logout, user_logged_in
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from rest_framework.exceptions import APIException
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from ecom_common import service_registry
from ecom_common.auth import keys
from ecom_common.throttling import CellRateThrottleMixin

logger = logging.getLogger(__name__)

# OpenID Connect Back-Channel Logout 1.0: the event a logout token carries.
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def backchannel_logout_token(*, private_pem: str, sub: str, audience: str, lifetime: int = 120) -> str:
    """An OpenID Connect back-channel logout token naming account ``sub`` for the admin
    ``audience``, signed RS256 with ``private_pem`` (its ``kid`` the key's thumbprint)."""
    now = int(time.time())
    claims = {
        "iss": settings.JWT_ISSUER,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
        "sub": sub,
        "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
    }
    headers = {"kid": keys.key_id_of_private_pem(private_pem), "typ": "logout+jwt"}
    return jwt.encode(claims, private_pem, algorithm="RS256", headers=headers)


def admin_client_id(service_name: str) -> str:
    """A service admin's OAuth client id at the identity service."""
    return f"{service_name}-admin"


def is_identity_service() -> bool:
    return settings.SERVICE_NAME == service_registry.IDENTITY


# ---------------------------------------------------------------------------
# The identity service's own sign-in form: the one page where staff type their password
# ---------------------------------------------------------------------------
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
            # The account is locked (accounts.backends): say that, not "wrong password".
            refusal = getattr(self.request, "sign_in_refusal", None)
            if refusal:
                raise ValidationError(refusal, code="account_locked") from None
            raise


class AdminSignInThrottle(CellRateThrottleMixin, SimpleRateThrottle):
    """The sign-in form, per client address: THROTTLE_ADMIN_SIGN_IN_RATE."""

    scope = "admin_sign_in"

    def get_rate(self) -> str:
        return settings.THROTTLE_ADMIN_SIGN_IN_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def throttled_sign_in(login_view):
    """Wraps the sign-in view: a client past THROTTLE_ADMIN_SIGN_IN_RATE gets a 429 page for its
    sign-in attempts (the form itself is always shown)."""

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


# ---------------------------------------------------------------------------
# Every other admin: an OpenID Connect client of the identity service
# ---------------------------------------------------------------------------
def oidc_setting(attr: str, *args):
    """mozilla-django-oidc's settings, the endpoints derived from where the identity service
    answers: the browser goes to IDENTITY_PUBLIC_URL, this service to IDENTITY_SERVICE_URL."""
    derived = {
        "OIDC_RP_CLIENT_ID": lambda: admin_client_id(settings.SERVICE_NAME),
        "OIDC_OP_AUTHORIZATION_ENDPOINT": lambda: f"{settings.IDENTITY_PUBLIC_URL}/o/authorize/",
        "OIDC_OP_TOKEN_ENDPOINT": lambda: f"{settings.IDENTITY_SERVICE_URL}/o/token/",
        "OIDC_OP_USER_ENDPOINT": lambda: f"{settings.IDENTITY_SERVICE_URL}/o/userinfo/",
        "OIDC_OP_JWKS_ENDPOINT": lambda: f"{settings.IDENTITY_SERVICE_URL}/o/.well-known/jwks.json",
        "LOGIN_REDIRECT_URL": lambda: reverse("admin:index"),
        "LOGIN_REDIRECT_URL_FAILURE": lambda: reverse("admin-sign-in-refused"),
    }
    if attr in derived:
        return derived[attr]()
    return import_from_settings(attr, *args)


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


def _verified_claims(tokens: dict | None):
    """The access token's claims once verified; ``None`` when there is none that verifies."""
    if not tokens or not tokens.get("access"):
        return None
    try:
        return AccessToken(tokens["access"])
    except (TokenError, APIException):
        logger.warning("identity service returned a token this service cannot verify")
        return None


def _shadow_demote(claims) -> None:
    """The account is no longer staff: neither is its shadow here."""
    get_user_model().objects.filter(username=str(claims["user_id"])).update(is_staff=False, is_superuser=False)


def _tokens_of(token_response: dict) -> dict:
    """The identity service's token endpoint answer, as the session keeps it."""
    return {
        "access": token_response.get("access_token"),
        "refresh": token_response.get("refresh_token"),
        "id_token": token_response.get("id_token"),
    }


class StaffOIDCBackend(OIDCAuthenticationBackend):
    """The code exchange (mozilla-django-oidc: state, nonce, PKCE, the ID token's signature),
    then the shadow user from the access token's verified claims: staff only."""

    get_settings = staticmethod(oidc_setting)

    def get_token(self, payload):
        self._token_response = super().get_token(payload)
        return self._token_response

    def get_or_create_user(self, access_token, id_token, payload):
        tokens = _tokens_of(self._token_response)
        claims = _verified_claims(tokens)
        if claims is None or str(claims["user_id"]) != str(payload.get("sub")):
            raise SuspiciousOperation("a token that is not this sign-in's")
        if not claims.get("is_staff"):
            _shadow_demote(claims)
            raise SuspiciousOperation("not a staff account")
        _session_keep(self.request, tokens)
        return staff_shadow_user_sync(claims=claims)


class StaffSignInStart(OIDCAuthenticationRequestView):
    get_settings = staticmethod(oidc_setting)


class StaffSignInCallback(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(oidc_setting)


@never_cache
def staff_sign_in(request, extra_context=None):
    """The admin's login page: straight to the identity service's sign-in, then back to ``next``."""
    next_url = request.GET.get("next") or reverse("admin:index")
    if request.user.is_authenticated and request.user.is_staff:
        return redirect(reverse("admin:index"))
    return redirect(f"{reverse('oidc_authentication_init')}?{urlencode({'next': next_url})}")


def identity_sign_out_url(request, id_token: str | None = None) -> str:
    """The identity service's end-session endpoint (RP-initiated logout), back to this admin."""
    params = {
        "client_id": admin_client_id(settings.SERVICE_NAME),
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("admin:index")),
    }
    if id_token:
        params["id_token_hint"] = id_token
    return f"{settings.IDENTITY_PUBLIC_URL}/o/logout/?{urlencode(params)}"


@never_cache
@require_POST
def staff_sign_out(request, extra_context=None):
    """The admin's "Log out": out of this admin, then of the identity service, which signs the
    account out of every admin (``staff_backchannel_sign_out``)."""
    id_token = request.session.get(SESSION_ID_TOKEN)
    logout(request)
    return redirect(identity_sign_out_url(request, id_token))


@never_cache
def sign_in_refused(request):
    """Where a failed sign-in lands (instead of the login page, which would start it again)."""
    from django.contrib import admin

    context = {
        **admin.site.each_context(request),
        "title": "Signing in did not work",
        "sign_out_url": identity_sign_out_url(request),
    }
    return TemplateResponse(request, "admin/sign_in_refused.html", context, status=403)


@csrf_exempt
@require_POST
def staff_backchannel_sign_out(request):
    """The identity service's back-channel logout: a ``logout_token`` it signed, naming the
    account (``sub``); every admin session of that account here is ended (``StaffSignOut``)."""
    from ecom_common.models import StaffSignOut

    token = request.POST.get("logout_token", "")
    try:
        claims = jwt.decode(
            token,
            keys.verifying_key(token),
            algorithms=["RS256"],
            audience=admin_client_id(settings.SERVICE_NAME),
            issuer=settings.JWT_ISSUER,
            options={"require": ["iat", "exp", "jti", "sub", "events"]},
        )
    except (jwt.PyJWTError, APIException, ValueError) as error:
        logger.warning("refused a back-channel logout token: %s", error)
        return HttpResponseBadRequest('{"error": "invalid_request"}', content_type="application/json")
    if BACKCHANNEL_LOGOUT_EVENT not in (claims.get("events") or {}) or "nonce" in claims:
        return HttpResponseBadRequest('{"error": "invalid_request"}', content_type="application/json")
    StaffSignOut.record(user_id=claims["sub"])
    response = HttpResponse(status=200)
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------
# The session: tokens, and when it began (to end it when the account signs out elsewhere)
# ---------------------------------------------------------------------------
SESSION_REFRESH = "identity_refresh"
SESSION_ACCESS = "identity_access"  # at most STAFF_RECHECK_SECONDS old on any admin request
SESSION_ID_TOKEN = "identity_id_token"  # noqa: S105 - a session key; the hint for signing out at the identity service
SESSION_CHECKED_AT = "identity_checked_at"
SESSION_SIGNED_IN_AT = "staff_signed_in_at"


def _session_keep(request, tokens: dict) -> None:
    request.session[SESSION_REFRESH] = tokens["refresh"]
    request.session[SESSION_ACCESS] = tokens["access"]
    if tokens.get("id_token"):
        request.session[SESSION_ID_TOKEN] = tokens["id_token"]
    request.session[SESSION_CHECKED_AT] = time.time()


@receiver(user_logged_in)
def staff_signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_SIGNED_IN_AT] = time.time()


def staff_access_token(request) -> str | None:
    """The signed-in member of staff's access token, for the admin to call another service's
    staff API on their behalf (the order admin's dashboard)."""
    return request.session.get(SESSION_ACCESS)


def identity_user_id(user) -> str:
    """The identity service's id of a signed-in user: its own pk there, the shadow's username here."""
    return str(user.pk) if is_identity_service() else user.username


def signed_out_since_sign_in(request) -> bool:
    """Whether the account signed out everywhere after this session began."""
    from ecom_common.models import StaffSignOut

    signed_in_at = request.session.get(SESSION_SIGNED_IN_AT, 0)
    return StaffSignOut.objects.filter(
        user_id=identity_user_id(request.user),
        signed_out_at__gte=datetime.fromtimestamp(signed_in_at, tz=UTC),
    ).exists()


def staff_access_recheck(request) -> bool:
    """``False`` when the signed-in member of staff no longer is one (demoted, deactivated,
    signed out everywhere): the identity service is asked again once STAFF_RECHECK_SECONDS have
    passed, with the session's refresh token, whose new tokens carry the current claims; the
    shadow user follows them. While the identity service cannot be reached the session stays
    (an outage there does not sign every admin out) and the next request asks again.

    Refresh tokens are single use: of the requests of one session arriving together, one asks
    (a cache lock) and the others go on; one that lost a race anyway finds the session holding
    the tokens its twin got, and is not signed out for it."""
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
            oidc_setting("OIDC_OP_TOKEN_ENDPOINT"),
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh,
                "client_id": admin_client_id(settings.SERVICE_NAME),
            },
            timeout=5,
        )
    except requests.RequestException:
        logger.warning("identity service unreachable for the staff re-check")
        return True
    if response.status_code >= 500 or response.status_code == 429:
        return True
    tokens = _tokens_of(response.json()) if response.status_code == 200 else None
    claims = _verified_claims(tokens)  # verified once: staff or not, the shadow follows
    if claims is not None and not claims.get("is_staff"):
        _shadow_demote(claims)
        claims = None
    if claims is None:
        # Refused: not staff any more, signed out, or this token was traded by a twin just now.
        return response.status_code in (400, 401) and _rotated_meanwhile(request, refresh)
    staff_shadow_user_sync(claims=claims)
    _session_keep(request, tokens)
    return True


def _rotated_meanwhile(request, refresh: str) -> bool:
    """Whether another request of this session already traded ``refresh`` for new tokens."""
    stored = type(request.session)(request.session.session_key).load()
    if stored.get(SESSION_REFRESH, refresh) == refresh:
        return False
    for key in (SESSION_REFRESH, SESSION_ACCESS, SESSION_ID_TOKEN, SESSION_CHECKED_AT):
        if key in stored:
            request.session[key] = stored[key]
    return True


class StaffAccessMiddleware:
    """On the admin's pages, signs out a session whose account has signed out everywhere since
    (every service, the identity service included), or that the identity service no longer
    knows as staff (``staff_access_recheck``; not in the identity service, whose admin reads its
    own accounts on every request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith("/admin/")
            and request.user.is_authenticated
            and (
                signed_out_since_sign_in(request) or (not is_identity_service() and not staff_access_recheck(request))
            )
        ):
            # Ending a stale session is not signing out: it must not sign the account out again
            # everywhere (that would end the sessions begun since; accounts.oidc reads this).
            request.staff_session_ended = True
            logout(request)
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return self.get_response(request)
