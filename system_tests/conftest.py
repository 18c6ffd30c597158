import pytest

from system_tests.mail import MailServer
from system_tests.otlp import OtlpReceiver
from system_tests.shop import Shop
from system_tests.stack import new_stack


@pytest.fixture(scope="session")
def mail_server():
    """The SMTP server the stack's notification service sends every mail to."""
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def otlp_receiver():
    """Where every process of the stack exports its spans (OTLP over HTTP)."""
    receiver = OtlpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def stack(mail_server, otlp_receiver):
    """Every service and worker against PostgreSQL, RabbitMQ and Redis, started once per run."""
    running = new_stack()
    running.env_overrides["EMAIL_URL"] = mail_server.url
    running.env_overrides |= {
        "OTEL_EXPORTER_OTLP_ENDPOINT": otlp_receiver.url,
        # Only traces a caller marks sampled are recorded: a test's own, not the rest of the run.
        "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": "0",
        "OTEL_BSP_SCHEDULE_DELAY": "500",
    }
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def shop(stack):
    return Shop(stack)


@pytest.fixture
def customer(shop):
    return shop.customer()
