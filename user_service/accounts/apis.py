"""HTTP interface of the identity service: thin views over services and selectors."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import generics, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView, TokenViewBase

from accounts.models import Address
from accounts.selectors import address_list
from accounts.serializers import (
    AddressSerializer,
    LogoutSerializer,
    UserRegisterSerializer,
    UserSerializer,
    UserTokenObtainPairSerializer,
    UserTokenRefreshSerializer,
)
from accounts.services import address_create, address_delete, address_update, user_register, user_update
from ecom_common.auth import keys
from ecom_common.openapi import ErrorResponse401Serializer


# Django's password validators (settings.AUTH_PASSWORD_VALIDATORS) answer with these codes.
@extend_validation_errors(
    ["password_too_similar", "password_too_short", "password_too_common", "password_entirely_numeric"],
    field_name="password",
    methods=["post"],
)
@extend_validation_errors(["unique"], field_name="email", methods=["post"])
class UserRegisterApi(generics.CreateAPIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    serializer_class = UserRegisterSerializer

    @extend_schema(request=UserRegisterSerializer, responses={201: UserSerializer})
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_register(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    post=extend_schema(responses={200: UserTokenObtainPairSerializer, 401: ErrorResponse401Serializer})
)
class TokenObtainApi(TokenObtainPairView):
    """Signs in with email and password; the access token carries the caller's claims."""

    serializer_class = UserTokenObtainPairSerializer


@extend_schema_view(post=extend_schema(responses={200: UserTokenRefreshSerializer, 401: ErrorResponse401Serializer}))
class TokenRefreshApi(TokenRefreshView):
    """Trades a refresh token for a new pair; the old refresh token stops working."""

    serializer_class = UserTokenRefreshSerializer


class LogoutApi(TokenViewBase):
    """Revokes a refresh token (it is blacklisted); access tokens simply expire."""

    serializer_class = LogoutSerializer

    @extend_schema(request=LogoutSerializer, responses={204: None, 401: ErrorResponse401Serializer})
    def post(self, request, *args, **kwargs):
        super().post(request, *args, **kwargs)  # validates and blacklists, or raises 401
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserMeApi(generics.RetrieveUpdateAPIView):
    """The caller's own account."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = UserSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        serializer.instance = user_update(user=serializer.instance, data=serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="The caller's addresses"),
    retrieve=extend_schema(summary="One of the caller's addresses"),
)
class AddressViewSet(viewsets.ModelViewSet):
    """CRUD of the caller's addresses; someone else's address is a 404."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AddressSerializer
    queryset = Address.objects.none()
    lookup_value_converter = "uuid"
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Address.objects.none()
        return address_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = address_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = address_update(address=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        address_delete(address=instance)


class JsonWebKeySerializer(serializers.Serializer):
    kty = serializers.CharField()
    kid = serializers.CharField()
    use = serializers.CharField()
    alg = serializers.CharField()
    n = serializers.CharField()
    e = serializers.CharField()


class JsonWebKeySetSerializer(serializers.Serializer):
    keys = JsonWebKeySerializer(many=True)


class JwksApi(APIView):
    """The public keys that verify this service's tokens (RFC 7517), for every other service."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []

    @extend_schema(
        responses={200: JsonWebKeySetSerializer}, auth=[], operation_id="jwks_retrieve", summary="JSON Web Key Set"
    )
    def get(self, request):
        response = Response(keys.jwks())
        response["Cache-Control"] = "public, max-age=300"
        return response
