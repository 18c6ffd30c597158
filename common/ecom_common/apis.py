"""The one API style of every service: a viewset per resource whose actions are written out.

Each action reads its body with the action's input serializer, calls a service (writes) or a
selector (reads), and answers with the action's output serializer: a request body and a
response body are never the same serializer. ``input_serializer_class`` and
``output_serializer_class`` are the viewset's; ``input_serializer_classes`` /
``output_serializer_classes`` name another one for an action (``{"adjust": ...}``).
Viewsets are registered on ``ecom_common.routers.ApiRouter``; a resource staff manage whole (create, read, update,
delete) extends ``CrudViewSet`` and names its services in three hooks; a singleton resource (the
caller's cart, the caller's account) is mapped with ``as_view({"get": "retrieve", ...})``.

The schema (``ecom_common.openapi.AutoSchema``) documents the action's input serializer as the
request body and its output serializer as the response, so actions need no ``extend_schema``
for their bodies.
"""

import uuid

from rest_framework import status, viewsets
from rest_framework.response import Response

from ecom_common.idempotency import idempotent_reply

WRITE_METHODS = ("POST", "PUT", "PATCH")


class ApiViewSet(viewsets.GenericViewSet):
    input_serializer_class = None
    output_serializer_class = None
    input_serializer_classes: dict = {}
    output_serializer_classes: dict = {}

    def get_input_serializer_class(self):
        return self.input_serializer_classes.get(self.action, self.input_serializer_class)

    def get_output_serializer_class(self):
        return self.output_serializer_classes.get(self.action, self.output_serializer_class)

    def get_serializer_class(self):
        # DRF's own uses (the browsable API's forms, filters' introspection) see the same split.
        method = getattr(self.request, "method", "GET")
        if method in WRITE_METHODS and self.get_input_serializer_class() is not None:
            return self.get_input_serializer_class()
        return self.get_output_serializer_class()

    def get_object(self):
        # DRF's looks the object up in the *filtered* list: a list filter left in the query string
        # (?search=, ?brand=) turned an object's own URL into a 404 or a 400, though the schema
        # documents them on the list only, and every read of one object built the list's filter
        # set (a tenth of an uncached product read's CPU). The lookup itself is DRF's.
        backends, self.filter_backends = self.filter_backends, []
        try:
            return super().get_object()
        finally:
            self.filter_backends = backends

    def read_input(self, *, instance=None, partial: bool = False) -> dict:
        """The validated request body (a 400 in the error format when it is not valid)."""
        serializer = self.get_input_serializer_class()(
            instance, data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def respond(self, instance, *, status_code: int = status.HTTP_200_OK, many: bool = False) -> Response:
        serializer = self.get_output_serializer_class()(instance, many=many, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    def respond_once(
        self, instance, *, scope: str, key: uuid.UUID | None, status_code: int = status.HTTP_200_OK
    ) -> Response:
        """``respond`` for a write that took an ``Idempotency-Key``: every retry with the key is
        answered as the first request was (ecom_common.idempotency)."""
        if key is None:
            return self.respond(instance, status_code=status_code)
        return idempotent_reply(scope=scope, key=key, answer=lambda: self.respond(instance, status_code=status_code))

    def respond_page(self, queryset, *, apply_filters: bool = True) -> Response:
        """One page of ``queryset``, in the list envelope; filtered by the viewset's filters unless
        it lists something else than the viewset's resource (an order's returns)."""
        if apply_filters:
            queryset = self.filter_queryset(queryset)
        page = self.paginate_queryset(queryset)
        if page is None:  # a viewset without pagination answers the whole list
            return self.respond(queryset, many=True)
        serializer = self.get_output_serializer_class()(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)


class CrudViewSet(ApiViewSet):
    # The six actions of a resource managed whole, written once: each reads the body with the
    # action's input serializer and hands it to the resource's services through three hooks,
    # create_object(data), update_object(instance, data) and delete_object(instance). The lookup
    # (pk, slug, code...) is the viewset's lookup_field. (A comment, not a docstring: the schema
    # would show a docstring as every subclass's operation description.)

    def list(self, request):
        return self.respond_page(self.get_queryset())

    def retrieve(self, request, **lookup):
        return self.respond(self.get_object())

    def create(self, request):
        return self.respond(self.create_object(self.read_input()), status_code=status.HTTP_201_CREATED)

    def update(self, request, **lookup):
        return self._update(partial=False)

    def partial_update(self, request, **lookup):
        return self._update(partial=True)

    def destroy(self, request, **lookup):
        self.delete_object(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, *, partial: bool) -> Response:
        instance = self.get_object()
        return self.respond(self.update_object(instance, self.read_input(instance=instance, partial=partial)))

    # -- the resource's services ------------------------------------------------------------------
    def create_object(self, data: dict):
        raise NotImplementedError

    def update_object(self, instance, data: dict):
        raise NotImplementedError

    def delete_object(self, instance) -> None:
        raise NotImplementedError
