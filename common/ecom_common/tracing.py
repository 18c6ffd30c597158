"""Tracing: OpenTelemetry spans exported over OTLP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set,
and W3C ``traceparent`` carried by requests, event envelopes and log lines either way.

With the endpoint set, every process (web and worker) instruments Django, Celery, psycopg,
Redis and outgoing ``requests`` (the opentelemetry-instrumentation packages) and exports in the
background (a batch span processor); sampling follows ``OTEL_TRACES_SAMPLER`` (the SDK's
default: a sampled parent's children are sampled, roots always). An event envelope carries the
``traceparent`` of the span that wrote it, and handling it is a consumer span continuing that
trace, so one checkout is one trace across the gateway, order, inventory and payment.

Without it nothing is instrumented or exported; the ``traceparent`` a request came with (the
gateway starts one when absent) is still passed on to the events it causes and stamped on every
log line as ``trace_id``, so logs of one checkout can be found by one id.
"""

import logging
import os
import re
from contextlib import contextmanager
from contextvars import ContextVar

from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, format_trace_id

logger = logging.getLogger(__name__)

HEADER = "traceparent"
# version-trace id-parent id-flags; an all-zero trace id or parent id is invalid (W3C).
_TRACEPARENT = re.compile(r"^00-(?!0{32})([0-9a-f]{32})-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$")

# The traceparent this work continues when no span is recording (no exporter configured).
_incoming: ContextVar[str | None] = ContextVar("incoming_traceparent", default=None)
_tracer = trace.get_tracer("ecom_common")


def enabled() -> bool:
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def tracing_setup(service_name: str) -> None:
    """Called once per process (ecom_common's AppConfig.ready): the SDK and the instrumentations,
    when an OTLP endpoint is configured; nothing otherwise."""
    if not enabled() or getattr(tracing_setup, "done", False):
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", f"{service_name}-service")})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    DjangoInstrumentor().instrument(excluded_urls="healthz,readyz,metrics")
    CeleryInstrumentor().instrument()
    PsycopgInstrumentor().instrument(enable_commenter=False, skip_dep_check=True)
    RedisInstrumentor().instrument()
    RequestsInstrumentor().instrument()
    tracing_setup.done = True
    logger.info("tracing: exporting spans over OTLP", extra={"otel_service": resource.attributes["service.name"]})


def valid_traceparent(value: str | None) -> str | None:
    """``value`` when it is a well-formed W3C traceparent (version 00), else ``None``."""
    if value and _TRACEPARENT.match(value.strip().lower()):
        return value.strip().lower()
    return None


def current_traceparent() -> str | None:
    """The traceparent of the work in progress: the recording span's, or the one it continues."""
    if trace.get_current_span().get_span_context().is_valid:
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        return carrier.get(HEADER)
    return _incoming.get()


def current_trace_id() -> str | None:
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        return format_trace_id(span_context.trace_id)
    incoming = _incoming.get()
    return incoming[3:35] if incoming else None


@contextmanager
def continuing(traceparent: str | None):
    """Within: work continues ``traceparent`` (logs and the events published carry it)."""
    token = _incoming.set(valid_traceparent(traceparent))
    try:
        yield
    finally:
        _incoming.reset(token)


@contextmanager
def event_handling_span(event, handler_name: str):
    """A consumer span for one handler applying one event, child of the span that wrote it."""
    parent = propagate.extract({HEADER: event.traceparent}) if event.traceparent else None
    attributes = {
        "messaging.system": "rabbitmq",
        "messaging.operation.type": "process",
        "messaging.destination.name": event.exchange,
        "messaging.message.id": event.id,
        "messaging.message.conversation_id": event.correlation_id or "",
        "ecom.event.type": event.type,
        "ecom.handler": handler_name,
    }
    with (
        _tracer.start_as_current_span(
            f"{event.type} process", context=parent, kind=SpanKind.CONSUMER, attributes=attributes
        ),
        continuing(event.traceparent),
    ):
        yield


class TraceparentMiddleware:
    """Keeps the request's ``traceparent`` for logs and events when no span is recording (the
    Django instrumentation continues it itself when tracing is on)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with continuing(request.headers.get(HEADER)):
            return self.get_response(request)
