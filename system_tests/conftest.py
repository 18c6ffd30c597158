import pytest

from system_tests.shop import Shop
from system_tests.stack import new_stack


@pytest.fixture(scope="session")
def stack():
    """Every service and worker against PostgreSQL, RabbitMQ and Redis, started once per run."""
    running = new_stack().start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def shop(stack):
    return Shop(stack)


@pytest.fixture
def customer(shop):
    return shop.customer()
