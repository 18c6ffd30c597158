"""HTTP interface of the identity service: viewsets whose actions call services and selectors."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from accounts.models import Address
from accounts.selectors import address_list
from accounts.serializers import (
    AddressInputSerializer,
    AddressSerializer,
    LogoutSerializer,
    TokenPairSerializer,
    UserRegisterSerializer,
    UserSerializer,
    UserTokenObtainPairSerializer,
    UserTokenRefreshSerializer,
    UserUpdateSerializer,
)
from accounts.services import address_create, address_delete, address_update, user_register, user_update
from ecom_common.apis import ApiViewSet
from ecom_common.auth import keys
from ecom_common.openapi import ErrorResponse401Serializer


# Django's password validators (settings.AUTH_PASSWORD_VALIDATORS) answer with these codes.
@extend_validation_errors(
    ["password_too_similar", "password_too_short", "password_too_common", "password_entirely_numeric"],
    field_name="password",
    actions=["register"],
)
class AuthViewSet(ApiViewSet):
    # Sign-up, sign-in, refresh and sign-out: extra actions, each mapped to its contract path in
    # accounts/urls.py (the contract's paths and names, not the router's).

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    input_serializer_classes = {
        "register": UserRegisterSerializer,
        "token": UserTokenObtainPairSerializer,
        "token_refresh": UserTokenRefreshSerializer,
        "logout": LogoutSerializer,
    }
    output_serializer_classes = {
        "register": UserSerializer,
        "token": TokenPairSerializer,
        "token_refresh": TokenPairSerializer,
    }

    @extend_schema(summary="Create a customer account", responses={201: UserSerializer})
    # Django's password validators (settings.AUTH_PASSWORD_VALIDATORS) answer with these codes.
    @action(detail=False, methods=["post"])
    def register(self, request):
        user = user_register(**self.read_input())
        return self.respond(user, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Sign in with email and password; the access token carries the caller's claims",
        responses={200: TokenPairSerializer, 401: ErrorResponse401Serializer},
    )
    @action(detail=False, methods=["post"])
    def token(self, request):
        return Response(self._validated_tokens())  # a locked account: 429 (the serializer)

    @extend_schema(
        summary="Trade a refresh token for a new pair; the old refresh token stops working",
        responses={200: TokenPairSerializer, 401: ErrorResponse401Serializer},
    )
    @action(detail=False, methods=["post"])
    def token_refresh(self, request):
        return Response(self._validated_tokens())

    @extend_schema(
        summary="Revoke a refresh token (it is blacklisted); access tokens simply expire",
        responses={204: None, 401: ErrorResponse401Serializer},
    )
    @action(detail=False, methods=["post"])
    def logout(self, request):
        self._validated_tokens()  # validates and blacklists the refresh token, or raises 401
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_authenticate_header(self, request) -> str:
        # With no authentication classes DRF turns a 401 into a 403; a failed sign-in is a 401
        # (as simplejwt's own views answer it).
        return 'Bearer realm="api"'

    def _validated_tokens(self) -> dict:
        """simplejwt's serializers do the work in validation; a bad token is one 401."""
        try:
            return self.read_input()
        except TokenError as error:
            raise InvalidToken(error.args[0]) from error


class UserMeViewSet(ApiViewSet):
    """The caller's own account."""

    # A singleton: mapped at users/me/ with as_view (accounts/urls.py), not on the router.

    permission_classes = [permissions.IsAuthenticated]
    input_serializer_class = UserUpdateSerializer
    output_serializer_class = UserSerializer

    @extend_schema(summary="The caller's own account")
    def retrieve(self, request):
        return self.respond(request.user)

    @extend_schema(summary="Change the caller's names")
    def partial_update(self, request):
        data = self.read_input(instance=request.user, partial=True)
        return self.respond(user_update(user=request.user, data=data))


@extend_schema_view(
    list=extend_schema(summary="The caller's addresses"),
    retrieve=extend_schema(summary="One of the caller's addresses"),
    create=extend_schema(summary="Add an address"),
    update=extend_schema(summary="Replace one of the caller's addresses"),
    partial_update=extend_schema(summary="Change one of the caller's addresses"),
    destroy=extend_schema(summary="Delete one of the caller's addresses"),
)
class AddressViewSet(ApiViewSet):
    """CRUD of the caller's addresses; someone else's address is a 404."""

    permission_classes = [permissions.IsAuthenticated]
    input_serializer_class = AddressInputSerializer
    output_serializer_class = AddressSerializer
    queryset = Address.objects.none()
    lookup_value_converter = "uuid"
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Address.objects.none()
        return address_list(user=self.request.user)

    def list(self, request):
        return self.respond_page(self.get_queryset())

    def retrieve(self, request, pk=None):
        return self.respond(self.get_object())

    def create(self, request):
        address = address_create(user=request.user, **self.read_input())
        return self.respond(address, status_code=status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        address = self.get_object()
        return self.respond(address_update(address=address, data=self.read_input(instance=address)))

    def partial_update(self, request, pk=None):
        address = self.get_object()
        return self.respond(address_update(address=address, data=self.read_input(instance=address, partial=True)))

    def destroy(self, request, pk=None):
        address_delete(address=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class JsonWebKeySerializer(serializers.Serializer):
    kty = serializers.CharField()
    kid = serializers.CharField()
    use = serializers.CharField()
    alg = serializers.CharField()
    n = serializers.CharField()
    e = serializers.CharField()


class JsonWebKeySetSerializer(serializers.Serializer):
    keys = JsonWebKeySerializer(many=True)


class JwksViewSet(ApiViewSet):
    """The public keys that verify this service's tokens (RFC 7517), for every other service."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []
    output_serializer_class = JsonWebKeySetSerializer

    @extend_schema(auth=[], operation_id="jwks_retrieve", summary="JSON Web Key Set")
    def retrieve(self, request):
        response = Response(keys.jwks())
        response["Cache-Control"] = "public, max-age=300"
        return response
