"""OpenAPI pieces drf-standardized-errors does not ship: the 409 body of ``errors.Conflict``."""

from rest_framework import serializers


class Error409Serializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse409Serializer(serializers.Serializer):
    type = serializers.CharField()
    errors = Error409Serializer(many=True)
