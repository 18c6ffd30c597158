"""OpenAPI pieces drf-standardized-errors does not ship: the 409 body of ``errors.ConflictError`` and a 401
body that lists simplejwt's codes: ``token_not_valid`` (an expired, forged or refresh token) and
``no_active_account`` (wrong email or password at sign-in)."""

import re

from drf_spectacular.plumbing import build_serializer_context
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from rest_framework import serializers

from ecom_common.apis import WRITE_METHODS

ERROR_CODES_401 = [
    ("authentication_failed", "Authentication failed"),
    ("not_authenticated", "Not authenticated"),
    ("token_not_valid", "Token not valid"),
    ("no_active_account", "No active account"),
]


class Error401Serializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=ERROR_CODES_401)
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse401Serializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("client_error", "Client Error")])
    errors = Error401Serializer(many=True)


class Error409Serializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse409Serializer(serializers.Serializer):
    type = serializers.CharField()
    errors = Error409Serializer(many=True)


def index_placeholders_as_patterns(result, generator, request, public):
    """drf-spectacular postprocessing hook: ``attr`` of a list item's error is documented by
    drf-standardized-errors as ``items.INDEX.product_id`` (or ``values.INDEX``, or a dict's
    ``attributes.KEY``), but the API answers the real index or key (``items.0.product_id``). Such
    an enum becomes the pattern it stands for."""
    for component in result.get("components", {}).get("schemas", {}).values():
        attr = component.get("properties", {}).get("attr", {})
        values = attr.get("enum") or []
        # items.INDEX.product_id, values.INDEX, variants.INDEX.attributes.KEY (a dict's key)
        if any({"INDEX", "KEY"} & set(str(value).split(".")) for value in values):
            alternatives = "|".join(
                # A dict's key may be any text: empty, or with a line break ("." stops at one).
                re.escape(str(value)).replace("INDEX", r"\d+").replace("KEY", r"[\s\S]*")
                for value in values
            )
            attr.pop("enum")
            attr["pattern"] = f"^({alternatives})$"
    return result


class AutoSchema(StandardizedErrorsAutoSchema):
    """The error format on every operation (drf-standardized-errors), and ``ApiViewSet``'s bodies:
    the action's input serializer as the request, its output serializer as the response."""

    def get_request_serializer(self):
        serializer_class = self._view_serializer_class("get_input_serializer_class")
        if serializer_class is not None and self.method in WRITE_METHODS:
            return serializer_class(context=build_serializer_context(self.view))
        return super().get_request_serializer()

    def get_response_serializers(self):
        serializer_class = self._view_serializer_class("get_output_serializer_class")
        if serializer_class is not None:
            return serializer_class(context=build_serializer_context(self.view))
        return super().get_response_serializers()

    def _is_list_view(self, serializer=None) -> bool:
        # A list action whose response is documented as the whole envelope (a serializer marked
        # ``is_page_envelope``, e.g. a page with facets) is not wrapped in a second page.
        if serializer is None:
            serializer = self.get_response_serializers()
        if isinstance(serializer, dict) and serializer:
            serializer = serializer[min(serializer, key=str)]
        if getattr(serializer, "is_page_envelope", False):
            return False
        return super()._is_list_view(serializer)

    def _view_serializer_class(self, getter: str):
        get = getattr(self.view, getter, None)
        return get() if get is not None else None
