"""Request and response shapes of the identity API; the logic they reach lives in services/selectors."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import (
    TokenBlacklistSerializer,
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts import sign_in_guard
from accounts.models import Address, User
from accounts.selectors import user_get, user_token_claims

EMAIL_MAX_LENGTH = 254  # RFC 5321's longest deliverable address


class AccountEmailField(serializers.EmailField):
    """An address, refused at its length before anything else looks at it: a megabyte string
    is one ``max_length`` error, never a regex run, a cache key or a database lookup."""

    def __init__(self, **kwargs):
        super().__init__(max_length=EMAIL_MAX_LENGTH, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and len(data) > EMAIL_MAX_LENGTH:
            self.fail("max_length", max_length=EMAIL_MAX_LENGTH)
        return super().to_internal_value(data)


@extend_schema_serializer(component_name="IdentityUser")
class UserSerializer(serializers.ModelSerializer):
    """The caller's account, as answered."""

    email_verified = serializers.BooleanField(read_only=True, help_text="The customer opened the link we mailed.")

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "is_staff", "email_verified"]
        read_only_fields = fields


# The request component is "IdentityUserRequest" (COMPONENT_SPLIT_REQUEST): only the names
# are self-service; email and staff flags are not.
@extend_schema_serializer(component_name="IdentityUser")
class UserUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["first_name", "last_name"]


@extend_schema_serializer(component_name="UserRegistration")
class UserRegisterSerializer(serializers.Serializer):
    # Plain fields: uniqueness (case-insensitive) and password strength are checked by user_register.
    email = AccountEmailField()
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    first_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)


ADDRESS_FIELDS = [
    "label",
    "full_name",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
    "is_default",
]


@extend_schema_serializer(component_name="Address")
class AddressInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = ADDRESS_FIELDS


@extend_schema_serializer(component_name="Address")
class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = ["id", *ADDRESS_FIELDS, "created_at", "updated_at"]
        read_only_fields = fields


@extend_schema_serializer(component_name="TokenPair")
class TokenPairSerializer(serializers.Serializer):
    """What sign-in and refresh answer."""

    access = serializers.CharField()
    refresh = serializers.CharField()


@extend_schema_serializer(component_name="TokenPair")
class UserTokenObtainPairSerializer(TokenObtainPairSerializer):
    """Email and password in (request component "TokenPairRequest"), an access/refresh pair as
    its validated data; the tokens carry the caller's claims.

    The address is bounded before anything runs; a locked account is refused (429) before its
    password is checked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Not an EmailField: a malformed address signs in as badly as a wrong one (401).
        self.fields[self.username_field] = serializers.CharField(write_only=True, max_length=EMAIL_MAX_LENGTH)

    def validate(self, attrs):
        sign_in_guard.sign_in_check(attrs[self.username_field])  # a locked account: 429
        return super().validate(attrs)

    @classmethod
    def get_token(cls, user: User) -> RefreshToken:
        token = super().get_token(user)
        for claim, value in user_token_claims(user=user).items():
            token[claim] = value
        return token


@extend_schema_serializer(component_name="TokenRefresh")
class UserTokenRefreshSerializer(TokenRefreshSerializer):
    """Rotates a refresh token: the old one is blacklisted, the new pair re-reads the user.

    Re-reading means a deactivated or deleted user cannot refresh, and the claims of the new
    tokens (staff flag, groups) are the current ones. Blacklisting is the reuse check: of two
    requests racing with one token, only the one that blacklists it gets a new pair.
    """

    refresh = serializers.CharField()

    default_error_messages = {
        "no_active_account": _("No active account found for the given token."),
        "token_not_valid": _("Token is blacklisted"),
    }

    def validate(self, attrs):
        refresh = self.token_class(attrs["refresh"])  # TokenError (401) when invalid or blacklisted
        user = user_get(user_id=refresh.payload.get(api_settings.USER_ID_CLAIM, ""))
        if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account")
        with transaction.atomic():
            # The account's lock, as a new password takes it to blacklist every token: a
            # refresh racing it either mints first (and its token is blacklisted there) or
            # finds this one blacklisted.
            User.objects.select_for_update().filter(pk=user.pk).first()
            outstanding, _created = OutstandingToken.objects.get_or_create(
                jti=refresh.payload[api_settings.JTI_CLAIM],
                defaults={"user": user, "token": str(refresh), "expires_at": _expires_at(refresh)},
            )
            _blacklisted, is_first_use = BlacklistedToken.objects.get_or_create(token=outstanding)
            if not is_first_use:
                raise AuthenticationFailed(self.error_messages["token_not_valid"], "token_not_valid")
            new_refresh = UserTokenObtainPairSerializer.get_token(user)
        return {"access": str(new_refresh.access_token), "refresh": str(new_refresh)}


def _expires_at(token: RefreshToken):
    return datetime_from_epoch(token.payload["exp"])


@extend_schema_serializer(component_name="Logout")
class LogoutSerializer(TokenBlacklistSerializer):
    """The refresh token to revoke."""
