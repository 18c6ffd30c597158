"""This service as the staff's OpenID Connect provider (django-oauth-toolkit, under ``/o/``).

Every other service's admin is a client, ``<service>-admin`` (ecom_common.admin_sso): public,
authorization code with PKCE, no consent screen (they are our own admins), its redirect URIs
registered from SHOP_URL at every ``migrate`` (``admin_clients_sync``). Staff sign in on this
service's admin sign-in page, the one place they type their password (throttled, with the
account lockout of accounts.backends).

The access token of the code exchange is the same RS256 JWT the API issues
(``jwt_access_token``), so every admin verifies it, and calls the other services' staff APIs
with it, as it does any other. A refresh re-reads the account: a deactivated one cannot
refresh, a demoted one gets a token without ``is_staff``.

Signing out here (this admin's "Log out", or any admin's through ``/o/logout/``) signs the
account out everywhere (``staff_sign_out_everywhere``).
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.contrib.auth import get_user_model, user_logged_out
from django.core.exceptions import ImproperlyConfigured
from django.dispatch import receiver
from oauth2_provider.exceptions import InvalidIDTokenError
from oauth2_provider.models import get_access_token_model, get_application_model, get_refresh_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views import RPInitiatedLogoutView
from oauthlib.oauth2.rfc6749.errors import InvalidGrantError
from rest_framework_simplejwt.tokens import AccessToken

from accounts.selectors import user_token_claims
from ecom_common import service_registry
from ecom_common.admin_sso import admin_client_id, backchannel_logout_token
from ecom_common.auth import keys
from ecom_common.models import StaffSignOut

logger = logging.getLogger(__name__)

BACKCHANNEL_TIMEOUT_SECONDS = 3


def jwt_access_token(request, refresh_token=False) -> str:
    """django-oauth-toolkit's ACCESS_TOKEN_GENERATOR: the API's access token for the user."""
    token = AccessToken.for_user(request.user)
    for claim, value in user_token_claims(user=request.user).items():
        token[claim] = value
    return str(token)


class RefreshTokenRevokedError(InvalidGrantError):
    """``invalid_grant``, as a token endpoint answers it (JSON): raised after validation, where
    django-oauth-toolkit answers with the error's own headers only."""

    @property
    def headers(self) -> dict:
        return {"Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"}


class StaffOAuth2Validator(OAuth2Validator):
    """The ID token names the account (email, name); a deactivated account cannot refresh."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "email": "email", "name": "profile"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": user.email_verified,
            "name": user.get_full_name() or user.email,
            "given_name": user.first_name,
            "family_name": user.last_name,
        }

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        valid = super().validate_refresh_token(refresh_token, client, request, *args, **kwargs)
        return valid and request.user.is_active

    def _save_bearer_token(self, token, request, *args, **kwargs):
        """Mints under the account's row lock (in django-oauth-toolkit's transaction), as a new
        password revokes under it (account_flows.account_sign_out_everywhere): a refresh token
        revoked while this request was being validated is refused, not rotated."""
        if request.grant_type == "refresh_token" and request.user is not None:
            get_user_model().objects.select_for_update().filter(pk=request.user.pk).first()
            used = getattr(request, "refresh_token_instance", None)
            if used is not None and type(used).objects.filter(pk=used.pk, revoked__isnull=True).count() == 0:
                raise RefreshTokenRevokedError(request=request)
        return super()._save_bearer_token(token, request, *args, **kwargs)


def admin_services() -> list[service_registry.Service]:
    """The services whose admins sign in here: every one but this."""
    return [service for service in service_registry.SERVICES if service.name != service_registry.IDENTITY]


def _admin_origins() -> list[str]:
    """Where staff open the admins: SHOP_URL. A loopback address (http://127.0.0.1 or
    http://localhost) matches on any port (RFC 8252), so `make run`'s gateway, a service's own
    port and a test's gateway are all covered; both loopback names are registered."""
    parts = urlsplit(settings.SHOP_URL)
    if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost"):
        return [urlunsplit(("http", host, "", "", "")) for host in ("127.0.0.1", "localhost")]
    return [settings.SHOP_URL]


def admin_clients_sync(**kwargs) -> None:
    """Registers (or updates) every admin's OAuth client; runs after every ``migrate``."""
    application_model = get_application_model()
    origins = _admin_origins()
    for service in admin_services():
        application_model.objects.update_or_create(
            client_id=admin_client_id(service.name),
            defaults={
                "name": f"{service.title} admin",
                "client_type": application_model.CLIENT_PUBLIC,
                "authorization_grant_type": application_model.GRANT_AUTHORIZATION_CODE,
                "redirect_uris": " ".join(f"{origin}/admin/{service.admin_slug}/oidc/callback/" for origin in origins),
                "post_logout_redirect_uris": " ".join(f"{origin}/admin/{service.admin_slug}/" for origin in origins),
                "skip_authorization": True,
                "algorithm": application_model.RS256_ALGORITHM,
                "client_secret": "",
            },
        )


# ---------------------------------------------------------------------------
# Signing out everywhere
# ---------------------------------------------------------------------------
def staff_sign_out_everywhere(*, user, unless_tokenless: bool = False) -> None:
    """Ends every admin session of ``user``: its tokens are revoked (an admin's re-check finds
    them gone), this service's other sessions of the account end (``StaffSignOut``), and every
    admin is told at once (back-channel logout). ``unless_tokenless``: tell no admin when the
    account had no OAuth token (then it has no session in another admin): a new password of a
    customer, or ensure_admin's at every start, calls nobody."""
    revoked = _tokens_revoke(user=user)
    StaffSignOut.record(user_id=user.pk)
    if revoked or not unless_tokenless:
        _backchannel_notify(user_id=str(user.pk))


def _tokens_revoke(*, user) -> int:
    access_tokens = list(get_access_token_model().objects.filter(user=user).select_related("id_token"))
    refresh_tokens = list(get_refresh_token_model().objects.filter(user=user, revoked__isnull=True))
    for token in access_tokens:
        if token.id_token:
            token.id_token.revoke()
        token.revoke()
    for token in refresh_tokens:
        token.revoke()
    return len(access_tokens) + len(refresh_tokens)


def _backchannel_notify(*, user_id: str) -> None:
    try:
        private_pem = keys.private_key_pem()
    except ImproperlyConfigured:
        private_pem = None
    if not private_pem:
        # Only the web pods hold the signing key (k8s); a new password set elsewhere (the
        # migration Job's ensure_admin) revoked the tokens, and each admin's re-check ends its
        # session within STAFF_RECHECK_SECONDS.
        logger.warning("no signing key in this process: the admins' re-checks sign %s out", user_id)
        return

    def notify(service: service_registry.Service) -> None:
        url = f"{settings.SERVICE_URLS[service.name]}/admin/{service.admin_slug}/oidc/backchannel-logout/"
        token = backchannel_logout_token(private_pem=private_pem, sub=user_id, audience=admin_client_id(service.name))
        try:
            response = requests.post(url, data={"logout_token": token}, timeout=BACKCHANNEL_TIMEOUT_SECONDS)
        except requests.RequestException as error:
            logger.warning("back-channel logout at %s failed (%s): its re-check signs it out", service.name, error)
            return
        if response.status_code != 200:
            logger.warning("back-channel logout at %s answered %s", service.name, response.status_code)

    services = admin_services()
    with ThreadPoolExecutor(max_workers=len(services)) as pool:
        list(pool.map(notify, services))


@receiver(user_logged_out)
def staff_signed_out(sender, request, user, **kwargs):
    """This admin's "Log out", and the end-session endpoint's: out of every admin. Not when the
    session is ended because the account signed out elsewhere, or its staff status was revoked
    (ecom_common.admin_sso.StaffAccessMiddleware)."""
    if user is not None and user.is_staff and not getattr(request, "staff_session_ended", False):
        staff_sign_out_everywhere(user=user)


class StaffSignOutView(RPInitiatedLogoutView):
    """``/o/logout/``, where an admin's "Log out" leads. The account is signed out everywhere
    (``staff_signed_out``), also when this service's own session has already ended (an ID
    token names the account); an ID token it no longer knows is no reason to refuse: without
    one, the provider asks before signing out."""

    def validate_logout_request_user(self, id_token_hint, client_id):
        try:
            return super().validate_logout_request_user(id_token_hint, client_id)
        except InvalidIDTokenError:
            return None

    def do_logout(self, application=None, post_logout_redirect_uri=None, state=None, token_user=None):
        signed_in_here = self.request.user.is_authenticated
        response = super().do_logout(application, post_logout_redirect_uri, state, token_user)
        if token_user is not None and not signed_in_here and token_user.is_staff:
            staff_sign_out_everywhere(user=token_user)
        return response
