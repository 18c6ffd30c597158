import pytest

from system_tests.mail import MailServer
from system_tests.shop import Shop
from system_tests.stack import new_stack


@pytest.fixture(scope="session")
def mail_server():
    """The SMTP server the stack's notification service sends every mail to."""
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def stack(mail_server):
    """Every service and worker against PostgreSQL, RabbitMQ and Redis, started once per run."""
    running = new_stack()
    running.env_overrides["EMAIL_URL"] = mail_server.url
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def shop(stack):
    return Shop(stack)


@pytest.fixture
def customer(shop):
    return shop.customer()
