"""HTTP interface of the account e-mails: verify an address, reset or change a password."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import account_flows
from accounts.serializers import AccountEmailField
from ecom_common.apis import ApiViewSet
from ecom_common.throttling import EmailAddressRateThrottle, ScopedRateThrottle

PASSWORD_CODES = ["password_too_similar", "password_too_short", "password_too_common", "password_entirely_numeric"]


def _password_field() -> serializers.CharField:
    return serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})


@extend_schema_serializer(component_name="AccountToken")
class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=1000, help_text="From the link in the mail.")


@extend_schema_serializer(component_name="PasswordResetRequest")
class PasswordResetRequestSerializer(serializers.Serializer):
    email = AccountEmailField()


@extend_schema_serializer(component_name="PasswordResetConfirm")
class PasswordResetConfirmSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=1000, help_text="From the link in the mail.")
    new_password = _password_field()


@extend_schema_serializer(component_name="PasswordChange")
class PasswordChangeSerializer(serializers.Serializer):
    old_password = _password_field()
    new_password = _password_field()


@extend_validation_errors(["invalid_token"], field_name="token", actions=["verify_email", "password_reset_confirm"])
@extend_validation_errors(PASSWORD_CODES, field_name="new_password", actions=["password_reset_confirm"])
class AccountRecoveryViewSet(ApiViewSet):
    """Anonymous: a link from a mail, or a mail asked for. Mapped one per path (accounts/urls.py)."""

    # Here and in AccountSecurityViewSet each method is an @action (though mapped by path) so that
    # the error codes documented per action (extend_validation_errors) find it, instead of
    # applying to every one.
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    input_serializer_classes = {
        "verify_email": TokenSerializer,
        "password_reset": PasswordResetRequestSerializer,
        "password_reset_confirm": PasswordResetConfirmSerializer,
    }

    def get_throttles(self):
        if self.action == "password_reset":
            self.throttle_scope = "account_mail"
            return [ScopedRateThrottle(), EmailAddressRateThrottle()]
        self.throttle_scope = "account_token"
        return [ScopedRateThrottle()]

    @extend_schema(summary="Verify the address with the token from the mail", responses={204: None})
    @action(detail=False, methods=["post"])
    def verify_email(self, request):
        account_flows.email_verify(token=self.read_input()["token"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Mail a password-reset link: 202 whatever the address, so it reveals nothing",
        responses={202: None},
    )
    @action(detail=False, methods=["post"])
    def password_reset(self, request):
        account_flows.password_reset_request(email=self.read_input()["email"])
        return Response(status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Set a new password with the token from the mail; every session of the account ends",
        responses={204: None},
    )
    @action(detail=False, methods=["post"])
    def password_reset_confirm(self, request):
        payload = self.read_input()
        account_flows.password_reset_confirm(token=payload["token"], new_password=payload["new_password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_validation_errors(["wrong_password"], field_name="old_password", actions=["password_change"])
@extend_validation_errors(PASSWORD_CODES, field_name="new_password", actions=["password_change"])
class AccountSecurityViewSet(ApiViewSet):
    """The signed-in customer: a new verification mail, a new password."""

    permission_classes = [permissions.IsAuthenticated]
    input_serializer_classes = {"password_change": PasswordChangeSerializer}

    def get_throttles(self):
        self.throttle_scope = "account_mail" if self.action == "verify_email_resend" else "account_token"
        return [ScopedRateThrottle()]

    @extend_schema(summary="Mail the verification link again", request=None, responses={202: None})
    @action(detail=False, methods=["post"])
    def verify_email_resend(self, request):
        account_flows.email_verification_request(user=request.user)
        return Response(status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Change the password (the current one required); every session ends, this one's too",
        responses={204: None},
    )
    @action(detail=False, methods=["post"])
    def password_change(self, request):
        payload = self.read_input()
        account_flows.password_change(
            user=request.user, old_password=payload["old_password"], new_password=payload["new_password"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
